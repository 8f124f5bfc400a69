#!/usr/bin/env bash
# The region cache on `mirrorvault serve`, against real servers: three regions, a bucket on
# Ceph RGW reached through tests/support/fault_proxy.py (which counts its requests, and can
# delay them), a second bucket on RGW directly, and a folder served by nginx; two serve
# processes (and a third whose archive is on RGW) sharing the copy state, in one
# SQLite catalog (mode sqlite) or in Redis (mode redis, database 9 of the test server).
#
#   - 50 concurrent first requests for one 50 MB file, split across both processes: exactly one
#     copy made (one request reached the region's S3 endpoint), all 50 answered 302 to the
#     regional copy (a presigned URL), whose bytes match; the next request is a hit;
#   - the folder region: a public redirect that nginx serves, the same bytes;
#   - /redirect/v1/auto/: X-Forwarded-For believed from 127.0.0.1 (a trusted proxy) and ignored
#     from 127.0.0.2;
#   - the budget: filling the folder region past it deletes the least recently used copy;
#   - a slow region: the request falls back to this server's own URL within the wait bound, and
#     the copy finishes for the next request;
#   - refusals: an unknown region, an unknown hash, a directory;
#   - the region metrics;
#   - a region on the S3 service that also holds the archive: the copy is made by the server
#     (CopyObject: server_copies in the metrics), with the same bytes;
#   - (redis) the state lost (FLUSHDB) and a serve process restarted: the state is rebuilt from
#     the regions' stores, the next request is a hit without a new PUT, and the budget counts
#     the copies made before the loss.
#
#   region_cache_test.sh PATH/TO/mirrorvault sqlite|redis
#   (needs the MV_TEST_S3_* and MV_TEST_HTTP_* environment, and MV_TEST_REDIS_URL for redis)
set -uo pipefail
mv=$1 mode=${2:-}
here=$(cd "$(dirname "$0")/../.." && pwd)
need=(MV_TEST_S3_ENDPOINT MV_TEST_HTTP_URL MV_TEST_HTTP_ROOT)
case $mode in
  sqlite) ;;
  redis) need+=(MV_TEST_REDIS_URL) ;;
  *) echo "usage: $0 PATH/TO/mirrorvault sqlite|redis"; exit 2 ;;
esac
for v in "${need[@]}"; do
  [ -n "${!v:-}" ] || { echo "FAIL: $v is not set (start scripts/test-services)"; exit 1; }
done
work=$(mktemp -d)
bucket=mvrc-$$-$RANDOM
bucket2=mvrc2-$$-$RANDOM
folder=rc-$$-$RANDOM
export AWS_ACCESS_KEY_ID=$MV_TEST_S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$MV_TEST_S3_SECRET_KEY
export AWS_REGION=${MV_TEST_S3_REGION:-us-east-1}
awscli() { /usr/bin/aws --endpoint-url "$MV_TEST_S3_ENDPOINT" "$@"; }
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  awscli s3 rb --force "s3://$bucket" >/dev/null 2>&1
  awscli s3 rb --force "s3://$bucket2" >/dev/null 2>&1
  rm -rf "$work" "${MV_TEST_HTTP_ROOT:?}/$folder"
}
trap cleanup EXIT
failures=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

# ---- the archive: a 50 MB file and three 1 MB ones ----
mkdir -p "$work/tree/big" "$work/tree/small" "$work/tree/dir"
head -c 50000000 /dev/urandom >"$work/tree/big/large.bin"
for i in 1 2 3; do head -c 1000000 /dev/urandom >"$work/tree/small/f$i.bin"; done
echo x >"$work/tree/dir/x"
store="file://$work/store"
catalog="sqlite://$work/catalog.db"
"$mv" import demo "$work/tree" --store "$store" --catalog "$catalog" --no-progress >/dev/null || { echo "FAIL import"; exit 1; }
big_sha=$(sha256sum "$work/tree/big/large.bin" | cut -d' ' -f1)

# ---- the regions ----
awscli s3 mb "s3://$bucket" >/dev/null || { echo "FAIL make bucket"; exit 1; }
awscli s3 mb "s3://$bucket2" >/dev/null || { echo "FAIL make bucket"; exit 1; }
. "$here/tests/support/fault_proxy.sh"
start_fault_proxy "${MV_TEST_S3_ENDPOINT#http://}" "$work" || exit 1
pids+=("$FP_PID")
pport=$FP_PORT
proxy() { fault_proxy "$@"; }
proxy_requests() { proxy GET /stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])'; }
state_line=""
if [ "$mode" = redis ]; then
  # A database of this test's own: FLUSHDB below loses this state, not another test's.
  state_url=${MV_TEST_REDIS_URL%/*}/9
  rcli() { redis-cli -u "$state_url" --no-auth-warning "$@"; }
  [ "$(rcli FLUSHDB)" = OK ] || { echo "FAIL redis at ${state_url#*@}: FLUSHDB"; exit 1; }
  state_line="state = \"$state_url\""
fi
mkdir -p "$MV_TEST_HTTP_ROOT/$folder"
chmod o+rx "$MV_TEST_HTTP_ROOT/$folder"
cat >"$work/mv.toml" <<EOF2
[server]
trusted_proxies = ["127.0.0.1/32"]

[regioncache]
$state_line
default_region = "folder"
wait = "60s"

[[region]]
name = "s3"
store = "s3://$bucket/cache?endpoint=http://127.0.0.1:$pport"
cidrs = ["10.0.0.0/8"]
redirect = "presigned"

[[region]]
name = "s3b"
store = "s3://$bucket2/cache?endpoint=$MV_TEST_S3_ENDPOINT"
redirect = "presigned"

[[region]]
name = "folder"
store = "file://$MV_TEST_HTTP_ROOT/$folder"
redirect = "public"
public_base = "$MV_TEST_HTTP_URL/$folder/"
budget = "2500000"
hold = "1s"
EOF2
. "$here/tests/support/serve_helpers.sh"
serve() {  # serve NAME [STORE CATALOG]: a `mirrorvault serve` on the shared configuration; sets PORT_<NAME>
  mv_start_serve "$mv" "$work/$1.out" --config "$work/mv.toml" --store "${2:-$store}" --catalog "${3:-$catalog}" || exit 1
  pids+=("$SERVE_PID")
  printf -v "PORT_$1" '%s' "$SERVE_PORT"
  printf -v "pid_$1" '%s' "$SERVE_PID"
}
serve a
serve b
base_a=http://127.0.0.1:$PORT_a
base_b=http://127.0.0.1:$PORT_b

# ---- 50 concurrent first requests across two processes: one copy ----
# The copy's PUT is held 3 s by the proxy, so that every request arrives while it is made.
proxy POST /mode '{"mode": "delay", "ms": 3000, "count": 1}' >/dev/null
before=$(proxy_requests)
for i in $(seq 1 50); do
  b=$([ $((i % 2)) = 0 ] && echo "$base_a" || echo "$base_b")
  curl -s -o /dev/null -w '%{http_code} %header{x-mirrorvault-cache} %{redirect_url}\n' \
    "$b/redirect/v1/s3/file/$big_sha" >"$work/r$i.txt" &
done
sleep 1
hz=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' "$base_a/healthz")
[ "${hz%% *}" = 200 ] && [ "$(echo "${hz#* } < 0.5" | bc)" = 1 ] &&
  pass "while 25 requests wait on the copy, the server answers others at once (/healthz in ${hz#* } s)" ||
  fail "/healthz during the copy: $hz"
wait_for_curls() { for p in $(jobs -p); do case " ${pids[*]} " in *" $p "*) ;; *) wait "$p" ;; esac; done; }
wait_for_curls
after=$(proxy_requests)
cat "$work"/r*.txt >"$work/all.txt"
n302=$(grep -c "^302 " "$work/all.txt")
regional=$(grep -c "^302 [a-z]* http://127.0.0.1:$pport/$bucket/cache/blobs/" "$work/all.txt")
[ "$n302" = 50 ] && [ "$regional" = 50 ] && pass "50 concurrent first requests over 2 processes: all 302 to the regional copy" ||
  fail "50 requests: $n302 redirects, $regional to the region: $(sort "$work/all.txt" | uniq -c | head -5)"
[ $((after - before)) = 1 ] && pass "exactly one copy: one request reached the region's S3 endpoint" ||
  fail "the region's endpoint saw $((after - before)) requests (one copy is one PUT)"
url=$(head -1 "$work/r1.txt" | cut -d' ' -f3)
curl -sf -o "$work/got.bin" "$url" && cmp -s "$work/got.bin" "$work/tree/big/large.bin" &&
  pass "the presigned regional copy holds the same 50 MB" || fail "the regional copy's bytes differ"
cache=$(curl -s -o /dev/null -w '%header{x-mirrorvault-cache}' "$base_a/redirect/v1/s3/file/$big_sha")
[ "$cache" = hit ] && pass "the next request is a hit" || fail "next request: $cache"

# ---- the folder region: a public redirect nginx serves ----
code=$(curl -s -o "$work/f1.bin" -w '%{http_code} %{num_redirects}' -L "$base_a/redirect/v1/folder/archive/demo/now/small/f1.bin")
[ "$code" = "200 1" ] && cmp -s "$work/f1.bin" "$work/tree/small/f1.bin" &&
  pass "the folder region: 302 to nginx, the same bytes" || fail "folder region: $code"

# ---- auto: X-Forwarded-For only from a trusted proxy ----
r1=$(curl -s -o /dev/null -w '%header{x-mirrorvault-region}' -H 'X-Forwarded-For: 10.1.2.3' "$base_a/redirect/v1/auto/archive/demo/now/small/f1.bin")
r2=$(curl -s -o /dev/null -w '%header{x-mirrorvault-region}' --interface 127.0.0.2 -H 'X-Forwarded-For: 10.1.2.3' "$base_a/redirect/v1/auto/archive/demo/now/small/f1.bin")
[ "$r1" = s3 ] && [ "$r2" = folder ] && pass "auto: X-Forwarded-For from 127.0.0.1 (trusted) chooses s3; from 127.0.0.2 it is ignored" ||
  fail "auto regions: trusted $r1, untrusted $r2"

# ---- the budget: the least recently used copy goes ----
sleep 1.5
curl -s -o /dev/null "$base_a/redirect/v1/folder/archive/demo/now/small/f2.bin"
sleep 1.5
curl -s -o /dev/null "$base_a/redirect/v1/folder/archive/demo/now/small/f3.bin"
f1key=$(sha256sum "$work/tree/small/f1.bin" | cut -d' ' -f1)
f3key=$(sha256sum "$work/tree/small/f3.bin" | cut -d' ' -f1)
count=$(find "$MV_TEST_HTTP_ROOT/$folder" -type f | wc -l)
if [ "$count" = 2 ] && ! find "$MV_TEST_HTTP_ROOT/$folder" -name "$f1key" | grep -q . &&
  find "$MV_TEST_HTTP_ROOT/$folder" -name "$f3key" | grep -q .; then
  pass "over the 2.5 MB budget, the least recently used copy (f1) was deleted"
else
  fail "budget: $count copies: $(find "$MV_TEST_HTTP_ROOT/$folder" -type f | xargs -n1 basename)"
fi

# ---- a slow region: the wait bound sends the client to the origin ----
sed -i 's/^wait = "60s"/wait = "1s"/' "$work/mv.toml"
serve c
base_c=http://127.0.0.1:$PORT_c
proxy POST /mode '{"mode": "delay", "ms": 3000, "count": 1}' >/dev/null
t0=$(date +%s.%N)
out=$(curl -s -o /dev/null -w '%{http_code} %header{x-mirrorvault-cache} %{redirect_url}' "$base_c/redirect/v1/s3/archive/demo/now/small/f2.bin")
t1=$(date +%s.%N)
took=$(echo "$t1 - $t0" | bc)
if [[ "$out" == "302 fallback $base_c/archive/demo/"*"/small/f2.bin" ]] && [ "$(echo "$took < 2.5" | bc)" = 1 ]; then
  pass "a slow region: 302 to the origin after the 1 s bound ($took s)"
else
  fail "slow region: $out after $took s"
fi
sleep 3
cache=$(curl -s -o /dev/null -w '%header{x-mirrorvault-cache}' "$base_c/redirect/v1/s3/archive/demo/now/small/f2.bin")
[ "$cache" = hit ] && pass "the copy went on: the next request is a hit" || fail "after the slow copy: $cache"

# ---- refusals and metrics ----
codes=$(for t in "/redirect/v1/nowhere/file/$big_sha" "/redirect/v1/s3/file/$(printf '%064d' 0)" \
  "/redirect/v1/s3/archive/demo/now/dir/" "/redirect/v1/s3/file/xyz"; do
  curl -s -o /dev/null -w '%{http_code} ' "$base_a$t"; done)
[ "$codes" = "404 404 400 400 " ] && pass "refusals: unknown region 404, unknown hash 404, a directory 400, a bad hash 400" ||
  fail "refusals: $codes"
copies=0 waits=0 misses=0
for b in "$base_a" "$base_b"; do
  curl -s "$b/metrics" >"$work/metrics.txt"
  metric() { sed -n "s/^mirrorvault_regioncache_$1_total{region=\"s3\"} //p" "$work/metrics.txt"; }
  copies=$((copies + $(metric copies))); waits=$((waits + $(metric waits))); misses=$((misses + $(metric misses)))
done
[ "$copies" -ge 1 ] && [ "$waits" -ge 40 ] && [ "$misses" -ge 50 ] &&
  pass "metrics: per region copies, misses and waits (s3: $copies copies, $misses misses, $waits waits in a and b)" ||
  fail "metrics: copies $copies, misses $misses, waits $waits"

# ---- a second bucket, on the S3 service that holds the archive: the S3 server copies ----
s3store="s3://$bucket2/archive?endpoint=$MV_TEST_S3_ENDPOINT"
s3catalog="sqlite://$work/catalog-s3.db"
if "$mv" import demo "$work/tree" --store "$s3store" --catalog "$s3catalog" --no-progress >/dev/null; then
  serve d "$s3store" "$s3catalog"
  base_d=http://127.0.0.1:$PORT_d
  out=$(curl -s -o /dev/null -w '%{http_code} %header{x-mirrorvault-cache} %{redirect_url}' "$base_d/redirect/v1/s3b/file/$big_sha")
  curl -s "$base_d/metrics" >"$work/metrics-d.txt"
  server_copies=$(sed -n 's/^mirrorvault_regioncache_server_copies_total{region="s3b"} //p' "$work/metrics-d.txt")
  [[ "$out" == "302 miss $MV_TEST_S3_ENDPOINT/$bucket2/cache/blobs/"* ]] && [ "$server_copies" = 1 ] &&
    curl -sf -o "$work/got-s3b.bin" "${out##* }" && cmp -s "$work/got-s3b.bin" "$work/tree/big/large.bin" &&
    pass "region s3b (the archive's S3 service): the 50 MB copy made by the S3 server (CopyObject), same bytes" ||
    fail "s3b: $out, server copies '$server_copies'"
else
  fail "import into $s3store"
fi

# ---- (redis) the state lost: rebuilt from the regions' stores ----
if [ "$mode" = redis ]; then
  [ "$(rcli ZCARD mv:rc-lru:folder)" = 2 ] && [ "$(rcli EXISTS mv:rc-built:folder)" = 1 ] ||
    fail "redis before the loss: $(rcli ZCARD mv:rc-lru:folder) folder copies"
  rcli FLUSHDB >/dev/null
  kill "$pid_a" && wait "$pid_a" 2>/dev/null
  serve a
  base_a=http://127.0.0.1:$PORT_a
  s3n=$(rcli ZCARD mv:rc-lru:s3) foldern=$(rcli ZCARD mv:rc-lru:folder)
  # s3: the 50 MB file, f1 (auto) and f2 (the slow region); folder: f2 and f3.
  [ "$s3n" = 3 ] && [ "$foldern" = 2 ] && [ "$(rcli EXISTS mv:rc-built:s3)" = 1 ] &&
    pass "after FLUSHDB, a restarted serve rebuilt the state from the stores (s3: $s3n copies, folder: $foldern)" ||
    fail "rebuilt state: s3 $s3n copies, folder $foldern"
  before=$(proxy_requests)
  cache=$(curl -s -o /dev/null -w '%header{x-mirrorvault-cache}' "$base_a/redirect/v1/s3/file/$big_sha")
  after=$(proxy_requests)
  [ "$cache" = hit ] && [ "$after" = "$before" ] &&
    pass "after the loss, the 50 MB copy is a hit without a request to the region's endpoint" ||
    fail "after the loss: $cache, $((after - before)) requests to the region"
  # f2 and f3 (1 MB each, restored) and now f1 again: over the 2.5 MB budget, f2 (the oldest) goes.
  sleep 1.5
  curl -s -o /dev/null "$base_a/redirect/v1/folder/archive/demo/now/small/f1.bin"
  f2key=$(sha256sum "$work/tree/small/f2.bin" | cut -d' ' -f1)
  count=$(find "$MV_TEST_HTTP_ROOT/$folder" -type f | wc -l)
  if [ "$count" = 2 ] && ! find "$MV_TEST_HTTP_ROOT/$folder" -name "$f2key" | grep -q .; then
    pass "the budget counts the restored copies: f1 made again, f2 (least recently made) deleted"
  else
    fail "budget after the loss: $count copies: $(find "$MV_TEST_HTTP_ROOT/$folder" -type f | xargs -n1 basename)"
  fi
fi

echo
[ $failures = 0 ] && echo "region_cache_test ($mode): all passed" || echo "region_cache_test ($mode): $failures failure(s)"
[ $failures = 0 ]
