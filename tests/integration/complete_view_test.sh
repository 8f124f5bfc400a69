#!/usr/bin/env bash
# The complete apt view (issue 17): `mirrorvault mirror` takes everything the upstream's Release
# lists for the selection, and real clients can use the run.
#
#   - an upstream (tests/fixtures/make-upstream, nginx) with Contents and Contents-udeb, i18n-less
#     dep11 (Components, icons), cnf (Commands), a debian-installer component of real udebs
#     (fetch-debs --udeb) and a source package: every file the Release lists for the selection is
#     in the run, served byte for byte by `serve` and by a published bucket (Ceph RGW), and every
#     pool file the indexes name (udebs included) too; apt-get update (an isolated configuration:
#     its own apt.conf and empty parts, Check-Valid-Until=true, the debian-installer component as
#     a second source) is clean: exit 0, no W:/E: line, no 404 in serve's access log;
#   - `--without dep11,cnf`: those are left out and the run record and the run's page say so; an
#     unknown word is refused (CLI and [[archive]] without = [...]), naming it and the valid ones;
#   - the run's page shows the sources line with check-valid-until=no;
#   - refusals, no run committed: an index the Release lists that upstream lacks (cnf), a
#     tampered udeb;
#   - installer images (--installer-images): installer-amd64/VERSION/images/ as SHA256SUMS lists
#     them, the current symlink kept, served through it; not taken without the option; refusals
#     for a tampered image and a SHA256SUMS that disagrees with the Release;
#   - a flat repository (`deb URI ./`) that signs only Release + Release.gpg, and a dists/
#     repository signed only so: mirrored, apt-get update clean (apt's InRelease probe is the only
#     404 such a repository gives).
#
#   complete_view_test.sh PATH/TO/mirrorvault   (needs the MV_TEST_HTTP_* and MV_TEST_S3_*
#                                                environment of scripts/test-services)
set -uo pipefail
mv=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
for v in MV_TEST_HTTP_URL MV_TEST_HTTP_ROOT MV_TEST_S3_ENDPOINT; do
  [ -n "${!v:-}" ] || { echo "FAIL: $v is not set (start scripts/test-services)"; exit 1; }
done
work=$(mktemp -d)
name=complete-view-$$-$RANDOM
up=$MV_TEST_HTTP_ROOT/$name
url=$MV_TEST_HTTP_URL/$name
flat=$MV_TEST_HTTP_ROOT/$name-flat
ronly=$MV_TEST_HTTP_ROOT/$name-ronly
img=$MV_TEST_HTTP_ROOT/$name-img
bucket=mvview-$$-$RANDOM
export AWS_ACCESS_KEY_ID=$MV_TEST_S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$MV_TEST_S3_SECRET_KEY
export AWS_REGION=${MV_TEST_S3_REGION:-us-east-1}
awscli() { /usr/bin/aws --endpoint-url "$MV_TEST_S3_ENDPOINT" "$@"; }
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  awscli s3 rb --force "s3://$bucket" >/dev/null 2>&1
  rm -rf "$work" "$up" "$flat" "$ronly" "$img"
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
record_of() { sql "SELECT record FROM archive_runs WHERE archive = '$1' AND run_id = '$2'"; }
make() { # OUT ARGS...
  local out=$1
  shift
  "$here/tests/fixtures/make-upstream" "$out" --key-dir "$keydir" "$@" >"$work/make.log" 2>&1 ||
    { cat "$work/make.log"; echo "FAIL make-upstream"; exit 1; }
}
sha() { sha256sum | cut -d' ' -f1; }

# release_list TOP_DIR: "SHA256 PATH" of every file the Release at TOP_DIR lists.
release_list() {
  awk '/^SHA256:/ { s = 1; next } /^[^ ]/ { s = 0 } s && NF == 3 { print $1, $3 }' "$1/Release"
}
# pool_list UPSTREAM: "SHA256 PATH" of every pool file its Packages and Sources name.
pool_list() {
  find "$1/dists" -name Packages -o -name Sources | while read -r f; do
    awk '/^Filename: / { f = $2 } /^SHA256: / && f { print $2, f; f = "" }
         /^Directory: / { d = $2 } /^Checksums-Sha256:/ { c = 1; next } /^[^ ]/ { c = 0 }
         c && NF == 3 { print $1, d "/" $3 }' "$f"
  done | sort -u
}

# ---- the upstream: every kind of index, real udebs ----
make "$up" --arch amd64 --debs-from "$here/tests/fixtures/small-packages.txt" --tiny mvtiny=1.0 \
  --source-pkg mvsrc=1.0 --udebs-from "$here/tests/fixtures/small-udebs.txt" --contents --dep11 --cnf
cp -a "$up" "$work/snapshot"
rel=$up/dists/bookworm
for p in main/dep11/Components-amd64.yml.gz main/dep11/icons-64x64.tar.gz main/cnf/Commands-amd64.xz \
  main/debian-installer/binary-amd64/Packages.xz main/Contents-udeb-amd64.gz main/Contents-amd64.gz; do
  grep -q " $p\$" "$rel/Release" || fail "the fixture's Release does not list $p"
done
[ "$(find "$up/pool" -name '*.udeb' | wc -l)" -ge 4 ] || fail "the fixture has no udebs"

mirror_args=(--upstream "$url" --suites bookworm --archs amd64 --sources --keyring "$keydir/keyring.gpg" --no-progress)
out=$(mvc mirror deb "${mirror_args[@]}" 2>&1) || fail "mirror: $out"
echo "     $out"
run=$(latest_run deb)

# ---- the Release walk: every listed file, and every pool file, in the run ----
n=0 bad=0
while read -r h p; do
  n=$((n + 1))
  [ "$(mvc cat "deb@$run" "dists/bookworm/$p" 2>/dev/null | sha)" = "$h" ] || { bad=$((bad + 1)); echo "  not in the run: $p"; }
done < <(release_list "$rel")
[ "$bad" -eq 0 ] && [ "$n" -ge 15 ] && pass "all $n files the Release lists are in the run, byte for byte" ||
  fail "$bad of $n Release files missing or different in the run"
n=0 bad=0 udebs=0
while read -r h p; do
  n=$((n + 1))
  case "$p" in *.udeb) udebs=$((udebs + 1)) ;; esac
  [ "$(mvc cat "deb@$run" "$p" 2>/dev/null | sha)" = "$h" ] || { bad=$((bad + 1)); echo "  not in the run: $p"; }
done < <(pool_list "$up")
[ "$bad" -eq 0 ] && [ "$udebs" -ge 4 ] && pass "all $n pool files the indexes name ($udebs udebs) are in the run" ||
  fail "$bad of $n pool files missing ($udebs udebs)"

# ---- serve: the same walk over HTTP, apt-get update clean ----
. "$here/tests/support/serve_helpers.sh"
mv_start_serve "$mv" "$work/serve.out" --store "$store" --catalog "$catalog" --access-log "$work/access.log" || exit 1
server_pid=$SERVE_PID
base=http://127.0.0.1:$SERVE_PORT/archive/deb/$run
walk() { # BASE_URL TOP LISTING...: every "SHA256 PATH" of stdin fetched under BASE_URL/TOP
  local b=$1 top=$2 n=0 bad=0 h p
  while read -r h p; do
    n=$((n + 1))
    [ "$(curl -sf "$b/$top$p" | sha)" = "$h" ] || { bad=$((bad + 1)); echo "  differs: $top$p"; }
  done
  echo "$n $bad"
}
read -r n bad < <({ release_list "$rel" | sed 's| | dists/bookworm/|'; pool_list "$up"; } | walk "$base" "")
[ "$bad" = 0 ] && pass "serve answers all $n listed and pool files byte for byte" || fail "serve: $bad of $n files differ"

# apt-get in an isolated configuration: APT_CONFIG names an apt.conf whose parts folder is empty,
# so nothing of the image's configuration applies; Check-Valid-Until on.
aptdir=$work/apt
apt_setup() { # SOURCES_LINE...
  rm -rf "$aptdir"
  mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial" "$aptdir/parts" "$aptdir/dl"
  : >"$aptdir/status"
  printf 'Dir::Etc::Parts "%s";\n' "$aptdir/parts" >"$aptdir/apt.conf"
  printf '%s\n' "$@" >"$aptdir/sources.list"
}
apt_run() {
  (cd "$aptdir/dl" && APT_CONFIG=$aptdir/apt.conf apt-get -q -o Dir::Etc::sourcelist="$aptdir/sources.list" \
    -o Dir::Etc::sourceparts=- -o Dir::Etc::Parts="$aptdir/parts" -o Dir::State="$aptdir" \
    -o Dir::State::Lists="$aptdir/lists" -o Dir::State::status="$aptdir/status" -o Dir::Cache="$aptdir/cache" \
    -o Debug::NoLocking=1 -o APT::Sandbox::User=root -o Acquire::Check-Valid-Until=true \
    -o APT::Architecture=amd64 "$@")
}
# apt_clean WHAT LOG_PATTERN_ALLOWED_404: update exit 0, no W:/E:, no 404 in the access log but
# those the pattern allows.
apt_clean() {
  local what=$1 allowed=${2:-^$} rc
  : >"$work/access.log"
  apt_run update >"$work/apt.log" 2>&1
  rc=$?
  sleep 1.5  # the access log is flushed every second
  local w404
  w404=$(grep '" 404 ' "$work/access.log" | grep -vE "$allowed")
  if [ "$rc" -eq 0 ] && ! grep -qE '^(W|E):' "$work/apt.log" && [ -z "$w404" ]; then
    pass "$what: apt-get update clean ($(grep -c '^Get:' "$work/apt.log") files)"
  else
    fail "$what: apt-get update rc=$rc: $(grep -E '^(W|E):' "$work/apt.log" | head -3) 404s: $(head -3 <<<"$w404")"
  fi
}
apt_setup "deb [signed-by=$keydir/keyring.gpg] $base/ bookworm main main/debian-installer" \
  "deb-src [signed-by=$keydir/keyring.gpg] $base/ bookworm main"
apt_clean "the complete view"
grep -q "debian-installer/binary-amd64/" "$work/access.log" &&
  pass "apt read the debian-installer component from serve" || fail "apt did not ask for the debian-installer Packages"
apt_run download udpkg >>"$work/apt.log" 2>&1 && cmp -s "$aptdir"/dl/udpkg_*.udeb "$(find "$up/pool" -name 'udpkg_*.udeb')" &&
  pass "apt-get download of a udeb from serve: the upstream's bytes" || fail "apt-get download udpkg: $(tail -2 "$work/apt.log")"

# The run's page: the sources line for a past run, and that nothing was left out.
page=$(curl -sf "$base/")
grep -qF "deb [check-valid-until=no] http://127.0.0.1:$SERVE_PORT/archive/deb/$run/ bookworm main" <<<"$page" &&
  grep -q "Complete apt view" <<<"$page" &&
  pass "the run's page shows the sources line with check-valid-until=no" || fail "run page: $(grep -o 'deb .*' <<<"$page" | head -2)"

# ---- a published bucket: the same walk ----
awscli s3 mb "s3://$bucket" >/dev/null || fail "make bucket"
out=$(mvc publish "deb@$run" --to "s3://$bucket/deb?endpoint=$MV_TEST_S3_ENDPOINT" --public-read 2>&1) || fail "publish: $out"
read -r n bad < <({ release_list "$rel" | sed 's| | dists/bookworm/|'; pool_list "$up"; } | walk "$MV_TEST_S3_ENDPOINT/$bucket/deb" "")
[ "$bad" = 0 ] && pass "the published bucket holds all $n listed and pool files byte for byte" ||
  fail "bucket: $bad of $n files differ"

# ---- --without: left out on purpose, and said so ----
sleep 1
out=$(mvc mirror deb "${mirror_args[@]}" --without cnf,dep11 2>&1) || fail "mirror --without: $out"
run_wo=$(latest_run deb)
files=$(mvc ls "deb@$run_wo" dists/bookworm/main 2>&1)
if ! grep -qE 'dep11|cnf' <<<"$files" && grep -q 'debian-installer' <<<"$files" &&
  grep -q '"without":"dep11,cnf"' <<<"$(record_of deb "$run_wo")"; then
  pass "--without cnf,dep11: neither in the run, the record says \"without\":\"dep11,cnf\""
else
  fail "--without: $(record_of deb "$run_wo" | head -c 300) / $(grep -E 'dep11|cnf' <<<"$files" | head -2)"
fi
grep -q "Left out on purpose: dep11,cnf" <<<"$(curl -sf "http://127.0.0.1:$SERVE_PORT/archive/deb/$run_wo/")" &&
  pass "the run's page says what was left out" || fail "the run's page does not say dep11,cnf were left out"
out=$(mvc mirror deb "${mirror_args[@]}" --without cnf,appstream 2>&1) &&
  fail "--without appstream accepted" ||
  { grep -qF "unknown part 'appstream' to leave out (valid: dep11, cnf, installer, i18n, udeb, contents)" <<<"$out" &&
    pass "an unknown --without word is refused, naming it and the valid ones" || fail "--without appstream: $out"; }
cat >"$work/config.toml" <<EOF
[[archive]]
name = "deb"
upstream = "$url"
without = ["dep11", "icons"]
EOF
out=$("$mv" --config "$work/config.toml" mirror deb --store "$store" --catalog "$catalog" --no-progress 2>&1) &&
  fail "without = [\"icons\"] accepted" ||
  { grep -qE "config.toml.*unknown part 'icons'" <<<"$out" &&
    pass "without = [...] with an unknown word is refused naming the file" || fail "config without: $out"; }

# ---- refusals ----
# refuse WHAT PATTERN [STORE_DIR]: a mirror (into STORE_DIR's store and catalog, default the
# test's) fails with a message matching PATTERN and adds no run.
refuse() {
  local what=$1 pattern=$2 d=${3:-$work} before out rc
  mkdir -p "$d"
  before=$(sqlite3 "$d/catalog.db" "SELECT count(*) FROM archive_runs WHERE archive = 'deb'" 2>/dev/null || echo 0)
  sleep 1
  out=$("$mv" mirror deb "${mirror_args[@]}" --store "file://$d/store" --catalog "sqlite://$d/catalog.db" 2>&1); rc=$?
  if [ "$rc" -eq 0 ]; then fail "$what: the mirror succeeded: $out"; return; fi
  if ! grep -qE -- "$pattern" <<<"$out"; then fail "$what: message does not match /$pattern/: $out"; return; fi
  [ "$(sqlite3 "$d/catalog.db" "SELECT count(*) FROM archive_runs WHERE archive = 'deb'" 2>/dev/null || echo 0)" = "$before" ] ||
    { fail "$what: a run was committed"; return; }
  pass "$what refused ($(head -c 200 <<<"$out" | tr '\n' ' '))"
}
restore() { rm -rf "$up" && cp -a "$work/snapshot" "$up"; }
rm -f "$rel/main/cnf/Commands-amd64.xz" "$rel"/main/cnf/by-hash/SHA256/*
# (into a new store: a content the store has already is not fetched again)
refuse "a cnf index the Release lists but upstream lacks" \
  "dists/bookworm/main/cnf/Commands-amd64.xz is listed in the Release but the upstream does not serve it" "$work/fresh-cnf"
restore
# A tampered udeb, mirrored into a new store (one that has the udeb's content would not fetch it).
udeb=$(cd "$up" && find pool -name 'rdate-udeb_*.udeb' | head -1)
python3 - "$up/$udeb" <<'EOF'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[len(b) // 2] ^= 0x01
open(p, "wb").write(bytes(b))
EOF
refuse "a tampered udeb" "$udeb: SHA-256 mismatch: the index lists [0-9a-f]{64}, the upstream sent [0-9a-f]{64}" "$work/fresh"
restore

# ---- a flat repository signed only by Release.gpg, and a dists/ one signed only so ----
make "$flat" --flat --release-only --contents --tiny mvtiny=1.0 --tiny mvflat=2.0
[ ! -e "$flat/InRelease" ] && [ -e "$flat/Release.gpg" ] && [ -e "$flat/Packages.xz" ] && [ ! -d "$flat/dists" ] ||
  fail "the flat fixture's layout"
out=$(mvc mirror flat --upstream "$MV_TEST_HTTP_URL/$name-flat" --suites ./ --keyring "$keydir/keyring.gpg" --no-progress 2>&1) ||
  fail "mirror of the flat repository: $out"
frun=$(latest_run flat)
n=0 bad=0
while read -r h p; do
  n=$((n + 1))
  [ "$(mvc cat "flat@$frun" "$p" 2>/dev/null | sha)" = "$h" ] || { bad=$((bad + 1)); echo "  not in the run: $p"; }
done < <(release_list "$flat"; echo "$(sha <"$flat/Release.gpg") Release.gpg"
         awk '/^Filename: / { f = $2 } /^SHA256: / { print $2, f }' "$flat/Packages")
[ "$bad" = 0 ] && [ "$n" -ge 6 ] && pass "the flat repository is in the run ($n files: indexes, Release.gpg, pool)" ||
  fail "flat run: $bad of $n files missing"
[ -z "$(mvc ls "flat@$frun" "" 2>/dev/null | grep -w dists)" ] || fail "the flat run has a dists/"
apt_setup "deb [signed-by=$keydir/keyring.gpg] http://127.0.0.1:$SERVE_PORT/archive/flat/$frun/ ./"
apt_clean "a flat, Release-only repository" '/\./InRelease HTTP'
apt_run download mvflat >>"$work/apt.log" 2>&1 && cmp -s "$aptdir"/dl/mvflat_2.0_all.deb "$flat"/pool/main/m/mvflat/mvflat_2.0_all.deb &&
  pass "apt-get download from the flat run: the upstream's bytes" || fail "download from the flat run: $(tail -2 "$work/apt.log")"
# The /mr/ API knows a flat run's packages too (the package index reads a Release at the top).
mr=$(curl -s "http://127.0.0.1:$SERVE_PORT/mr/binary/mvflat/")
grep -q '"version":"2.0"' <<<"$mr" && grep -q '"source":"mvflat"' <<<"$mr" &&
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$SERVE_PORT/mr/package/mvflat/2.0/binfiles/mvflat/2.0?fileinfo=1")" = 200 ] &&
  pass "/mr/ follows a flat run's binary to its source's pages" || fail "/mr/ of the flat run: $mr"
grep -qF "deb [check-valid-until=no] http://127.0.0.1:$SERVE_PORT/archive/flat/$frun/ ./" <<<"$(curl -sf "http://127.0.0.1:$SERVE_PORT/archive/flat/$frun/")" &&
  pass "the flat run's page shows its sources line (./)" || fail "the flat run's page lacks its sources line"

make "$ronly" --release-only --tiny mvtiny=3.0 --arch amd64
[ ! -e "$ronly/dists/bookworm/InRelease" ] || fail "the Release-only fixture has an InRelease"
out=$(mvc mirror ronly --upstream "$MV_TEST_HTTP_URL/$name-ronly" --suites bookworm --keyring "$keydir/keyring.gpg" --no-progress 2>&1) ||
  fail "mirror of the Release-only repository: $out"
rrun=$(latest_run ronly)
[ "$(mvc cat "ronly@$rrun" dists/bookworm/Release.gpg 2>/dev/null | sha)" = "$(sha <"$ronly/dists/bookworm/Release.gpg")" ] &&
  pass "the Release-only run keeps Release.gpg" || fail "Release.gpg not in the Release-only run"
apt_setup "deb [signed-by=$keydir/keyring.gpg] http://127.0.0.1:$SERVE_PORT/archive/ronly/$rrun/ bookworm main"
apt_clean "a Release-only repository" '/dists/bookworm/InRelease HTTP'

# ---- installer images ----
make "$img" --arch amd64 --tiny mvtiny=1.0 --installer-images 20230607
grep -q ' main/installer-amd64/current/images/SHA256SUMS$' "$img/dists/bookworm/Release" ||
  fail "the images fixture's Release does not list current/images/SHA256SUMS"
img_args=(--upstream "$MV_TEST_HTTP_URL/$name-img" --suites bookworm --archs amd64 --keyring "$keydir/keyring.gpg" --no-progress)
out=$(mvc mirror img "${img_args[@]}" 2>&1) || fail "mirror of the images upstream: $out"
[ -z "$(mvc ls "img@$(latest_run img)" dists/bookworm/main 2>/dev/null | grep installer-amd64)" ] &&
  pass "without --installer-images the images are not taken" || fail "images taken without --installer-images"
sleep 1
out=$(mvc mirror img "${img_args[@]}" --installer-images 2>&1) || fail "mirror --installer-images: $out"
irun=$(latest_run img)
idir=dists/bookworm/main/installer-amd64
n=0 bad=0
while read -r h p; do
  for v in 20230607 current; do
    n=$((n + 1))
    [ "$(mvc cat "img@$irun" "$idir/$v/images/${p#./}" 2>/dev/null | sha)" = "$h" ] &&
      [ "$(curl -sf "http://127.0.0.1:$SERVE_PORT/archive/img/$irun/$idir/$v/images/${p#./}" | sha)" = "$h" ] ||
      { bad=$((bad + 1)); echo "  missing: $v/images/$p"; }
  done
done <"$img/$idir/20230607/images/SHA256SUMS"
[ "$bad" = 0 ] && [ "$n" = 6 ] && pass "the images SHA256SUMS lists are in the run and served, by version and through current ($n)" ||
  fail "images: $bad of $n missing"
grep -q 'current.*20230607' <<<"$(mvc ls "img@$irun" "$idir" 2>&1)" &&
  pass "installer-amd64/current is kept as the symlink to 20230607" || fail "current is not a symlink: $(mvc ls "img@$irun" "$idir" 2>&1)"
read -r n bad < <(release_list "$img/dists/bookworm" | sed 's| | dists/bookworm/|' | walk "http://127.0.0.1:$SERVE_PORT/archive/img/$irun" "")
[ "$bad" = 0 ] && pass "serve answers all $n files the images upstream's Release lists" || fail "images Release walk: $bad of $n"
cp -a "$img" "$work/img-snapshot"
mirror_args=("${img_args[@]}" --installer-images)
flip_byte() { python3 -c 'import sys; p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[len(b) // 2] ^= 1; open(p, "wb").write(bytes(b))' "$1"; }
flip_byte "$img/$idir/20230607/images/netboot/mini.iso"
refuse "a tampered installer image" "$idir/20230607/images/netboot/mini.iso: SHA-256 mismatch: the index lists [0-9a-f]{64}" "$work/fresh-img"
rm -rf "$img" && cp -a "$work/img-snapshot" "$img"
sums=$img/$idir/20230607/images/SHA256SUMS
orig=$(sha <"$sums")
sed -i 's/^[0-9a-f]\{8\}/00000000/' "$sums"
cp "$sums" "$img/$idir/20230607/images/by-hash/SHA256/$orig"
refuse "a SHA256SUMS that disagrees with the Release" "images/SHA256SUMS: does not match the Release: it lists $orig" "$work/fresh-sums"
rm -rf "$img" && cp -a "$work/img-snapshot" "$img"

echo
[ "$failures" -eq 0 ] && echo "PASS complete_view_test" || { echo "FAIL complete_view_test: $failures failure(s)"; exit 1; }
