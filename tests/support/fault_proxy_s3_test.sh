#!/usr/bin/env bash
# Integration test: the fault proxy between the aws CLI and the real S3 server that
# scripts/test-services started (MV_TEST_S3_* in the environment). Checks that the proxy frames
# real S3 traffic (multipart upload, Expect: 100-continue, keep-alive) and that each fault reaches
# the client as intended: the aws CLI retries 503 SlowDown, truncated bodies and resets, and the
# bytes it ends with are the bytes it stored.
#   CTest: fault_proxy_s3, label integration. Fails (never skips) without the environment.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
for v in MV_TEST_S3_ENDPOINT MV_TEST_S3_REGION MV_TEST_S3_ACCESS_KEY MV_TEST_S3_SECRET_KEY \
  MV_TEST_S3_BUCKET; do
  if [ -z "${!v:-}" ]; then
    echo "FAIL: $v is not set: run under scripts/run-tests, or source the env file that" \
      "scripts/test-services start writes" >&2
    exit 1
  fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/fault-proxy-s3.XXXXXX")
prefix="fault-proxy-s3-$$-$RANDOM"
proxy_pid=""
failures=0

cleanup() {
  local i
  s3 s3 rm --recursive --only-show-errors "s3://$MV_TEST_S3_BUCKET/$prefix/" >/dev/null 2>&1 || true
  if [ -n "$proxy_pid" ]; then
    kill "$proxy_pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do kill -0 "$proxy_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$proxy_pid" 2>/dev/null || true
    wait "$proxy_pid" 2>/dev/null || true
  fi
  if [ "$failures" -ne 0 ] && [ -f "$work/proxy.log" ]; then
    echo "---- proxy log (tail)"; tail -n 30 "$work/proxy.log"
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ok() { echo "ok    $*"; }
bad() { echo "FAIL  $*"; failures=$((failures + 1)); }
check() {
  local what=$1
  shift
  if "$@"; then ok "$what"; else bad "$what"; fi
}

# aws ENDPOINT ARGS...: Debian's aws CLI, isolated from the caller's AWS configuration (awscli 2.9
# ignores AWS_ENDPOINT_URL, hence --endpoint-url).
aws_at() {
  local ep=$1
  shift
  env -u AWS_CA_BUNDLE -u AWS_PROFILE -u AWS_DEFAULT_PROFILE -u AWS_SESSION_TOKEN \
    AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true \
    AWS_PAGER= AWS_ACCESS_KEY_ID="$MV_TEST_S3_ACCESS_KEY" \
    AWS_SECRET_ACCESS_KEY="$MV_TEST_S3_SECRET_KEY" AWS_DEFAULT_REGION="$MV_TEST_S3_REGION" \
    AWS_RETRY_MODE=standard AWS_MAX_ATTEMPTS=5 \
    timeout 120 /usr/bin/aws --endpoint-url "$ep" --cli-read-timeout 20 "$@"
}
s3() { aws_at "$MV_TEST_S3_ENDPOINT" "$@"; }           # straight to the server
px() { aws_at "http://127.0.0.1:$port" "$@"; }          # through the proxy

PY=$(python3 -c 'import sys; print(sys.executable)')
"$PY" "$here/fault_proxy.py" --verbose --upstream "${MV_TEST_S3_ENDPOINT#http://}" \
  --port-file "$work/port" --control-port-file "$work/control" >"$work/proxy.log" 2>&1 &
proxy_pid=$!
for ((i = 0; i < 100; i++)); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || { echo "proxy did not start"; cat "$work/proxy.log"; exit 1; }
port=$(cat "$work/port")
C=http://127.0.0.1:$(cat "$work/control")
mode() { curl -sS -f -o /dev/null --max-time 10 -X POST --data "$1" "$C/mode"; }
fault_count() {
  curl -sS -f --max-time 10 "$C/stats" |
    "$PY" -c "import json,sys; print(json.load(sys.stdin)['faults']['$1'])"
}

B=s3://$MV_TEST_S3_BUCKET/$prefix
head -c 12000000 /dev/urandom >"$work/big"   # above the CLI's 8 MB multipart threshold
printf 'hello through the proxy\n' >"$work/small"

# pass: multipart upload through the proxy, read back directly from the server
px s3 cp --only-show-errors "$work/big" "$B/big"
s3 s3 cp --only-show-errors "$B/big" "$work/big.direct"
check "pass: 12 MB multipart upload through the proxy is stored intact" \
  cmp -s "$work/big" "$work/big.direct"

# http_503: PutObject (Expect: 100-continue) answered SlowDown twice, then retried through
mode '{"mode":"http_503","count":2}'
px s3api put-object --bucket "$MV_TEST_S3_BUCKET" --key "$prefix/small" --body "$work/small" \
  >/dev/null && rc=0 || rc=$?
check "http_503: the aws CLI retries SlowDown and succeeds (rc $rc)" test "$rc" = 0
check "http_503: two 503s were injected" test "$(fault_count http_503)" = 2
s3 s3 cp --only-show-errors "$B/small" "$work/small.direct"
check "http_503: the object is stored once, intact" cmp -s "$work/small" "$work/small.direct"

# truncate_response: the first GET body is cut; s3transfer notices the short read and retries
mode '{"mode":"truncate_response","bytes":100000,"count":1}'
px s3 cp --only-show-errors "$B/big" "$work/big.trunc" && rc=0 || rc=$?
check "truncate_response: download succeeds after a retry (rc $rc)" test "$rc" = 0
check "truncate_response: one body was cut" test "$(fault_count truncate_response)" = 1
check "truncate_response: the bytes downloaded are the object's" cmp -s "$work/big" "$work/big.trunc"

# reset_after_bytes per=request: a reset in the middle of a GET body on a kept-alive connection
mode '{"mode":"reset_after_bytes","bytes":300000,"count":1,"per":"request"}'
px s3 cp --only-show-errors "$B/big" "$work/big.reset" && rc=0 || rc=$?
check "reset_after_bytes: download succeeds after a retry (rc $rc)" test "$rc" = 0
check "reset_after_bytes: one connection was reset" test "$(fault_count reset_after_bytes)" = 1
check "reset_after_bytes: the bytes downloaded are the object's" cmp -s "$work/big" "$work/big.reset"

# refuse: the first connections are reset at once; the CLI reconnects
mode '{"mode":"refuse","count":1}'
px s3api head-object --bucket "$MV_TEST_S3_BUCKET" --key "$prefix/small" >/dev/null && rc=0 || rc=$?
check "refuse: head-object succeeds after a reconnect (rc $rc)" test "$rc" = 0
check "refuse: one connection was refused" test "$(fault_count refuse)" = 1

mode '{"mode":"pass"}'
check "proxy logged no unexpected error" bash -c "! grep -q unexpected '$work/proxy.log'"

if [ "$failures" -ne 0 ]; then
  echo "fault_proxy against S3: $failures check(s) failed"
  exit 1
fi
echo "fault_proxy against S3: all checks passed"
