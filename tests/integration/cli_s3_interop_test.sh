#!/usr/bin/env bash
# `mirrorvault store` against Ceph RGW, checked with peer clients: what mirrorvault writes the aws
# CLI reads byte-identical and the reverse (small trees with awkward names, a multipart object),
# presigned URLs fetched with curl, and clear errors for wrong credentials and bad input.
#   cli_s3_interop_test.sh PATH/TO/mirrorvault        (needs the MV_TEST_S3_* environment)
set -uo pipefail
mv=$1
for v in MV_TEST_S3_ENDPOINT MV_TEST_S3_ACCESS_KEY MV_TEST_S3_SECRET_KEY MV_TEST_S3_BUCKET; do
  [ -n "${!v:-}" ] || { echo "FAIL: $v is not set (run through scripts/run-tests)"; exit 1; }
done
ep=$MV_TEST_S3_ENDPOINT
bucket=$MV_TEST_S3_BUCKET
export AWS_ACCESS_KEY_ID=$MV_TEST_S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$MV_TEST_S3_SECRET_KEY
export AWS_REGION=${MV_TEST_S3_REGION:-us-east-1} AWS_DEFAULT_REGION=${MV_TEST_S3_REGION:-us-east-1}
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_CA_BUNDLE
aws() { /usr/bin/aws --endpoint-url "$ep" "$@"; }
mvs() { "$mv" --endpoint-url "$ep" store "$@"; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run="cli-$$-$RANDOM"
failures=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
# expect_error WHAT EXIT_CODE PATTERN -- COMMAND...: the command fails with that code and a
# message matching PATTERN, and never prints the secret key.
expect_error() {
  local what=$1 code=$2 pattern=$3; shift 4
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" -ne "$code" ]; then fail "$what: exit $rc, want $code: $out"; return; fi
  if ! grep -qE -- "$pattern" <<<"$out"; then fail "$what: message does not match /$pattern/: $out"; return; fi
  if grep -qF -- "$MV_TEST_S3_SECRET_KEY" <<<"$out"; then fail "$what: the secret key was printed"; return; fi
  if grep -qE -- "(NotFound|AlreadyExists|PreconditionFailed|InvalidArgument|PermissionDenied|Unavailable|Corruption|Internal):" <<<"$out"; then
    fail "$what: the message starts with a code name instead of words: $out"; return
  fi
  pass "$what ($(head -c 150 <<<"$out" | tr '\n' ' '))"
}

# A tree with names that need escaping in URLs, SigV4 and XML.
src=$work/src
mkdir -p "$src/pool/main/h/hello" "$src/with space/and+plus" "$src/ünï cödé" "$src/odd%chars=&~"
for i in $(seq 1 40); do head -c $((i * 997)) /dev/urandom > "$src/pool/main/h/hello/file-$i.deb"; done
echo "space" > "$src/with space/and+plus/a b+c.txt"
echo "unicode" > "$src/ünï cödé/Ω.txt"
echo "odd" > "$src/odd%chars=&~/x&y=z%41.txt"
: > "$src/empty-file"
nfiles=$(find "$src" -type f | wc -l)

# 1. mirrorvault writes, aws reads.
check "mirrorvault cp --recursive uploads $nfiles files" mvs cp --recursive --no-progress "$src" "s3://$bucket/$run/mv/"
aws s3 cp --recursive --quiet "s3://$bucket/$run/mv/" "$work/by-aws" || fail "aws download"
check "aws reads back what mirrorvault wrote, byte-identical" diff -r "$src" "$work/by-aws"

# 2. aws writes, mirrorvault reads.
aws s3 cp --recursive --quiet "$src" "s3://$bucket/$run/aws/" || fail "aws upload"
check "mirrorvault cp --recursive downloads" mvs cp --recursive --no-progress "s3://$bucket/$run/aws/" "$work/by-mv"
check "mirrorvault reads back what aws wrote, byte-identical" diff -r "$src" "$work/by-mv"
listed=$(mvs ls --recursive "s3://$bucket/$run/aws/" 2>/dev/null | wc -l)
check "mirrorvault ls --recursive lists $nfiles objects (got $listed)" test "$listed" -eq "$nfiles"
check "mirrorvault cat of a key with spaces and '+'" \
  test "$(mvs cat "s3://$bucket/$run/aws/with space/and+plus/a b+c.txt")" = "space"
check "mirrorvault ls shows common prefixes" bash -c "\"$mv\" --endpoint-url $ep store ls s3://$bucket/$run/aws/ | grep -q 'PRE .*with space/'"

# 3. A large object goes multipart both ways.
head -c $((40 * 1024 * 1024 + 12345)) /dev/urandom > "$work/big.bin"
check "mirrorvault uploads 40 MiB in parts" mvs cp --no-progress --multipart-threshold 8MiB --part-size 5MiB "$work/big.bin" "s3://$bucket/$run/big.bin"
etag=$(aws s3api head-object --bucket "$bucket" --key "$run/big.bin" --query ETag --output text)
check "the object is multipart (ETag $etag ends in -9)" bash -c "[[ '$etag' == *-9* ]]"
aws s3 cp --quiet "s3://$bucket/$run/big.bin" "$work/big.aws" || fail "aws download big"
check "aws reads the multipart object byte-identical" cmp -s "$work/big.bin" "$work/big.aws"
aws s3 cp --quiet "$work/big.bin" "s3://$bucket/$run/big-by-aws.bin" || fail "aws upload big"
check "mirrorvault downloads aws's multipart object in parallel ranges" \
  mvs cp --no-progress --multipart-threshold 8MiB "s3://$bucket/$run/big-by-aws.bin" "$work/big.mv"
check "... byte-identical" cmp -s "$work/big.bin" "$work/big.mv"
check "server-side copy of the large object" mvs cp --no-progress "s3://$bucket/$run/big.bin" "s3://$bucket/$run/big-copy.bin"
check "... reads back identical" bash -c "\"$mv\" --endpoint-url $ep store cat s3://$bucket/$run/big-copy.bin | cmp -s - '$work/big.bin'"
check "cat --range returns the bytes asked for" \
  bash -c "\"$mv\" --endpoint-url $ep store cat --range 1000-1999 s3://$bucket/$run/big.bin | cmp -s - <(tail -c +1001 '$work/big.bin' | head -c 1000)"

# 4. Presigned URLs: curl can fetch; a tampered or expired one is refused.
url=$(mvs presign --expires 10m "s3://$bucket/$run/mv/with space/and+plus/a b+c.txt")
check "curl fetches a presigned URL" test "$(curl -sf "$url")" = "space"
check "a tampered presigned URL is refused (403)" \
  test "$(curl -s -o /dev/null -w '%{http_code}' "${url/X-Amz-Signature=/X-Amz-Signature=0}")" = 403
short=$(mvs presign --expires 1s "s3://$bucket/$run/mv/empty-file")
sleep 2
check "an expired presigned URL is refused (403)" test "$(curl -s -o /dev/null -w '%{http_code}' "$short")" = 403
check "stat names the multipart ETag" bash -c "\"$mv\" --endpoint-url $ep store stat s3://$bucket/$run/big.bin | grep -q 'etag: *[0-9a-f]*-9'"

# 5. Clear errors.
expect_error "wrong secret key: PermissionDenied" 1 "permission denied.*SignatureDoesNotMatch.*AWS_SECRET_ACCESS_KEY" -- \
  env AWS_SECRET_ACCESS_KEY=wrong-secret "$mv" --endpoint-url "$ep" store ls "s3://$bucket/$run/"
expect_error "unknown access key: PermissionDenied" 1 "permission denied.*InvalidAccessKeyId" -- \
  env AWS_ACCESS_KEY_ID=NOSUCHKEY "$mv" --endpoint-url "$ep" store cat "s3://$bucket/$run/big.bin"
expect_error "missing bucket: NotFound naming the bucket" 1 "not found.*no-such-bucket-$$.*does not exist" -- \
  mvs ls "s3://no-such-bucket-$$/"
expect_error "missing key: NotFound naming the key" 1 "not found.*$run/nothing-here" -- \
  mvs stat "s3://$bucket/$run/nothing-here"
printf 'store = "memory://"\n[s3]\nmax_attempts = 2\n' > "$work/fast.toml"
expect_error "unreachable endpoint: Unavailable after retries" 1 "unavailable.*2 attempts.*127.0.0.1:1" -- \
  "$mv" --config "$work/fast.toml" store ls "s3://$bucket/?endpoint=http://127.0.0.1:1"
expect_error "endpoint that is not http(s)" 2 "http:// or https://" -- \
  mvs ls "s3://$bucket/?endpoint=ftp://127.0.0.1:21"
expect_error "s3 URL without a bucket" 2 "no bucket" -- mvs ls "s3:///prefix"
expect_error "unknown URL parameter" 2 "unknown parameter \"regoin\"" -- mvs ls "s3://$bucket/?regoin=x"
expect_error "bad addressing style" 2 "addressing" -- mvs ls "s3://$bucket/?addressing=sideways"
expect_error "unknown scheme" 2 "not a store URL" -- mvs ls "gs://bucket/x"
expect_error "invalid key" 2 "invalid object key" -- mvs cat "s3://$bucket/a//b"
expect_error "cp of a directory without --recursive" 2 "use --recursive" -- mvs cp "$src" "s3://$bucket/$run/x"
expect_error "missing local source" 1 "not found.*no-such-file" -- mvs cp "$work/no-such-file" "s3://$bucket/$run/x"

# 6. Removal.
check "rm --recursive removes the tree" mvs rm --recursive "s3://$bucket/$run/"
left=$(aws s3 ls --recursive "s3://$bucket/$run/" | wc -l)
check "nothing is left under the prefix (found $left)" test "$left" -eq 0

if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all checks passed"
