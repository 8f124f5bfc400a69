#!/usr/bin/env bash
# The region cache's origin URLs (`/redirect/v1/<region>/url?u=...`) on `mirrorvault serve`,
# against real servers: the origin is nginx (files with ETag and length), reached directly and
# through tests/support/fault_proxy.py (which delays requests or answers redirects); the region is
# a folder that nginx serves; two serve processes share the copy state in one SQLite catalog.
#
#   - 20 concurrent first requests for a 20 MB origin object over both processes: one GET of it
#     at the origin (nginx's access log), all 302 to the regional copy, whose bytes match; the
#     copy keeps the origin's ETag; the same URL spelt otherwise is a hit;
#   - the origin changes (new bytes, new ETag): after `revalidate` the copy is made again;
#   - SSRF: a URL outside the allow list, 127.0.0.1, plain HTTP under an https:// entry,
#     credentials, a host that is loopback or the metadata service in disguise (2130706433,
#     2852039166), a redirect from an allowed origin to the metadata service or to a host not
#     allowed: all 403, nothing copied; a redirect to an allowed URL is followed;
#   - the origin down (connection refused) or slow (held past the wait bound): 302 to the origin;
#   - an operator's purge of a URL copy (admin token).
#
#   region_url_test.sh PATH/TO/mirrorvault   (needs the MV_TEST_HTTP_* environment)
set -uo pipefail
mv=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
for v in MV_TEST_HTTP_URL MV_TEST_HTTP_ROOT MV_TEST_HTTP_LOG_DIR; do
  [ -n "${!v:-}" ] || { echo "FAIL: $v is not set (start scripts/test-services)"; exit 1; }
done
work=$(mktemp -d)
origin=rcu-origin-$$-$RANDOM
region=rcu-region-$$-$RANDOM
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$work" "${MV_TEST_HTTP_ROOT:?}/$origin" "${MV_TEST_HTTP_ROOT:?}/$region"
}
trap cleanup EXIT
failures=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
urlencode() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
origin_gets() { grep -c "\"GET /$origin/$1 " "$MV_TEST_HTTP_LOG_DIR/access.log"; }

# ---- the origin (nginx, and the fault proxy in front of it) and the region ----
mkdir -p "$MV_TEST_HTTP_ROOT/$origin" "$MV_TEST_HTTP_ROOT/$region"
chmod o+rx "$MV_TEST_HTTP_ROOT/$origin" "$MV_TEST_HTTP_ROOT/$region"
head -c 20000000 /dev/urandom >"$MV_TEST_HTTP_ROOT/$origin/big.bin"
echo "version one" >"$MV_TEST_HTTP_ROOT/$origin/v.txt"
chmod o+r "$MV_TEST_HTTP_ROOT/$origin"/*
nginx_hostport=${MV_TEST_HTTP_URL#http://}
nginx_port=${nginx_hostport##*:}
. "$here/tests/support/fault_proxy.sh"
start_fault_proxy "$nginx_hostport" "$work" || exit 1
pids+=("$FP_PID")
pport=$FP_PORT
proxy() { fault_proxy "$@"; }
closed_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

direct=http://127.0.0.1:$nginx_port/$origin
proxied=http://127.0.0.1:$pport/$origin
cat >"$work/mv.toml" <<EOF2
[regioncache]
default_region = "folder"
wait = "4s"
revalidate = "1s"
allow = [
  "$direct/",
  "$proxied/",
  "https://127.0.0.1:$nginx_port/tls/",
  "http://2130706433:$nginx_port/",
  "http://2852039166/",
  "http://127.0.0.1:$closed_port/",
]

[[region]]
name = "folder"
store = "file://$MV_TEST_HTTP_ROOT/$region"
redirect = "public"
public_base = "$MV_TEST_HTTP_URL/$region/"
EOF2
# serve needs an archive: a one-file one.
mkdir -p "$work/tree"
echo x >"$work/tree/x"
store="file://$work/store"
catalog="sqlite://$work/catalog.db"
"$mv" import demo "$work/tree" --store "$store" --catalog "$catalog" --no-progress >/dev/null || { echo "FAIL import"; exit 1; }
. "$here/tests/support/serve_helpers.sh"
token=adm-$RANDOM-$RANDOM
serve() {  # serve NAME: sets PORT_<NAME>
  MIRRORVAULT_ADMIN_TOKEN=$token mv_start_serve "$mv" "$work/$1.out" --config "$work/mv.toml" \
    --store "$store" --catalog "$catalog" || exit 1
  pids+=("$SERVE_PID")
  printf -v "PORT_$1" '%s' "$SERVE_PORT"
}
serve a
serve b
base_a=http://127.0.0.1:$PORT_a
base_b=http://127.0.0.1:$PORT_b
# ask BASE URL [CURL ARGS...]: "code cache location" of /redirect/v1/folder/url?u=URL
ask() {
  local base=$1 u=$2
  shift 2
  curl -s --max-time 20 -o "$work/body" -w '%{http_code} %header{x-mirrorvault-cache} %{redirect_url}' "$@" \
    "$base/redirect/v1/folder/url?u=$(urlencode "$u")"
}

# ---- 20 concurrent first requests over two processes: one GET at the origin ----
proxy POST /mode '{"mode": "delay", "ms": 1500, "count": 1}' >/dev/null  # the first GET waits
for i in $(seq 1 20); do
  b=$([ $((i % 2)) = 0 ] && echo "$base_a" || echo "$base_b")
  curl -s --max-time 30 -o /dev/null -w '%{http_code} %{redirect_url}\n' \
    "$b/redirect/v1/folder/url?u=$(urlencode "$proxied/big.bin")" >"$work/r$i.txt" &
done
wait_for_curls() { for p in $(jobs -p); do case " ${pids[*]} " in *" $p "*) ;; *) wait "$p" ;; esac; done; }
wait_for_curls
cat "$work"/r*.txt >"$work/all.txt"
regional=$(grep -c "^302 $MV_TEST_HTTP_URL/$region/url/[0-9a-f]\{64\}$" "$work/all.txt")
gets=$(origin_gets big.bin)
[ "$regional" = 20 ] && pass "20 concurrent first requests over 2 processes: all 302 to the regional copy" ||
  fail "20 requests: $regional to the region: $(sort "$work/all.txt" | uniq -c | head -5)"
[ "$gets" = 1 ] && pass "exactly one copy: the origin saw one GET of big.bin" ||
  fail "the origin saw $gets GETs of big.bin (one copy is one GET)"
copy_url=$(head -1 "$work/r1.txt" | cut -d' ' -f2)
curl -sf -o "$work/got.bin" "$copy_url" && cmp -s "$work/got.bin" "$MV_TEST_HTTP_ROOT/$origin/big.bin" &&
  pass "the regional copy holds the origin's 20 MB" || fail "the regional copy's bytes differ"
etag=$(curl -sI "$proxied/big.bin" | sed -n 's/^[Ee][Tt]ag: *//p' | tr -d '\r')
info=$(curl -s "$base_a/redirect/v1/folder/url?u=$(urlencode "$proxied/./big.bin")" -o /dev/null -w '%{http_code} %header{x-mirrorvault-cache} %{redirect_url}')
[ "$info" = "302 hit $copy_url" ] && pass "the same URL spelt with ./: a hit on the same copy" || fail "another spelling: $info"
[ -n "$etag" ] && [ "$(origin_gets big.bin)" = 1 ] && pass "no second GET at the origin (its ETag $etag)" ||
  fail "ETag '$etag', GETs $(origin_gets big.bin)"

# ---- the origin changes: after `revalidate` the copy is made again ----
out=$(ask "$base_a" "$direct/v.txt")
first=$(echo "$out" | cut -d' ' -f3)
sleep 1.2
echo "version two, longer" >"$MV_TEST_HTTP_ROOT/$origin/v.txt"
out2=$(ask "$base_a" "$direct/v.txt")
got=$(curl -s "$(echo "$out2" | cut -d' ' -f3)")
[ "${out%% *}" = 302 ] && [ "$(echo "$out2" | cut -d' ' -f2)" = miss ] && [ "$got" = "version two, longer" ] &&
  pass "the origin changed (ETag, length): the copy was made again with the new bytes" ||
  fail "after the origin changed: $out -> $out2, copy holds '$got' (first $first)"

# ---- SSRF: refused, nothing fetched or copied ----
copies_before=$(find "$MV_TEST_HTTP_ROOT/$region" -type f | wc -l)
refused() {  # refused WHAT URL EXPECTED-REASON
  local out code
  out=$(ask "$base_a" "$2")
  code=${out%% *}
  if [ "$code" = 403 ] && grep -q -- "$3" "$work/body"; then
    pass "refused (403): $1"
  else
    fail "$1: $out $(head -c 300 "$work/body")"
  fi
}
refused "a URL outside the allow list" "https://evil.example/x" "not under any allowed prefix"
refused "127.0.0.1, not in the allow list" "http://127.0.0.1:$nginx_port/other/x" "not under any allowed prefix"
refused "plain HTTP where the entry is https://" "http://127.0.0.1:$nginx_port/tls/x" "plain HTTP is refused"
refused "credentials in the URL" "http://user:pw@127.0.0.1:$nginx_port/$origin/v.txt" "credentials"
refused "2130706433 (127.0.0.1 in disguise): a loopback address no entry names" \
  "http://2130706433:$nginx_port/$origin/v.txt" "a loopback address"
refused "2852039166 (the metadata service, 169.254.169.254)" "http://2852039166/latest/meta-data/" "link-local"
proxy POST /mode '{"mode": "http_status", "status": 302, "location": "http://169.254.169.254/latest/meta-data/", "count": 1}' >/dev/null
refused "an allowed origin redirecting to the metadata service" "$proxied/redirect-1" "redirects to a URL that is refused"
proxy POST /mode "{\"mode\": \"http_status\", \"status\": 301, \"location\": \"http://127.0.0.2:$nginx_port/$origin/v.txt\", \"count\": 1}" >/dev/null
refused "an allowed origin redirecting to a host not allowed" "$proxied/redirect-2" "redirects to a URL that is refused"
[ "$(find "$MV_TEST_HTTP_ROOT/$region" -type f | wc -l)" = "$copies_before" ] &&
  pass "nothing refused was copied" || fail "the region has new files after the refusals"
proxy POST /mode "{\"mode\": \"http_status\", \"status\": 307, \"location\": \"$direct/v.txt\", \"count\": 1}" >/dev/null
out=$(ask "$base_a" "$proxied/redirect-3")
got=$(curl -s "$(echo "$out" | cut -d' ' -f3)")
[ "${out%% *}" = 302 ] && [ "$got" = "version two, longer" ] &&
  pass "a redirect to an allowed URL is followed: the copy holds its bytes" || fail "allowed redirect: $out '$got'"
codes="$(curl -s -o /dev/null -w '%{http_code}' "$base_a/redirect/v1/folder/url") $(ask "$base_a" "not a url" | cut -d' ' -f1)"
[ "$codes" = "400 400" ] && pass "no u=, or u= not a URL: 400" || fail "bad u: $codes"

# ---- the origin down, or slow: 302 to the origin ----
out=$(ask "$base_a" "http://127.0.0.1:$closed_port/file.bin")
[ "$out" = "302 fallback http://127.0.0.1:$closed_port/file.bin" ] &&
  pass "the origin down (connection refused): 302 to the origin at once" || fail "origin down: $out"
proxy POST /mode '{"mode": "delay", "ms": 8000, "count": 1}' >/dev/null
t0=$(date +%s.%N)
out=$(ask "$base_b" "$proxied/v.txt")
took=$(echo "$(date +%s.%N) - $t0" | bc)
[ "$out" = "302 fallback $proxied/v.txt" ] && [ "$(echo "$took < 5.5" | bc)" = 1 ] &&
  pass "the origin slow: 302 to the origin after the 4 s bound ($took s)" || fail "origin slow: $out after $took s"

# ---- purge ----
code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$base_a/redirect/v1/folder/url?u=$(urlencode "$direct/v.txt")")
code2=$(curl -s -o "$work/purge.json" -w '%{http_code}' -X DELETE -H "Authorization: Bearer $token" \
  "$base_a/redirect/v1/folder/url?u=$(urlencode "$direct/v.txt")")
vkey=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("purged",""))' "$work/purge.json" 2>/dev/null)
[ "$code" = 401 ] && [ "$code2" = 200 ] && [ -n "$vkey" ] && [ ! -e "$MV_TEST_HTTP_ROOT/$region/$vkey" ] &&
  pass "purge: without the token 401; with it 200 and the copy ($vkey) is gone" ||
  fail "purge: $code $code2 $(cat "$work/purge.json")"

echo
[ $failures = 0 ] && echo "region_url_test: all passed" || echo "region_url_test: $failures failure(s)"
[ $failures = 0 ]
