#!/usr/bin/env bash
# `mirrorvault publish` against a real S3 server (Ceph RGW), read by real clients.
#
#   - publish a run of a fixture repository (real .debs, some with '+' in their names) to a bucket
#     with --public-read; apt-get (isolated) reads it anonymously: update and download succeed,
#     the .debs are byte-identical; `aws s3 ls --recursive` lists exactly the run's files and the
#     manifest, and the manifest matches the bucket; a no-change publish writes nothing;
#   - consistency under change: a loop of apt-get update + download runs while the next run
#     (changed packages and indexes) is published; zero hash-sum mismatches and zero missing
#     files, and the loop sees the new run at the end;
#   - SIGKILL at random moments of a publish, each followed by a check of what apt sees (the
#     InRelease present names only files that are there, with their sizes); re-run: the end state
#     is right; the grace, then --cleanup: the bucket holds exactly the new run;
#   - --allow-cidr 127.0.0.1/32: the policy is printed; a client on 127.0.0.1 reads, one on
#     127.0.0.2 is refused;
#   - bad input: a missing run, an unreachable target, a bucket that refuses writes: clear errors,
#     and the target keeps its previous state;
#   - a target named in the configuration ([[target]]);
#   - a folder target served by nginx: the same order and apt reads it;
#   - a run whose store is on the same S3 server: every file is copied by the server (CopyObject),
#     byte-identical, with its content type and SHA-256 metadata; progress lines per stage.
#
#   publish_test.sh PATH/TO/mirrorvault   (needs the MV_TEST_S3_* and MV_TEST_HTTP_* environment)
set -uo pipefail
mv=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
for v in MV_TEST_S3_ENDPOINT MV_TEST_HTTP_URL MV_TEST_HTTP_ROOT; do
  [ -n "${!v:-}" ] || { echo "FAIL: $v is not set (start scripts/test-services)"; exit 1; }
done
work=$(mktemp -d)
bucket=mvpub-$$-$RANDOM
folder=$MV_TEST_HTTP_ROOT/$bucket
export AWS_ACCESS_KEY_ID=$MV_TEST_S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$MV_TEST_S3_SECRET_KEY
export AWS_REGION=${MV_TEST_S3_REGION:-us-east-1}
awscli() { /usr/bin/aws --endpoint-url "$MV_TEST_S3_ENDPOINT" "$@"; }
loop_pid=""
cleanup() {
  [ -n "$loop_pid" ] && kill "$loop_pid" 2>/dev/null
  awscli s3 rb --force "s3://$bucket" >/dev/null 2>&1
  awscli s3 rb --force "s3://$bucket-deny" >/dev/null 2>&1
  awscli s3 rb --force "s3://$bucket-store" >/dev/null 2>&1
  rm -rf "$work" "$folder"
}
trap cleanup EXIT
failures=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
py=/usr/bin/python3
keydir=$work/key
up=$work/upstream
mvc() { "$mv" "$@" --store "file://$work/store" --catalog "sqlite://$work/catalog.db"; }
make_state() {  # make_state ARGS...: the upstream in a new state, imported as a new run
  "$here/tests/fixtures/make-upstream" "$up" --arch amd64 --key-dir "$keydir" "$@" >"$work/make.log" 2>&1 ||
    { cat "$work/make.log"; echo "FAIL make-upstream"; exit 1; }
  sleep 1  # run ids are seconds
  mvc import debian "$up" --no-progress >/dev/null || { echo "FAIL import"; exit 1; }
  mvc runs debian | awk 'NR > 1 {print $1}' | tail -n 1
}
grep -v '^libonig5$' "$here/tests/fixtures/small-packages.txt" >"$work/packages-2.txt"
run1=$(make_state --debs-from "$here/tests/fixtures/small-packages.txt" --tiny mvtiny=1.0)
cp -a "$up" "$work/upstream-1"
run2=$(make_state --debs-from "$work/packages-2.txt" --tiny mvtiny=2.0 --tiny mvnew=1.0)
cp -a "$up" "$work/upstream-2"
awscli s3 mb "s3://$bucket" >/dev/null || { echo "FAIL make bucket"; exit 1; }
target="s3://$bucket/debian?endpoint=$MV_TEST_S3_ENDPOINT"
public=$MV_TEST_S3_ENDPOINT/$bucket/debian
. "$here/tests/support/apt_helpers.sh"
aptdir=$work/apt

# run_files RUN: the paths of a run (symlinks expanded), sorted.
run_files() { (cd "$1" && find . -type f -o -type l | sed 's|^\./||' | sort); }

# ---- first publish, read anonymously by apt ----
out=$(mvc publish "debian@$run1" --to "$target" --public-read 2>&1) &&
  grep -q '"Principal":"\*"' <<<"$out" && pass "publish run 1 with --public-read: $(tail -1 <<<"$out" | cut -d: -f3-)" ||
  fail "first publish: $out"
apt_setup "$public/" "$keydir/keyring.gpg"
if apt_run update >"$work/apt.log" 2>&1 && apt_run download mvtiny bc dc hello >>"$work/apt.log" 2>&1; then
  ok=1
  for f in "$aptdir"/dl/*.deb; do
    cmp -s "$f" "$(find "$work/upstream-1/pool" -name "$(basename "$f")")" || ok=0
  done
  [ $ok = 1 ] && [ "$(ls "$aptdir"/dl/*.deb | wc -l)" = 4 ] &&
    pass "apt-get update + download from the bucket, anonymously, '+' in names included: byte-identical" ||
    fail "apt downloads differ: $(ls "$aptdir/dl")"
else
  fail "apt against the bucket: $(tail -5 "$work/apt.log")"
fi
awscli s3 ls --recursive "s3://$bucket/debian/" | awk '{print $4}' | sed "s|^debian/||" | sort >"$work/listed"
(run_files "$work/upstream-1"; echo .mirrorvault/publish-state.json) | sort >"$work/expected"
diff -q "$work/listed" "$work/expected" >/dev/null && pass "aws s3 ls --recursive: exactly the run's $(wc -l <"$work/expected") files and the manifest" ||
  fail "bucket listing differs: $(diff "$work/listed" "$work/expected" | head -5)"
awscli s3 cp "s3://$bucket/debian/.mirrorvault/publish-state.json" "$work/manifest.json" >/dev/null
$py - "$work/manifest.json" "$work/listed" "$run1" <<'PYEOF' && pass "the manifest names run 1, its tree and as many files as the bucket holds" || fail "manifest vs bucket: $(head -c 300 "$work/manifest.json")"
import json, re, sys
m = json.load(open(sys.argv[1]))
listed = set(open(sys.argv[2]).read().split()) - {".mirrorvault/publish-state.json"}
sys.exit(0 if m["format"] == 2 and m["run"] == sys.argv[3] and re.fullmatch("[0-9a-f]{64}", m["root"])
         and m["file_count"] == len(listed) and "files" not in m and not m["retired"] else 1)
PYEOF
out=$(mvc publish "debian@$run1" --to "$target" 2>&1)
grep -q "wrote 0 of" <<<"$out" && pass "a no-change publish writes nothing: $(cut -d: -f3- <<<"$out")" || fail "no-change publish: $out"

# ---- consistency under change ----
(
  n=0
  while :; do
    n=$((n + 1))
    d=$work/loop/$n
    mkdir -p "$d"
    aptdir=$d/apt
    apt_setup "$public/" "$keydir/keyring.gpg"
    if ! apt_run update >"$d/log" 2>&1 || grep -qiE "^(E|W): " "$d/log" || ! apt_run download mvtiny bc hello >>"$d/log" 2>&1; then
      echo "round $n: $(grep -iE "^(E|W): |mismatch" "$d/log" | head -2 | tr '\n' ' ')" >>"$work/loop-failures"
    fi
    ls "$aptdir"/dl >>"$d/seen"
    grep -q mvtiny_2.0 "$d/seen" && [ -f "$work/published-2" ] && { echo "$n" >"$work/loop-done"; exit 0; }
    rm -rf "$aptdir/lists" "$aptdir/cache"
  done
) &
loop_pid=$!
sleep 2
out=$(mvc publish "debian@$run2" --to "$target" --grace 1h --concurrency 2 2>&1) && touch "$work/published-2" || fail "publish run 2: $out"
for _ in $(seq 120); do [ -f "$work/loop-done" ] && break; sleep 0.5; done
kill "$loop_pid" 2>/dev/null
loop_pid=""
rounds=$(ls "$work/loop" | wc -l)
if [ -f "$work/loop-done" ] && [ ! -s "$work/loop-failures" ]; then
  pass "apt-get update + download in a loop while run 2 was published: $rounds rounds, 0 hash-sum mismatches, 0 missing files; the loop ends on mvtiny 2.0"
else
  fail "consistency loop ($rounds rounds): $(head -3 "$work/loop-failures" 2>/dev/null) done=$(cat "$work/loop-done" 2>/dev/null)"
fi
grep -q "retired until" <<<"$out" && awscli s3api head-object --bucket "$bucket" --key debian/pool/main/libo/libonig/$(basename "$(find "$work/upstream-1/pool" -name 'libonig5_*')") >/dev/null 2>&1 &&
  pass "a file run 2 no longer names stays for the grace (libonig5)" || fail "the retired file is gone before the grace"

# ---- SIGKILL at random moments; what apt sees is complete at every one ----
kill_target="s3://$bucket/killed?endpoint=$MV_TEST_S3_ENDPOINT"
mvc publish "debian@$run1" --to "$kill_target" --public-read >/dev/null 2>&1 || fail "publish run 1 to killed/"
views_ok=0 kills=0
for i in $(seq 8); do
  for r in "$run2" "$run1"; do
    mvc publish "debian@$r" --to "$kill_target" --concurrency 1 >/dev/null 2>&1 &
    p=$!
    sleep "0.$((RANDOM % 3))$((RANDOM % 10))"
    kill -9 "$p" 2>/dev/null && kills=$((kills + 1))
    wait "$p" 2>/dev/null
    view=$($py "$here/tests/support/apt_view_check.py" "$MV_TEST_S3_ENDPOINT/$bucket/killed" 2>&1)
    [[ "$view" == ok* ]] && views_ok=$((views_ok + 1)) || fail "after a kill, apt would see: $view"
  done
done
out=$(mvc publish "debian@$run2" --to "$kill_target" 2>&1) || fail "the publish after the kills: $out"
view=$($py "$here/tests/support/apt_view_check.py" "$MV_TEST_S3_ENDPOINT/$bucket/killed" --hashes 2>&1)
[ $views_ok = 16 ] && [[ "$view" == ok* ]] &&
  awscli s3 cp "s3://$bucket/killed/dists/bookworm/InRelease" - 2>/dev/null | cmp -s - "$work/upstream-2/dists/bookworm/InRelease" &&
  pass "16 publishes, $kills killed with SIGKILL at random moments: after each, apt's view was complete; then run 2 in full (${view#ok })" ||
  fail "kills: views ok $views_ok/16, final: $view"
out=$(mvc publish --cleanup --grace 0s --to "$kill_target" 2>&1) || fail "cleanup: $out"
awscli s3 ls --recursive "s3://$bucket/killed/" | awk '{print $4}' | sed "s|^killed/||" | sort >"$work/listed"
(run_files "$work/upstream-2"; echo .mirrorvault/publish-state.json) | sort >"$work/expected"
diff -q "$work/listed" "$work/expected" >/dev/null && pass "--cleanup after the grace: the bucket holds exactly run 2 and the manifest ($out)" ||
  fail "after cleanup: $(diff "$work/listed" "$work/expected" | head -5)"

# ---- --allow-cidr ----
out=$(mvc publish "debian@$run2" --to "$target" --allow-cidr 127.0.0.1/32 2>&1)
grep -q '"aws:SourceIp":\[*"127.0.0.1/32"' <<<"$out" && pass "--allow-cidr: the policy applied is printed, read back" || fail "allow-cidr: $out"
a=$(curl -s --interface 127.0.0.1 -o /dev/null -w '%{http_code}' "$public/dists/bookworm/InRelease")
b=$(curl -s --interface 127.0.0.2 -o /dev/null -w '%{http_code}' "$public/dists/bookworm/InRelease")
[ "$a" = 200 ] && [ "$b" = 403 ] && pass "a client on 127.0.0.1 reads ($a), one on 127.0.0.2 is refused ($b)" ||
  fail "allow-cidr reads: 127.0.0.1 $a, 127.0.0.2 $b"

# ---- a target named in the configuration ----
cat >"$work/mirrorvault.toml" <<EOF
[[target]]
name = "rgw-named"
bucket = "$bucket"
prefix = "named"
endpoint = "$MV_TEST_S3_ENDPOINT"
public_read = true
EOF
out=$(mvc publish "debian@$run2" --to rgw-named --config "$work/mirrorvault.toml" 2>&1) &&
  awscli s3 cp "s3://$bucket/named/dists/bookworm/InRelease" - 2>/dev/null | cmp -s - "$work/upstream-2/dists/bookworm/InRelease" &&
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$MV_TEST_S3_ENDPOINT/$bucket/named/dists/bookworm/InRelease")" = 200 ] &&
  pass "--to a [[target]] of the configuration (bucket, prefix, endpoint, public_read)" || fail "named target: $out"

# ---- bad input ----
out=$(mvc publish "debian@19990101" --to "$target" 2>&1)
[ $? != 0 ] && grep -q "no run at or before" <<<"$out" && pass "a missing run: $(head -1 <<<"$out")" || fail "missing run: $out"
out=$(mvc publish "debian@$run1" --to "s3://$bucket/x?endpoint=http://127.0.0.1:9" 2>&1)
[ $? != 0 ] && pass "an unreachable target: $(head -1 <<<"$out" | cut -c1-150)" || fail "unreachable target: $out"
awscli s3 mb "s3://$bucket-deny" >/dev/null
deny_target="s3://$bucket-deny/debian?endpoint=$MV_TEST_S3_ENDPOINT"
mvc publish "debian@$run1" --to "$deny_target" >/dev/null 2>&1
awscli s3api put-bucket-policy --bucket "$bucket-deny" --policy "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":[\"s3:PutObject\",\"s3:DeleteObject\"],\"Resource\":[\"arn:aws:s3:::$bucket-deny/*\"]}]}"
out=$(mvc publish "debian@$run2" --to "$deny_target" 2>&1)
rc=$?
inrel=$(awscli s3 cp "s3://$bucket-deny/debian/dists/bookworm/InRelease" - 2>/dev/null | cmp -s - "$work/upstream-1/dists/bookworm/InRelease" && echo run1)
[ $rc != 0 ] && [ "$inrel" = run1 ] && pass "a bucket that refuses writes: $(head -1 <<<"$out" | cut -c1-120); run 1 still served" ||
  fail "refused writes: rc=$rc inrelease=$inrel: $out"

# ---- a folder target, read through nginx ----
out=$(mvc publish "debian@$run2" --to "$folder" 2>&1) || fail "publish to a folder: $out"
apt_setup "$MV_TEST_HTTP_URL/$bucket/" "$keydir/keyring.gpg"
apt_run update >"$work/apt-folder.log" 2>&1 && apt_run download mvnew >>"$work/apt-folder.log" 2>&1 &&
  [ -f "$aptdir/dl/mvnew_1.0_all.deb" ] && pass "a folder target served by nginx: apt reads run 2" ||
  fail "folder target: $(tail -3 "$work/apt-folder.log")"

# ---- the run's store on the same S3 server: copied by the server ----
awscli s3 mb "s3://$bucket-store" >/dev/null
mvs() { "$mv" "$@" --store "s3://$bucket-store/mv?endpoint=$MV_TEST_S3_ENDPOINT" --catalog "sqlite://$work/catalog-s3.db"; }
mvs import debian "$work/upstream-2" --no-progress >/dev/null || fail "import into the S3 store"
out=$(mvs publish debian --to "s3://$bucket/copied?endpoint=$MV_TEST_S3_ENDPOINT" --progress-interval 100ms 2>&1)
wrote=$(grep -o 'wrote [0-9]* of' <<<"$out" | awk '{print $2}')
copied=$(sed -n 's/.*(\([0-9]*\) copied by the S3 server).*/\1/p' <<<"$out")
[ -n "$wrote" ] && [ "$wrote" -gt 0 ] && [ "$copied" = "$wrote" ] &&
  pass "same S3 server: all $wrote files copied by the server" || fail "server-side copy: $out"
grep -q 'stage 1 (content): [0-9]* files' <<<"$out" && grep -q 'stage 3 (Release files): 3 files' <<<"$out" &&
  pass "a line as each stage starts" || fail "stage progress lines: $out"
ok=1
for f in dists/bookworm/InRelease pool/main/b/bc/$(basename "$(ls "$work/upstream-2/pool/main/b/bc/"*.deb | head -1)"); do
  awscli s3 cp "s3://$bucket/copied/$f" - 2>/dev/null | cmp -s - "$work/upstream-2/$f" || ok=0
done
deb=$(cd "$work/upstream-2" && ls pool/main/b/bc/*.deb | head -1)
head_json=$(awscli s3api head-object --bucket "$bucket" --key "copied/$deb")
$py - "$head_json" "$(sha256sum "$work/upstream-2/$deb" | cut -d' ' -f1)" <<'PYEOF' || ok=0
import json, sys
h = json.loads(sys.argv[1])
sys.exit(0 if h["ContentType"] == "application/vnd.debian.binary-package" and h["Metadata"].get("mv-sha256") == sys.argv[2] else 1)
PYEOF
[ $ok = 1 ] && pass "server copies: byte-identical, with content type and mv-sha256 metadata" ||
  fail "server copies differ: $head_json"

echo
[ $failures = 0 ] && echo "publish_test: all passed" || echo "publish_test: $failures failure(s)"
[ $failures = 0 ]
