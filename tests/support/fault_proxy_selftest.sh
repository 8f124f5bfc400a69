#!/usr/bin/env bash
# Self-test of tests/support/fault_proxy.py: a tiny HTTP/1.1 upstream (python3 -m http.server on a
# free port), the proxy in front of it, and curl through the proxy for every mode.
#   tests/support/fault_proxy_selftest.sh        (CTest: fault_proxy_selftest, label unit)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
proxy_py=$here/fault_proxy.py
work=$(mktemp -d "${TMPDIR:-/tmp}/fault-proxy-selftest.XXXXXX")
pids=()
failures=0

# Stop what this script started: SIGTERM, up to 5 s, then SIGKILL; never an unbounded wait.
cleanup() {
  local p i
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for ((i = 0; i < 50; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  if [ "$failures" -ne 0 ] && [ -f "$work/proxy.log" ]; then
    echo "---- proxy log (tail)"; tail -n 40 "$work/proxy.log"
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ok() { echo "ok    $*"; }
bad() { echo "FAIL  $*"; failures=$((failures + 1)); }
check() { # DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then ok "$what"; else bad "$what"; fi
}

# wait_file FILE: until FILE exists and is non-empty (10 s).
wait_file() {
  local i
  for ((i = 0; i < 100; i++)); do
    [ -s "$1" ] && return 0
    sleep 0.1
  done
  echo "timed out waiting for $1" >&2
  return 1
}

# The interpreter itself, not a wrapper such as a pyenv shim: $! must be the server's PID.
PY=$(python3 -c 'import sys; print(sys.executable)')

# --- upstream: HTTP/1.1 so that connections are kept alive --------------------------------------
mkdir -p "$work/www"
: >"$work/upstream.log"
head -c 200000 /dev/urandom >"$work/www/big.bin"
printf 'small\n' >"$work/www/small.txt"
"$PY" -u -m http.server 0 --bind 127.0.0.1 --protocol HTTP/1.1 --directory "$work/www" \
  >"$work/upstream.log" 2>&1 &
pids+=($!)
for ((i = 0; i < 100; i++)); do
  up_port=$(sed -n 's/^Serving HTTP on .* port \([0-9]*\) .*/\1/p' "$work/upstream.log" || true)
  [ -n "$up_port" ] && break
  sleep 0.1
done
[ -n "$up_port" ] || { echo "upstream did not start"; cat "$work/upstream.log"; exit 1; }

# --- the proxy ------------------------------------------------------------------------------
"$PY" "$proxy_py" --verbose --listen 127.0.0.1:0 --upstream "127.0.0.1:$up_port" \
  --port-file "$work/port" --control-port-file "$work/control" >"$work/proxy.log" 2>&1 &
pids+=($!)
proxy_pid=$!
wait_file "$work/port"
port=$(cat "$work/port")
control=$(cat "$work/control")
U=http://127.0.0.1:$port
C=http://127.0.0.1:$control
echo "upstream :$up_port, proxy :$port, control :$control"

CURL=(curl -sS --max-time 20)
mode() { "${CURL[@]}" -f -o /dev/null -X POST --data "$1" "$C/mode"; }
# stat EXPR: evaluate a Python expression over the stats JSON (s), e.g. 's["faults"]["refuse"]'.
stat() { "${CURL[@]}" -f "$C/stats" | python3 -c "import json,sys; s=json.load(sys.stdin); print($1)"; }
# get URL...: curl through the proxy; prints "rc http_code size_download num_connects" per URL.
get() {
  local args=() u rc=0 out
  for u in "$@"; do args+=(-o /dev/null -w '%{http_code} %{size_download} %{num_connects}\n' "$u"); done
  out=$("${CURL[@]}" "${args[@]}" 2>/dev/null) || rc=$?
  awk -v rc="$rc" '{ print rc, $0 }' <<<"$out"
}
# is_reset RC: RC is how curl reports a reset: 7 (reset before curl saw the connect complete),
# 52 (empty reply), 55 (send failed) or 56 (receive failed).
is_reset() { case "$1" in 7 | 52 | 55 | 56) return 0 ;; *) return 1 ;; esac; }

# --- pass -------------------------------------------------------------------------------------
"${CURL[@]}" -o "$work/got.bin" "$U/big.bin"
check "pass: body forwarded unchanged" cmp -s "$work/got.bin" "$work/www/big.bin"
r=$(get "$U/small.txt" "$U/small.txt" "$U/small.txt" | tr '\n' ' ')
check "pass: keep-alive kept (3 requests, 1 connection: $r)" \
  test "$r" = "0 200 6 1 0 200 6 0 0 200 6 0 "

# --- refuse -----------------------------------------------------------------------------------
mode '{"mode":"refuse","count":2}'
r1=$(get "$U/small.txt"); r2=$(get "$U/small.txt"); r3=$(get "$U/small.txt")
check "refuse: 1st connection reset (curl rc ${r1%% *})" is_reset "${r1%% *}"
check "refuse: 2nd connection reset (curl rc ${r2%% *})" is_reset "${r2%% *}"
check "refuse: 3rd connection served ($r3)" test "$r3" = "0 200 6 1"
check "refuse: 2 faults counted" test "$(stat 's["faults"]["refuse"]')" = 2

# --- reset_after_bytes --------------------------------------------------------------------------
mode '{"mode":"reset_after_bytes","bytes":1000,"count":1}'
out=$("${CURL[@]}" -o "$work/part.bin" -w '%{size_header} %{size_download}' "$U/big.bin" 2>"$work/err") &&
  rc=0 || rc=$?
read -r hdr body <<<"$out"
check "reset_after_bytes to_client: curl rc 56, a reset, not a FIN (rc $rc: $(cat "$work/err"))" \
  test "$rc" = 56
check "reset_after_bytes to_client: client got exactly 1000 bytes first ($hdr + $body)" \
  test "$((hdr + body))" = 1000
check "reset_after_bytes to_client: the bytes it got are the file's" \
  cmp -s "$work/part.bin" <(head -c "$body" "$work/www/big.bin")
r=$(get "$U/big.bin")
check "reset_after_bytes: count 1, next connection served ($r)" test "$r" = "0 200 200000 1"

mode '{"mode":"reset_after_bytes","bytes":10,"count":1,"direction":"to_upstream"}'
r=$(get "$U/small.txt")
check "reset_after_bytes to_upstream: reset (curl rc ${r%% *})" is_reset "${r%% *}"
check "reset_after_bytes to_upstream: 10 bytes reached upstream" \
  test "$(stat 's["bytes_to_upstream"]')" -gt 0

# per=request hits a pooled keep-alive connection, which per=connection would not.
cat >"$work/per_request.py" <<'EOF'
import http.client, json, sys, urllib.request
port, control = int(sys.argv[1]), int(sys.argv[2])
c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
c.request("GET", "/small.txt"); r = c.getresponse(); r.read()
assert r.status == 200, r.status
urllib.request.urlopen(urllib.request.Request(
    f"http://127.0.0.1:{control}/mode", method="POST",
    data=json.dumps({"mode": "reset_after_bytes", "bytes": 500, "count": 1,
                     "per": "request"}).encode()), timeout=10).read()
c.request("GET", "/big.bin")
try:
    r = c.getresponse(); r.read()
    print("no reset, status", r.status); sys.exit(1)
except ConnectionResetError:
    print("reset on the kept-alive connection")
EOF
check "reset_after_bytes per=request: resets a request on a kept-alive connection" \
  python3 "$work/per_request.py" "$port" "$control"

# --- http_503 ---------------------------------------------------------------------------------
mode '{"mode":"http_503","count":2}'
r=$(get "$U/small.txt" "$U/small.txt" "$U/small.txt" | tr '\n' ' ')
check "http_503: 503, 503, then 200, all on one connection ($r)" \
  test "$(echo "$r" | awk '{print $1, $2, $4, $6, $8, $10, $12}')" = "0 503 1 503 0 200 0"
mode '{"mode":"http_503","count":1}'
"${CURL[@]}" -D "$work/h503" -o "$work/b503" "$U/small.txt"
check "http_503: status line is 'HTTP/1.1 503 Slow Down'" grep -q '^HTTP/1.1 503 Slow Down' "$work/h503"
check "http_503: S3 error body with Code SlowDown" grep -q '<Error><Code>SlowDown</Code>' "$work/b503"
mode '{"mode":"http_503","count":1}'
r=$("${CURL[@]}" -X PUT --data-binary @"$work/www/small.txt" -o /dev/null \
  -w '%{http_code} %{num_connects}\n' "$U/put-target" --next \
  -o /dev/null -w '%{http_code} %{num_connects}\n' "$U/small.txt" | tr '\n' ' ')
check "http_503: request body skipped, connection stays usable ($r)" test "$r" = "503 1 200 0 "
mode '{"mode":"http_503","count":1}'
r=$("${CURL[@]}" -X PUT -H 'Expect: 100-continue' --data-binary @"$work/www/big.bin" \
  -o /dev/null -w '%{http_code}' "$U/put-target") && rc=0 || rc=$?
check "http_503: PUT with Expect: 100-continue gets the 503 (rc $rc, $r)" test "$rc/$r" = "0/503"
check "http_503: 5 faults counted" test "$(stat 's["faults"]["http_503"]')" = 5

# --- http_status ------------------------------------------------------------------------------
mode '{"mode":"http_status","status":429,"retry_after":2,"count":2}'
r=$(get "$U/small.txt" "$U/small.txt" "$U/small.txt" | tr '\n' ' ')
check "http_status 429: 429, 429, then 200, all on one connection ($r)" \
  test "$(echo "$r" | awk '{print $1, $2, $4, $6, $8, $10, $12}')" = "0 429 1 429 0 200 0"
mode '{"mode":"http_status","status":429,"retry_after":2,"count":1}'
"${CURL[@]}" -D "$work/h429" -o "$work/b429" "$U/small.txt"
check "http_status: status line is 'HTTP/1.1 429 Too Many Requests'" \
  grep -q '^HTTP/1.1 429 Too Many Requests' "$work/h429"
check "http_status: 'Retry-After: 2' header" grep -qi '^Retry-After: 2' "$work/h429"
check "http_status: a short text body naming the status" \
  grep -q '^429 Too Many Requests (injected by fault_proxy)$' "$work/b429"
mode '{"mode":"http_status","status":502,"count":1}'
"${CURL[@]}" -D "$work/h502" -o /dev/null "$U/small.txt"
check "http_status 502 without retry_after: 502 Bad Gateway, no Retry-After" \
  bash -c "grep -q '^HTTP/1.1 502 Bad Gateway' '$work/h502' && ! grep -qi '^Retry-After' '$work/h502'"
mode '{"mode":"http_status","status":429,"retry_after":1,"count":1}'
r=$("${CURL[@]}" -I -o /dev/null -w '%{http_code} %{num_connects}\n' "$U/small.txt" --next \
  -o /dev/null -w '%{http_code} %{num_connects}\n' "$U/small.txt" | tr '\n' ' ')
check "http_status: HEAD gets the status without a body, connection stays usable ($r)" \
  test "$r" = "429 1 200 0 "
mode '{"mode":"http_status","status":503,"count":1}'
r=$("${CURL[@]}" -X PUT --data-binary @"$work/www/small.txt" -o /dev/null \
  -w '%{http_code} %{num_connects}\n' "$U/put-target" --next \
  -o /dev/null -w '%{http_code} %{num_connects}\n' "$U/small.txt" | tr '\n' ' ')
check "http_status: request body skipped, connection stays usable ($r)" test "$r" = "503 1 200 0 "
check "http_status: 6 faults counted" test "$(stat 's["faults"]["http_status"]')" = 6
for bad_spec in '{"mode":"http_status","count":1}' '{"mode":"http_status","status":200}' \
  '{"mode":"http_status","status":429,"retry_after":-1}' '{"mode":"http_status","status":429,"ms":5}'; do
  code=$("${CURL[@]}" -o /dev/null -w '%{http_code}' -X POST --data "$bad_spec" "$C/mode")
  check "control: $bad_spec is a 400" test "$code" = 400
done
mode '{"mode":"pass"}'

# --- delay ------------------------------------------------------------------------------------
mode '{"mode":"delay","ms":400,"count":2}'
t=$("${CURL[@]}" -o /dev/null -w '%{time_total}' "$U/small.txt")
check "delay: request took >= 0.4 s ($t s)" python3 -c "import sys; sys.exit(not $t >= 0.4)"
"${CURL[@]}" -o /dev/null --max-time 0.15 "$U/small.txt" 2>/dev/null && rc=0 || rc=$?
check "delay: a client timeout fires (curl rc $rc)" test "$rc" = 28
t=$("${CURL[@]}" -o /dev/null -w '%{time_total}' "$U/small.txt")
check "delay: count 2, then no delay ($t s)" python3 -c "import sys; sys.exit(not $t < 0.3)"

# --- truncate_response ------------------------------------------------------------------------
mode '{"mode":"truncate_response","bytes":1000,"count":1}'
r=$(get "$U/small.txt")
check "truncate_response: a body shorter than N passes and keeps the fault ($r)" \
  test "$r" = "0 200 6 1"
r=$(get "$U/big.bin")
check "truncate_response: FIN after 1000 body bytes, curl rc 18 ($r)" test "$r" = "18 200 1000 1"
r=$(get "$U/big.bin")
check "truncate_response: count 1, then whole bodies ($r)" test "$r" = "0 200 200000 1"
mode '{"mode":"truncate_response","bytes":1000,"count":1,"rst":true}'
r=$(get "$U/big.bin")
check "truncate_response rst: reset after the body bytes, curl rc 56 ($r)" \
  test "${r%% *}" = 56

# --- control interface ------------------------------------------------------------------------
code=$("${CURL[@]}" -o /dev/null -w '%{http_code}' -X POST --data '{"mode":"nope"}' "$C/mode")
check "control: unknown mode is a 400" test "$code" = 400
code=$("${CURL[@]}" -o /dev/null -w '%{http_code}' -X POST --data '{"mode":"delay"}' "$C/mode")
check "control: missing field is a 400" test "$code" = 400
code=$("${CURL[@]}" -o /dev/null -w '%{http_code}' -X POST --data 'not json' "$C/mode")
check "control: bad JSON is a 400" test "$code" = 400
check "control: GET /mode shows the remaining count" \
  test "$("${CURL[@]}" "$C/mode" | python3 -c 'import json,sys; print(json.load(sys.stdin)["remaining"])')" = 0
check "stats: every mode injected its faults" \
  test "$(stat '",".join(f"{k}={v}" for k, v in sorted(s["faults"].items()))')" = \
  "delay=2,http_503=5,http_status=6,refuse=2,reset_after_bytes=3,truncate_response=2"
check "stats: connections and requests counted" \
  test "$(stat 's["connections"] > 15 and s["requests"] > 15')" = True
"${CURL[@]}" -f -o /dev/null -X POST "$C/reset"
check "control: POST /reset zeroes the counters and passes" \
  test "$(stat 's["connections"], s["mode"]["mode"]')" = "0 pass"
r=$(get "$U/small.txt")
check "after reset: traffic passes ($r)" test "$r" = "0 200 6 1"

check "proxy still running" kill -0 "$proxy_pid"
check "proxy logged no unexpected error" bash -c "! grep -q unexpected '$work/proxy.log'"

if [ "$failures" -ne 0 ]; then
  echo "fault_proxy selftest: $failures check(s) failed"
  exit 1
fi
echo "fault_proxy selftest: all checks passed"
