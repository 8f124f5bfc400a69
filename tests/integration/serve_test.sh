#!/usr/bin/env bash
# `mirrorvault serve` over real sockets, with real clients.
#
#   - an upstream built by tests/fixtures/make-upstream (real .debs, a source package, by-hash,
#     a throwaway key) on nginx, mirrored twice as it changes, plus a local tree with a 3 MB file;
#   - apt-get in an isolated configuration against /archive/A/RUN1/ and /archive/A/now/, with
#     Acquire::By-Hash forced: update and download succeed, each run gives its own versions, and
#     the downloaded .debs are byte-identical to upstream's;
#   - a client of snapshot.debian.org's /mr/ API (tests/support/mr_client.py) walks package ->
#     version -> srcfiles -> /file/HASH and binary -> binfiles, checking SHA-1, SHA-256 and sizes;
#   - HTTP on the wire: streamed large files, ranges across chunk boundaries, HEAD, 304, keep-alive,
#     200 parallel requests; refusals (traversal in several spellings, 405, 414, 431, a malformed
#     request, a malformed Range) each answered while the server keeps serving; a slow client is
#     cut off by --read-timeout; the connection bound answers 503;
#   - SIGTERM: a download in flight completes, new connections are refused, the exit is clean;
#   - the access log and /metrics reflect what was served;
#   - --blob-redirect on an S3 (Ceph RGW) store: 302 to a presigned URL, and apt follows it.
#
#   serve_test.sh PATH/TO/mirrorvault   (needs the MV_TEST_HTTP_* and MV_TEST_S3_* environment)
set -uo pipefail
mv=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
for v in MV_TEST_HTTP_URL MV_TEST_HTTP_ROOT MV_TEST_S3_ENDPOINT; do
  [ -n "${!v:-}" ] || { echo "FAIL: $v is not set (start scripts/test-services)"; exit 1; }
done
work=$(mktemp -d)
name=serve-test-$$-$RANDOM
up=$MV_TEST_HTTP_ROOT/$name
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  rm -rf "$work" "$up"
}
trap cleanup EXIT
keydir=$work/key
store="file://$work/store"
catalog="sqlite://$work/catalog.db"
mvc() { "$mv" "$@" --store "$store" --catalog "$catalog"; }
failures=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
py=/usr/bin/python3

# ---- the archive: two mirrored runs and a local tree ----
make_upstream() {
  "$here/tests/fixtures/make-upstream" "$up" --arch amd64 --key-dir "$keydir" \
    --debs-from "$here/tests/fixtures/small-packages.txt" "$@" >"$work/make-upstream.log" 2>&1 ||
    { cat "$work/make-upstream.log"; echo "FAIL make-upstream"; exit 1; }
}
mirror() {
  mvc mirror debian --upstream "$MV_TEST_HTTP_URL/$name" --suites bookworm --archs amd64 --sources \
    --keyring "$keydir/keyring.gpg" --no-progress >"$work/mirror.log" 2>&1 ||
    { cat "$work/mirror.log"; echo "FAIL mirror"; exit 1; }
}
make_upstream --tiny mvtiny=1.0 --source-pkg mvsrc=1.0
cp -a "$up" "$work/upstream-1"
mirror
sleep 1  # run ids are seconds
make_upstream --tiny mvtiny=2.0 --source-pkg mvsrc=1.1
mirror
mkdir -p "$work/tree/big"
head -c 3000000 /dev/urandom >"$work/tree/big/file.bin"
echo small >"$work/tree/big/small.txt"
mvc import files "$work/tree" --no-progress >/dev/null || { echo "FAIL import"; exit 1; }
mapfile -t runs < <(sqlite3 "$work/catalog.db" "SELECT run_id FROM archive_runs WHERE archive = 'debian' ORDER BY run_id")
[ ${#runs[@]} -eq 2 ] || { echo "FAIL expected 2 runs, got ${runs[*]}"; exit 1; }
run1=${runs[0]} run2=${runs[1]}

# start_server OUTFILE ARGS...: `serve` on a free port; sets $port and $server_pid.
. "$here/tests/support/serve_helpers.sh"
start_server() {
  mv_start_serve "$mv" "$@" || exit 1
  server_pid=$SERVE_PID port=$SERVE_PORT
  pids+=("$server_pid")
}
start_server "$work/serve.out" --store "$store" --catalog "$catalog" --access-log "$work/access.log" \
  --read-timeout 2s
base=http://127.0.0.1:$port
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

# ---- apt-get, unchanged, against two moments ----
aptdir=$work/apt
. "$here/tests/support/apt_helpers.sh"
upstream_deb() { find "$1/pool" -name "$2" | head -1; }
apt_setup "$base/archive/debian/$run1/" "$keydir/keyring.gpg"
if apt_run update >"$work/apt1.log" 2>&1 && apt_run download mvtiny hello >>"$work/apt1.log" 2>&1; then
  ok=1
  for f in mvtiny_1.0_all.deb; do cmp -s "$aptdir/dl/$f" "$(upstream_deb "$work/upstream-1" "$f")" || ok=0; done
  hello=$(ls "$aptdir/dl"/hello_*.deb 2>/dev/null | head -1)
  [ -n "$hello" ] && cmp -s "$hello" "$(upstream_deb "$up" "$(basename "$hello")")" || ok=0
  [ $ok = 1 ] && pass "apt-get update + download at run 1 ($run1): mvtiny 1.0 and hello, byte-identical to upstream" ||
    fail "apt at run 1: wrong files: $(ls "$aptdir/dl")"
else
  fail "apt-get at run 1: $(tail -5 "$work/apt1.log")"
fi
sleep 1.5  # the access log is flushed every second
grep -q "GET /archive/debian/$run1/dists/bookworm/main/binary-amd64/by-hash/SHA256/" "$work/access.log" &&
  pass "apt fetched the indexes by hash (Acquire-By-Hash paths served)" ||
  fail "no by-hash request in the access log"
apt_setup "$base/archive/debian/now/" "$keydir/keyring.gpg"
if apt_run update >"$work/apt2.log" 2>&1 && apt_run download mvtiny >>"$work/apt2.log" 2>&1; then
  [ -f "$aptdir/dl/mvtiny_2.0_all.deb" ] && cmp -s "$aptdir/dl/mvtiny_2.0_all.deb" "$(upstream_deb "$up" mvtiny_2.0_all.deb)" &&
    pass "apt-get at now: mvtiny 2.0" || fail "apt at now: $(ls "$aptdir/dl")"
else
  fail "apt-get at now: $(tail -5 "$work/apt2.log")"
fi
cmp -s <(curl -s "$base/archive/debian/$run1/dists/bookworm/InRelease") "$work/upstream-1/dists/bookworm/InRelease" &&
  gpgv --keyring "$keydir/keyring.gpg" <(curl -s "$base/archive/debian/$run1/dists/bookworm/InRelease") 2>/dev/null &&
  pass "run 1's InRelease served byte-for-byte, and it verifies" || fail "InRelease of run 1 differs or does not verify"

# ---- the /mr/ API through a client written to its shapes ----
out=$($py "$here/tests/support/mr_client.py" "$base" mvsrc hello 1.1 1.0 2>&1) &&
  pass "mr_client: $(echo "$out" | tail -1 | cut -c6-)" || fail "mr_client: $out"
# Its hashes agree with upstream's own Sources (an independent truth).
dsc_sha1=$(sha1sum "$(upstream_deb "$work/upstream-1" mvsrc_1.0.dsc)" | cut -d' ' -f1)
curl -s "$base/mr/package/mvsrc/1.0/srcfiles" | grep -q "\"hash\":\"$dsc_sha1\"" &&
  pass "srcfiles of mvsrc 1.0 names the .dsc upstream published by its SHA-1" || fail "srcfiles lacks the .dsc's SHA-1"
[ "$(code "$base/mr/package/nosuch/")" = 404 ] && pass "/mr/ unknown package: 404" || fail "/mr/ unknown package"

# ---- HTTP on the wire ----
cmp -s <(curl -s "$base/archive/files/now/big/file.bin") "$work/tree/big/file.bin" &&
  pass "a 3 MB file streamed in chunks, byte-identical" || fail "3 MB file differs"
cmp -s <(curl -s -r 200000-600000 "$base/archive/files/now/big/file.bin") \
  <(dd if="$work/tree/big/file.bin" bs=1 skip=200000 count=400001 status=none) &&
  [ "$(code -r 200000-600000 "$base/archive/files/now/big/file.bin")" = 206 ] &&
  pass "a range across chunk boundaries: 206 with the right bytes" || fail "range across chunks"
head=$(curl -sI "$base/archive/files/now/big/file.bin")
grep -qi "^content-length: 3000000" <<<"$head" && grep -qi '^etag: "' <<<"$head" &&
  pass "HEAD: Content-Length and ETag, no body" || fail "HEAD: $head"
# ("now" redirects to the run: follow it, and read the last answer's length.)
listing_get=$(curl -sL "$base/archive/files/now/big/" | wc -c)
listing_head=$(curl -sIL "$base/archive/files/now/big/" | tr -d '\r' | sed -n 's/^[Cc]ontent-[Ll]ength: //p' | tail -1)
[ "$listing_get" -gt 0 ] && [ "$listing_head" = "$listing_get" ] &&
  pass "HEAD of a listing: the Content-Length of its GET ($listing_get)" ||
  fail "HEAD of a listing: Content-Length '$listing_head', GET sends $listing_get bytes"
etag=$(grep -i '^etag:' <<<"$head" | cut -d' ' -f2 | tr -d '\r')
[ "$(code -H "If-None-Match: $etag" "$base/archive/files/now/big/file.bin")" = 304 ] &&
  pass "If-None-Match: 304" || fail "If-None-Match"
[ "$(code -H 'Range: bytes=zz' "$base/archive/files/now/big/small.txt")" = 416 ] &&
  pass "malformed Range: 416" || fail "malformed Range"
reuse=$(curl -sv -o /dev/null -o /dev/null "$base/healthz" "$base/archive/files/now/big/small.txt" 2>&1 | grep -c "Re-using existing connection")
[ "$reuse" -ge 1 ] && pass "keep-alive: the second request reused the connection" || fail "no keep-alive"
seq 200 | xargs -P 50 -I{} curl -s -o /dev/null -w '%{http_code}\n' "$base/archive/debian/$run1/dists/bookworm/Release" |
  sort | uniq -c | grep -q "^ *200 200$" && pass "200 parallel requests: all 200" || fail "parallel requests"

# ---- refusals, each answered; the server keeps serving ----
check() {  # check EXPECTED DESCRIPTION CURL_ARGS...
  local want=$1 what=$2
  shift 2
  local got
  got=$(code "$@")
  [ "$got" = "$want" ] && pass "$what: $got" || fail "$what: got $got, want $want"
}
check 400 "traversal with .." --path-as-is "$base/archive/debian/now/../../../etc/passwd"
check 400 "traversal with %2e%2e" "$base/archive/debian/now/%2e%2e/%2e%2e/etc/passwd"
check 400 "an encoded slash" "$base/archive/debian/now/dists%2f..%2fx"
check 400 "a backslash" "$base/archive/debian/now/..%5c..%5cx"
check 400 "a NUL" "$base/archive/debian/now/x%00y"
check 405 "POST" -X POST "$base/archive/debian/now/"
check 405 "an unknown method" -X BREW "$base/"
check 414 "an overlong URL" "$base/archive/debian/now/$(head -c 9000 /dev/zero | tr '\0' a)"
check 431 "overlong headers" -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' b)" "$base/healthz"
check 400 "a bad timestamp" "$base/archive/debian/20241399/"
check 400 "a bad hash" "$base/file/1234"
check 404 "an unknown hash" "$base/file/$(printf '%064d' 0)"
raw=$(printf 'THIS IS NOT HTTP\r\n\r\n' | timeout 5 $py -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(sys.stdin.buffer.read())
print(s.recv(100).split(b"\r\n")[0].decode())' "$port")
[[ "$raw" == "HTTP/1.1 400"* ]] && pass "a malformed request: $raw" || fail "malformed request: $raw"
slow=$(timeout 10 $py -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # and never the end of the headers
start = time.time()
data = s.recv(100)
print("closed" if data == b"" else "answered", round(time.time() - start, 1))' "$port")
[[ "$slow" == closed* ]] && pass "a slow client is disconnected by --read-timeout 2s ($slow s)" || fail "slow client: $slow"
[ "$(code "$base/healthz")" = 200 ] && pass "still serving after every refusal" || fail "the server stopped serving"

# ---- the access log and metrics ----
kill -0 "$server_pid" 2>/dev/null || fail "the server died"
sleep 1.5  # the access log is flushed every second
grep -q "\"GET /archive/files/now/big/file.bin HTTP/1.1\" 200 3000000 " "$work/access.log" &&
  grep -q '"BREW / HTTP/1.1" 405' "$work/access.log" &&
  pass "access log: combined format with status and bytes" || fail "access log: $(tail -3 "$work/access.log")"
metrics=$(curl -s "$base/metrics")
grep -q 'mirrorvault_http_requests_total{route="archive_file",status="200"}' <<<"$metrics" &&
  grep -q 'mirrorvault_http_request_duration_seconds_bucket{route="mr",le="+Inf"}' <<<"$metrics" &&
  grep -Eq 'mirrorvault_cache_requests_total\{cache="path",result="hit"\} [1-9]' <<<"$metrics" &&
  pass "/metrics: requests by route and status, latency histogram, cache hits" || fail "metrics: $metrics"
grep -Eq '^mirrorvault_store_read_duration_seconds_count\{store="file"\} [1-9]' <<<"$metrics" &&
  grep -Eq '^mirrorvault_store_read_bytes_sum\{store="file"\} [1-9]' <<<"$metrics" &&
  grep -q '^mirrorvault_store_read_failures_total{store="file"} 0' <<<"$metrics" &&
  pass "/metrics: store reads timed and sized by store kind" || fail "metrics: $(grep store_read <<<"$metrics")"
# Prometheus's own checker (Debian's prometheus package): the exposition format and its lints.
if lint=$(promtool check metrics <<<"$metrics" 2>&1); then
  pass "/metrics passes promtool check metrics"
else
  fail "promtool check metrics: $lint"
fi

# ---- the connection bound ----
start_server "$work/serve-bound.out" --store "$store" --catalog "$catalog" --max-connections 2
bounded=$(timeout 10 $py -c '
import socket, sys, time
port = int(sys.argv[1])
held = [socket.create_connection(("127.0.0.1", port)) for _ in range(2)]
time.sleep(0.3)
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
print(s.recv(100).split(b"\r\n")[0].decode())' "$port")
[[ "$bounded" == "HTTP/1.1 503"* ]] && pass "beyond --max-connections: $bounded" || fail "connection bound: $bounded"
kill "$server_pid"; wait "$server_pid" 2>/dev/null

# ---- SIGTERM: in-flight requests finish, then a clean exit ----
start_server "$work/serve-term.out" --store "$store" --catalog "$catalog"
curl -s --limit-rate 1000k "http://127.0.0.1:$port/archive/files/now/big/file.bin" -o "$work/during-term.bin" &
curl_pid=$!
sleep 1
kill -TERM "$server_pid"
sleep 0.5
[ "$(code --max-time 2 "http://127.0.0.1:$port/healthz")" = 000 ] && pass "after SIGTERM, new connections are refused" ||
  fail "the server still accepts after SIGTERM"
wait "$curl_pid"
cmp -s "$work/during-term.bin" "$work/tree/big/file.bin" && pass "the download in flight at SIGTERM completed, byte-identical" ||
  fail "the download in flight was cut ($(stat -c %s "$work/during-term.bin") bytes)"
wait "$server_pid"
rc=$?
[ $rc = 0 ] && pass "the server exited 0 after SIGTERM" || fail "exit status after SIGTERM: $rc"

# ---- --blob-redirect on S3 ----
export AWS_ACCESS_KEY_ID=$MV_TEST_S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$MV_TEST_S3_SECRET_KEY
export AWS_REGION=${MV_TEST_S3_REGION:-us-east-1}
s3store="s3://$MV_TEST_S3_BUCKET/$name?endpoint=$MV_TEST_S3_ENDPOINT"
s3cat="sqlite://$work/s3catalog.db"
"$mv" mirror debian --upstream "$MV_TEST_HTTP_URL/$name" --suites bookworm --archs amd64 \
  --keyring "$keydir/keyring.gpg" --no-progress --store "$s3store" --catalog "$s3cat" >"$work/s3mirror.log" 2>&1 ||
  fail "mirror into S3: $(tail -3 "$work/s3mirror.log")"
"$mv" serve --listen 127.0.0.1:0 --blob-redirect --store file://$work/store --catalog "$catalog" >"$work/refused.out" 2>&1 &&
  fail "--blob-redirect on a local store was accepted" ||
  { grep -q "blob-redirect needs a store that presigns" "$work/refused.out" && pass "--blob-redirect on a local store: refused with a reason" ||
    fail "--blob-redirect refusal: $(cat "$work/refused.out")"; }
start_server "$work/serve-s3.out" --store "$s3store" --catalog "$s3cat" --blob-redirect
s3base=http://127.0.0.1:$port
loc=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$s3base/archive/debian/now/dists/bookworm/Release")
[[ "$loc" == "302 $MV_TEST_S3_ENDPOINT/"*X-Amz-Signature=* ]] && pass "--blob-redirect: 302 to a presigned URL" ||
  fail "--blob-redirect: $loc"
cmp -s <(curl -sL "$s3base/archive/debian/now/dists/bookworm/Release") "$up/dists/bookworm/Release" &&
  pass "following the redirect gives the file" || fail "redirected bytes differ"
apt_setup "$s3base/archive/debian/now/" "$keydir/keyring.gpg"
if apt_run update >"$work/apt3.log" 2>&1 && apt_run download mvtiny >>"$work/apt3.log" 2>&1 &&
  cmp -s "$aptdir/dl/mvtiny_2.0_all.deb" "$(upstream_deb "$up" mvtiny_2.0_all.deb)"; then
  pass "apt-get through --blob-redirect (apt follows the 302 to S3)"
else
  fail "apt through --blob-redirect: $(tail -5 "$work/apt3.log")"
fi
aws --endpoint-url "$MV_TEST_S3_ENDPOINT" s3 rm --recursive --quiet "s3://$MV_TEST_S3_BUCKET/$name" >/dev/null 2>&1

echo
[ $failures = 0 ] && echo "serve_test: all passed" || echo "serve_test: $failures failure(s)"
[ $failures = 0 ]
