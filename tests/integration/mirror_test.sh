#!/usr/bin/env bash
# `mirrorvault mirror` end to end against a real upstream: a repository built by
# tests/fixtures/make-upstream from real .deb files (apt-ftparchive, by-hash, a throwaway key),
# served by nginx (scripts/test-services' http service).
#
#   - mirror, change the upstream (a new version, a removal, a new source version), mirror again:
#     the second run downloads only what is new; each run is byte-identical to what upstream
#     served at the time, and its InRelease still verifies; a no-change mirror costs 3 requests;
#   - the package index: first and last run of each version, files, sources;
#   - refusals, each with no run committed and nothing stored under the bad content's hash: a
#     tampered .deb, a tampered index, an index replaced by an HTML page, a bad signature, a
#     Release listing a file upstream does not have, no keyring;
#   - a partial mirror (--packages): whole indexes, only the selected pool files;
#   - over https: refused without the CA, over HTTP/2 with it (CURL_CA_BUNDLE);
#   - the same mirror into S3 (Ceph RGW) with a PostgreSQL catalog;
#   - through the fault-injecting proxy (resets, delays, 503s, truncated bodies): identical runs.
#
#   mirror_test.sh PATH/TO/mirrorvault   (needs the MV_TEST_HTTP_*, MV_TEST_S3_* and
#                                         MV_TEST_POSTGRES_URL environment)
set -uo pipefail
mv=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
for v in MV_TEST_HTTP_URL MV_TEST_HTTP_ROOT MV_TEST_HTTPS_URL MV_TEST_HTTPS_CA MV_TEST_S3_ENDPOINT MV_TEST_POSTGRES_URL MV_TEST_POSTGRES_ADMIN_URL; do
  [ -n "${!v:-}" ] || { echo "FAIL: $v is not set (start scripts/test-services)"; exit 1; }
done
work=$(mktemp -d)
name=mirror-test-$$-$RANDOM
up=$MV_TEST_HTTP_ROOT/$name
url=$MV_TEST_HTTP_URL/$name
proxy_pid=""
pgdb=""
cleanup() {
  [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null
  [ -n "$pgdb" ] && psql -q "$MV_TEST_POSTGRES_ADMIN_URL" -c "DROP DATABASE IF EXISTS $pgdb" >/dev/null 2>&1
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
sql() { sqlite3 "$work/catalog.db" "$1"; }
runs_of() { sql "SELECT count(*) FROM archive_runs WHERE archive = '$1'"; }
latest_run() { sql "SELECT run_id FROM archive_runs WHERE archive = '$1' ORDER BY run_id DESC LIMIT 1"; }
mirror_args=(--upstream "$url" --suites bookworm --archs amd64 --sources --keyring "$keydir/keyring.gpg" --no-progress)

# make_upstream VERSION: the fixture's state VERSION (1: the small set, tiny mvtiny 1.0, source
# mvsrc 1.0; 2: mvtiny 2.0, libonig5 removed, mvsrc 1.1, new package mvnew 1.0; 3: as 2 with a new
# package mvextra 1.0 and mvsrc 1.2, so that its indexes are new contents).
make_upstream() {
  grep -v '^libonig5$' "$here/tests/fixtures/small-packages.txt" >"$work/packages-2.txt"
  local args=(--arch amd64 --key-dir "$keydir")
  case "$1" in
    1) args+=(--debs-from "$here/tests/fixtures/small-packages.txt" --tiny mvtiny=1.0 --source-pkg mvsrc=1.0) ;;
    2) args+=(--debs-from "$work/packages-2.txt" --tiny mvtiny=2.0 --tiny mvnew=1.0 --source-pkg mvsrc=1.1) ;;
    3) args+=(--debs-from "$work/packages-2.txt" --tiny mvtiny=2.0 --tiny mvnew=1.0 --tiny mvextra=1.0
              --source-pkg mvsrc=1.2) ;;
  esac
  "$here/tests/fixtures/make-upstream" "$up" "${args[@]}" >"$work/make-upstream.log" 2>&1 ||
    { cat "$work/make-upstream.log"; echo "FAIL make-upstream"; exit 1; }
  rm -rf "$work/snapshot-$1"
  cp -a "$up" "$work/snapshot-$1"
}

# current_files SNAPSHOT: the paths on stdin, without by-hash copies of indexes the Release no
# longer lists (upstream keeps them a while; a mirror cannot list them, and apt never asks for them).
current_files() {
  local snap=$1 f dir sums
  while IFS= read -r f; do
    case "$f" in
      */by-hash/SHA256/*)
        dir=${f%/by-hash/SHA256/*}
        sums=$(find "$snap/$dir" -maxdepth 1 -type f -exec sha256sum {} +)
        grep -q "^${f##*/} " <<<"$sums" || continue ;;
    esac
    echo "$f"
  done
}

# same_as_snapshot RUN VERSION: every file upstream served is in the run with the same bytes, and
# the run holds nothing else.
same_as_snapshot() {
  local run=$1 snap=$work/snapshot-$2 n=0 bad=0 f files
  while IFS= read -r f; do
    n=$((n + 1))
    mvc cat "deb@$run" "$f" 2>/dev/null | cmp -s - "$snap/$f" || { bad=$((bad + 1)); echo "  differs: $f"; }
  done < <(cd "$snap" && find . -type f | sed 's|^\./||' | sort | current_files "$snap")
  files=$(sql "SELECT files FROM archive_runs WHERE archive = 'deb' AND run_id = '$run'")
  [ "$bad" -eq 0 ] && [ "$files" -eq "$n" ] && pass "run $run is upstream state $2, byte for byte ($n files)" ||
    fail "run $run vs upstream state $2: $bad of $n files differ, the run has $files files"
}

# ---- first mirror, change, second mirror, no-change mirror ----
make_upstream 1
out=$(mvc mirror deb "${mirror_args[@]}" 2>&1) || fail "first mirror: $out"
echo "     $out"
run1=$(latest_run deb)
same_as_snapshot "$run1" 1
mvc cat "deb@$run1" dists/bookworm/InRelease >"$work/InRelease" &&
  gpgv --keyring "$keydir/keyring.gpg" "$work/InRelease" 2>/dev/null &&
  pass "the run's InRelease still verifies with the upstream key" || fail "InRelease from the run does not verify"
grep -q "by-hash" <<<"$(mvc ls "deb@$run1" dists/bookworm/main/binary-amd64)" &&
  pass "by-hash copies are in the run" || fail "no by-hash in the run"

sleep 1  # a new run id (one-second resolution)
make_upstream 2
# The files upstream state 2 has and state 1 did not: what the second mirror must download.
new_expected=$(comm -13 <(cd "$work/snapshot-1" && find . -type f -exec sha256sum {} + | cut -d' ' -f1 | sort -u) \
                        <(cd "$work/snapshot-2" && find . -type f -exec sha256sum {} + | cut -d' ' -f1 | sort -u) | wc -l)
out=$(mvc mirror deb "${mirror_args[@]}" 2>&1) || fail "second mirror: $out"
echo "     $out"
run2=$(latest_run deb)
same_as_snapshot "$run2" 2
same_as_snapshot "$run1" 1
downloaded=$(sed -n 's/.*downloaded \([0-9]*\) files.*/\1/p' <<<"$out")
new_files=$(sql "SELECT new_files FROM archive_runs WHERE archive = 'deb' AND run_id = '$run2'")
[ "$downloaded" = "$new_expected" ] && [ "$new_files" = "$new_expected" ] &&
  pass "the second mirror downloaded only the $new_expected new contents" ||
  fail "second mirror downloaded $downloaded, recorded $new_files new, expected $new_expected"

sleep 1
out=$(mvc mirror deb "${mirror_args[@]}" 2>&1) || fail "no-change mirror: $out"
grep -q "downloaded 0 files (0 B) in 3 requests" <<<"$out" &&
  pass "a no-change mirror downloads nothing in 3 requests: $out" || fail "no-change mirror: $out"
# Its signed Release files are the second run's: the second run's tree, nothing else read.
run2b=$(latest_run deb)
roots=$(sql "SELECT count(DISTINCT root) FROM archive_runs WHERE archive = 'deb' AND run_id IN ('$run2', '$run2b')")
grep -q "the upstream unchanged since deb@$run2 " <<<"$out" && [ "$run2b" != "$run2" ] && [ "$roots" = 1 ] &&
  [ "$(sql "SELECT json_extract(record, '$.source.details.unchanged_from') FROM archive_runs WHERE archive = 'deb' AND run_id = '$run2b'")" = "$run2" ] &&
  pass "the no-change run is the second run's tree, said in its record" || fail "no-change run $run2b: $roots root(s): $out"
# The same upstream with another selection is not the previous run again.
sel_args=(--upstream "$url" --suites bookworm --archs amd64 --keyring "$keydir/keyring.gpg" --no-progress)
out=$(mvc mirror deb-sel "${sel_args[@]}" --sources 2>&1) && sleep 1 &&
  out2=$(mvc mirror deb-sel "${sel_args[@]}" 2>&1) && sleep 1 &&
  out3=$(mvc mirror deb-sel "${sel_args[@]}" 2>&1) || fail "deb-sel mirrors: $out $out2 $out3"
sel_sources=$(mvc ls "deb-sel@$(latest_run deb-sel)" dists/bookworm/main 2>&1)
! grep -q "unchanged since" <<<"$out2" && grep -q "unchanged since deb-sel@" <<<"$out3" &&
  ! grep -q "source" <<<"$sel_sources" &&
  pass "a changed selection (no --sources) is mirrored anew, then unchanged again" ||
  fail "selection change: $out2 / $out3 / $sel_sources"

# ---- over https: HTTP/2 by ALPN, a private CA named by CURL_CA_BUNDLE ----
# A store of its own, so that every pool file is downloaded (the first store knows them all).
tls_args=(--upstream "$MV_TEST_HTTPS_URL/$name" --suites bookworm --archs amd64
  --keyring "$keydir/keyring.gpg" --no-progress --store "file://$work/store-tls"
  --catalog "sqlite://$work/tls.db")
out=$(env -u CURL_CA_BUNDLE -u SSL_CERT_FILE timeout 120 "$mv" mirror deb-tls "${tls_args[@]}" 2>&1)
rc=$?
tls_runs=$(sqlite3 "$work/tls.db" "SELECT count(*) FROM archive_runs" 2>/dev/null || echo 0)
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && grep -qi "certificate" <<<"$out" && [ "$tls_runs" = 0 ] &&
  pass "an https upstream whose CA is not trusted is refused, naming the certificate" ||
  fail "untrusted https upstream (exit $rc, $tls_runs runs): $out"
log=$MV_TEST_HTTP_LOG_DIR/access.log
l0=$(wc -l <"$log")
out=$(CURL_CA_BUNDLE=$MV_TEST_HTTPS_CA "$mv" mirror deb-tls "${tls_args[@]}" 2>&1) ||
  fail "https mirror with CURL_CA_BUNDLE: $out"
debs=$(sed -n 's/^Filename: \(.*\.deb\)$/\1/p' "$up"/dists/bookworm/main/binary-amd64/Packages | sort -u | wc -l)
h2=$(tail -n +"$((l0 + 1))" "$log" | grep -c "GET /$name/pool/.*\.deb HTTP/2.0\" 200")
[ "$debs" -gt 0 ] && [ "$h2" -ge "$debs" ] &&
  pass "an https upstream is mirrored over HTTP/2 with CURL_CA_BUNDLE: $h2 of $debs .debs as HTTP/2 streams" ||
  fail "https mirror: $h2 HTTP/2 .deb requests of $debs: $out"

# ---- the package index ----
p() { sql "SELECT first_run || ' ' || COALESCE(last_run, 'open') FROM pkg_presence WHERE archive = 'deb' AND name = '$1' AND version = '$2' AND architecture = '$3'"; }
[ "$(p mvtiny 1.0 amd64)" = "$run1 $run1" ] && pass "mvtiny 1.0 present in the first run only" ||
  fail "mvtiny 1.0 presence: $(p mvtiny 1.0 amd64)"
[ "$(p mvtiny 2.0 amd64)" = "$run2 open" ] && pass "mvtiny 2.0 present from the second run on" ||
  fail "mvtiny 2.0 presence: $(p mvtiny 2.0 amd64)"
onig=$(sql "SELECT version FROM pkg_presence WHERE archive = 'deb' AND name = 'libonig5'")
[ "$(p libonig5 "$onig" amd64)" = "$run1 $run1" ] && pass "libonig5 gone after the first run" ||
  fail "libonig5 presence: $(p libonig5 "$onig" amd64)"
[ "$(p mvsrc 1.0 source)" = "$run1 $run1" ] && [ "$(p mvsrc 1.1 source)" = "$run2 open" ] &&
  pass "source versions mvsrc 1.0 then 1.1" || fail "mvsrc presence: $(p mvsrc 1.0 source) / $(p mvsrc 1.1 source)"
[ "$(sql "SELECT count(*) FROM pkg_source_files f JOIN pkg_sources s ON s.id = f.source_id WHERE s.name = 'mvsrc' AND s.version = '1.1'")" -ge 2 ] &&
  pass "a source version lists its files (.dsc and tarball)" || fail "mvsrc 1.1 files"
bin_path=$(sql "SELECT f.path FROM pkg_binary_files f JOIN pkg_binaries b ON b.id = f.binary_id WHERE b.name = 'mvtiny' AND b.version = '2.0'")
[ -n "$bin_path" ] && mvc cat "deb@$run2" "$bin_path" | cmp -s - "$work/snapshot-2/$bin_path" &&
  pass "a binary's file path in the index is its path in the run ($bin_path)" || fail "mvtiny 2.0 file: '$bin_path'"
total=$(sql "SELECT count(*) FROM pkg_presence WHERE archive = 'deb' AND last_run IS NULL")
[ "$total" -ge 35 ] && pass "$total package versions open in the latest run" || fail "open presence rows: $total"
before=$(sql "SELECT archive, suite, component, architecture, name, version, first_run, COALESCE(last_run, '-') FROM pkg_presence ORDER BY 1,2,3,4,5,6,7")
mvc rebuild-catalog --no-progress >/dev/null || fail "rebuild-catalog"
after=$(sql "SELECT archive, suite, component, architecture, name, version, first_run, COALESCE(last_run, '-') FROM pkg_presence ORDER BY 1,2,3,4,5,6,7")
[ -n "$before" ] && [ "$before" = "$after" ] && pass "rebuild-catalog rebuilds the same package index" ||
  fail "package index differs after rebuild-catalog"

# ---- refusals: nothing committed, nothing stored under the bad content ----
# Upstream state 3: new indexes and pool files (contents the store already has are not fetched,
# so a fault in them could not be seen).
make_upstream 3
# refuse WHAT PATTERN -- MIRROR ARGS: the mirror fails with a message matching PATTERN and adds
# no run.
refuse() {
  local what=$1 pattern=$2; shift 3
  local before_runs out rc
  before_runs=$(runs_of deb)
  out=$(mvc mirror deb "$@" 2>&1); rc=$?
  if [ "$rc" -eq 0 ]; then fail "$what: the mirror succeeded: $out"; return; fi
  if ! grep -qE -- "$pattern" <<<"$out"; then fail "$what: message does not match /$pattern/: $out"; return; fi
  [ "$(runs_of deb)" = "$before_runs" ] || { fail "$what: a run was committed"; return; }
  pass "$what refused ($(head -c 220 <<<"$out" | tr '\n' ' '))"
}
# not_stored FILE: no blob holds FILE's content.
not_stored() {
  local h
  h=$(sha256sum "$1" | cut -d' ' -f1)
  [ ! -e "$work/store/blobs/${h:0:2}/${h:2:2}/$h" ] && [ -z "$(sql "SELECT 1 FROM archive_files WHERE hex(sha256) = upper('$h')")" ] &&
    pass "the bad content ${h:0:12}... is not stored" || fail "the bad content $h was stored"
}
flip_byte() { python3 - "$1" <<'EOF'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[len(b) // 2] ^= 0x01
open(p, "wb").write(bytes(b))
EOF
}
restore() { rm -rf "$up" && cp -a "$work/snapshot-3" "$up"; }

deb=$(cd "$up" && find pool -name 'mvextra_*.deb' | head -1)  # new content: not in the store yet
flip_byte "$up/$deb"
refuse "a tampered .deb" "$deb: SHA-256 mismatch: the index lists [0-9a-f]{64}, the upstream sent [0-9a-f]{64}" -- "${mirror_args[@]}"
not_stored "$up/$deb"
restore

# A changed index: a package added to Packages.xz (and its by-hash copy) after the Release was signed.
idx=dists/bookworm/main/binary-amd64/Packages.xz
orig_sha=$(sha256sum "$up/$idx" | cut -d' ' -f1)
{ xz -dc "$up/$idx"; printf 'Package: evil\nVersion: 1\nArchitecture: all\nFilename: pool/evil.deb\nSize: 1\nSHA256: %064d\n\n' 0; } | xz -c >"$work/evil.xz"
cp "$work/evil.xz" "$up/$idx"
cp "$work/evil.xz" "$up/dists/bookworm/main/binary-amd64/by-hash/SHA256/$orig_sha"
sleep 1
refuse "a tampered index" "Packages.xz: does not match the Release: it lists $orig_sha \([0-9]+ bytes\), the upstream sent" -- "${mirror_args[@]}"
not_stored "$work/evil.xz"
restore

# An HTML error page where an index should be (a captive portal, a misconfigured mirror).
printf '<!DOCTYPE html><html><body>Sorry, try again later</body></html>\n' >"$work/page.html"
cp "$work/page.html" "$up/$idx"
cp "$work/page.html" "$up/dists/bookworm/main/binary-amd64/by-hash/SHA256/$orig_sha"
refuse "an HTML page instead of an index" 'does not match the Release.*starting "<!DOCTYPE html>' -- "${mirror_args[@]}"
not_stored "$work/page.html"
restore

# A bad signature: the InRelease text changed after signing.
sed -i 's/^Suite: .*/Suite: bookworm-evil/' "$up/dists/bookworm/InRelease"
refuse "a bad signature" "suite bookworm: .*InRelease: signature not accepted: bad signature by key" -- "${mirror_args[@]}"
restore

# A key that is not in the keyring.
GNUPGHOME=$work/otherkey-home
mkdir -m 700 -p "$GNUPGHOME"
gpg --homedir "$GNUPGHOME" --batch --passphrase '' --quick-gen-key "Other <other@example.org>" ed25519 sign never 2>/dev/null
gpg --homedir "$GNUPGHOME" --export >"$work/other.gpg"
refuse "a keyring without the signing key" "signature not accepted: signed by key [0-9A-F]+, which is not in" -- \
  --upstream "$url" --suites bookworm --archs amd64 --sources --keyring "$work/other.gpg" --no-progress

# A Release that lists an index upstream does not serve (no variant of it at all).
rm -f "$up"/dists/bookworm/main/source/Sources* && rm -rf "$up/dists/bookworm/main/source/by-hash"
refuse "a Release listing a missing index" "dists/bookworm/main/source/Sources.* is listed in the Release but the upstream does not serve it" -- "${mirror_args[@]}"
restore

# A replay: upstream serves the first state again, validly signed but older than what run 4's
# parent mirrored.
rm -rf "$up" && cp -a "$work/snapshot-1" "$up"
refuse "an older Release (a replay)" "suite bookworm: the Release is older \(Date: .*\) than the one run [0-9TZ]+ mirrored" -- "${mirror_args[@]}"
restore

refuse "no keyring" "no keyring to check the Release signatures with; give --keyring" -- \
  --upstream "$url" --suites bookworm --no-progress
refuse "a suite upstream does not have" "suite nosuch.*neither .*dists/nosuch/InRelease" -- \
  --upstream "$url" --suites nosuch --keyring "$keydir/keyring.gpg" --no-progress
refuse "a component the suite does not have" "the suite has no component 'contrib' \(it has: main\)" -- \
  "${mirror_args[@]}" --components contrib

sleep 1
out=$(mvc mirror deb "${mirror_args[@]}" 2>&1) || fail "mirror after refusals: $out"
run4=$(latest_run deb)
same_as_snapshot "$run4" 3

# ---- a partial mirror, set up in the configuration ----
cat >"$work/mirrorvault.toml" <<EOF
[[archive]]
name = "part"
upstream = "$url"
suites = ["bookworm"]
archs = ["amd64"]
sources = true
keyring = "$keydir/keyring.gpg"
packages = ["mvtiny", "mvsrc"]
EOF
out=$(mvc mirror part --config "$work/mirrorvault.toml" --no-progress 2>&1) || fail "partial mirror: $out"
prun=$(latest_run part)
ls_pool=$(mvc ls -l "part@$prun" pool/main/m 2>&1)
grep -q "mvtiny" <<<"$ls_pool" && grep -q "mvsrc" <<<"$ls_pool" && ! grep -q "mvnew" <<<"$ls_pool" &&
  pass "a partial mirror holds only the selected packages' pool files" || fail "partial pool: $ls_pool"
mvc cat "part@$prun" "$idx" | cmp -s - "$work/snapshot-3/$idx" && pass "a partial mirror keeps the indexes whole" ||
  fail "partial mirror's Packages.xz differs"
record=$(cat "$work/store/runs/part/$prun.json")
grep -q '"packages":"mvtiny,mvsrc"' <<<"$record" && grep -q '"selection":"partial"' <<<"$record" &&
  grep -q '"selected_pool_files":"3"' <<<"$record" && pass "the run record says what was selected" ||
  fail "partial record: $record"

out=$(mvc mirror filtered "${mirror_args[@]}" --filter 'mv(tiny|extra)' 2>&1) || fail "filtered mirror: $out"
fls=$(mvc ls "filtered@now" pool/main/m 2>&1)
grep -q mvtiny <<<"$fls" && grep -q mvextra <<<"$fls" && ! grep -q mvnew <<<"$fls" && ! grep -q mvsrc <<<"$fls" &&
  pass "--filter takes the packages whose whole name matches" || fail "filtered pool: $fls"
refuse "a --filter that is not a regular expression" "--filter '\(' is not a valid \(POSIX extended\) regular expression" -- \
  "${mirror_args[@]}" --filter '('

# ---- --no-verify: taken without a keyring, and the record says so ----
out=$(mvc mirror nv --upstream "$url" --suites bookworm --archs amd64 --no-verify --no-progress 2>&1) ||
  fail "--no-verify mirror: $out"
nvrun=$(latest_run nv)
grep -q '"signed_by/bookworm":"unverified"' "$work/store/runs/nv/$nvrun.json" &&
  pass "--no-verify mirrors and records the run as unverified" || fail "--no-verify record: $(cat "$work/store/runs/nv/$nvrun.json")"
bad_config=$work/bad.toml
printf '[[archive]]\nname = "x"\nsuits = ["bookworm"]\n' >"$bad_config"
bad=$(mvc mirror x --config "$bad_config" 2>&1); rc=$?
[ "$rc" -eq 2 ] && grep -q 'unknown key "suits" (did you mean "suites"?)' <<<"$bad" && grep -q "bad.toml:3" <<<"$bad" &&
  pass "a misspelt [[archive]] key is named with its line ($bad)" || fail "bad config: rc $rc: $bad"

# ---- S3 store, PostgreSQL catalog ----
export AWS_ACCESS_KEY_ID=$MV_TEST_S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$MV_TEST_S3_SECRET_KEY
export AWS_REGION=${MV_TEST_S3_REGION:-us-east-1}
s3store="s3://$MV_TEST_S3_BUCKET/$name?endpoint=$MV_TEST_S3_ENDPOINT"
# A database of its own: a catalog belongs to one store.
pgdb=mv_mirror_test_$$_$RANDOM
psql -q "$MV_TEST_POSTGRES_ADMIN_URL" -c "CREATE DATABASE $pgdb OWNER mirrorvault" >/dev/null ||
  fail "create database $pgdb"
pgurl=${MV_TEST_POSTGRES_URL%/*}/$pgdb
s3m() { "$mv" "$@" --store "$s3store" --catalog "$pgurl"; }
out=$(s3m mirror "$name" "${mirror_args[@]}" 2>&1) || fail "mirror into S3: $out"
s3run=$(s3m runs "$name" | awk 'NR == 2 { print $1 }')
s3root=$(s3m cat "$name@$s3run" "$idx" | sha256sum | cut -d' ' -f1)
[ "$s3root" = "$(sha256sum "$work/snapshot-3/$idx" | cut -d' ' -f1)" ] && grep -q "package index: 1 run(s) indexed" <<<"$out" &&
  pass "mirror into S3 with a PostgreSQL catalog: $out" || fail "S3 mirror: $out"
s3m fsck --deep --no-progress >/dev/null 2>&1 && pass "fsck --deep of the S3 mirror" || fail "fsck of the S3 mirror"

# ---- through the fault-injecting proxy ----
ref_root=$(sql "SELECT hex(root) FROM archive_runs WHERE archive = 'deb' AND run_id = '$run4'")
. "$here/tests/support/fault_proxy.sh"
start_fault_proxy "${MV_TEST_HTTP_URL#http://}" "$work" || fail "the fault proxy"
proxy_pid=$FP_PID
pport=$FP_PORT
cport=$FP_CONTROL
n=0
for mode in '{"mode": "reset_after_bytes", "bytes": 3000, "count": 6, "per": "request"}' \
            '{"mode": "http_503", "count": 5}' \
            '{"mode": "truncate_response", "bytes": 2000, "count": 6}' \
            '{"mode": "refuse", "count": 4}' \
            '{"mode": "delay", "ms": 300, "count": 20}'; do
  n=$((n + 1))
  curl -sf -X POST -d "$mode" "http://127.0.0.1:$cport/mode" >/dev/null || fail "proxy control"
  mkdir -p "$work/faults-$n"  # a catalog is made only in a folder that exists
  fs="file://$work/faults-$n/store"; fc="sqlite://$work/faults-$n/catalog.db"
  out=$("$mv" mirror deb --upstream "http://127.0.0.1:$pport/$name" --suites bookworm --archs amd64 --sources \
        --keyring "$keydir/keyring.gpg" --no-progress --store "$fs" --catalog "$fc" 2>&1)
  rc=$?
  stats=$(curl -sf "http://127.0.0.1:$cport/stats")
  root=$(sqlite3 "$work/faults-$n/catalog.db" "SELECT hex(root) FROM archive_runs" 2>/dev/null)
  injected=$(python3 -c 'import json, sys; print(sum(json.load(sys.stdin)["faults"].values()))' <<<"$stats")
  if [ "$rc" -eq 0 ] && [ "$root" = "$ref_root" ] && [ "${injected:-0}" -gt 0 ]; then
    pass "through the proxy with $mode: $injected faults, the same tree ($(grep -o '[0-9]* retries' <<<"$out"))"
  else
    fail "through the proxy with $mode: rc $rc, root $root, want $ref_root: $out; proxy: $stats"
  fi
  curl -sf -X POST "http://127.0.0.1:$cport/reset" >/dev/null
done

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
