#!/usr/bin/env bash
# A partial mirror with --filter-with-deps and its signed derived view, end to end (issue 17):
# the upstream is a fixture repository of real Debian 12 .debs (tests/fixtures/make-upstream
# --debs-from tests/fixtures/small-packages.txt) on nginx (scripts/test-services' http service);
# the operator's key is a throwaway key made here with gpg.
#
#   - the run keeps the upstream's pristine InRelease (it still verifies with the upstream key);
#   - the view's InRelease verifies with gpgv and the operator's public key (not the upstream's);
#   - the view's Packages (xz and gz) lists exactly the run's pool files, with their hashes, and
#     holds the dependencies of the selection (cowsay -> libtext-charwidth-perl, jq -> libjq1 ->
#     libonig5), nothing unrelated (hello);
#   - `apt-get update` against the served view in an isolated apt configuration (own sources list
#     with signed-by the operator's key, own lists, no /etc/apt/apt.conf.d, Check-Valid-Until on)
#     is clean, and `apt-get install --simulate` of each selected package resolves with no
#     missing dependency (the machine's dpkg status stands for an installed Debian 12 base: libc6,
#     perl); a package left out of the selection is not there to install;
#   - refusals: --filter-with-deps without a selection, without --signing-key, with an unknown key;
#   - `publish` to a folder carries the view: its InRelease verifies there, apt reads it (file:).
#
#   mirror_view_test.sh PATH/TO/mirrorvault   (needs the MV_TEST_HTTP_* environment)
set -uo pipefail
mv=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
for v in MV_TEST_HTTP_URL MV_TEST_HTTP_ROOT; do
  [ -n "${!v:-}" ] || { echo "FAIL: $v is not set (start scripts/test-services)"; exit 1; }
done
work=$(mktemp -d)
name=mirror-view-test-$$-$RANDOM
up=$MV_TEST_HTTP_ROOT/$name
url=$MV_TEST_HTTP_URL/$name
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  gpgconf --homedir "$work/operator" --kill gpg-agent 2>/dev/null
  gpgconf --homedir "$work/key/gnupg" --kill gpg-agent 2>/dev/null
  [ -n "${MV_TEST_KEEP:-}" ] && { echo "kept $work"; return; }
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
latest_run() { sqlite3 "$work/catalog.db" "SELECT run_id FROM archive_runs WHERE archive = '$1' ORDER BY run_id DESC LIMIT 1"; }

"$here/tests/fixtures/make-upstream" "$up" --arch amd64 --key-dir "$keydir" \
  --debs-from "$here/tests/fixtures/small-packages.txt" --tiny mvtiny=1.0 >"$work/make-upstream.log" 2>&1 ||
  { cat "$work/make-upstream.log"; echo "FAIL make-upstream"; exit 1; }

# The operator's throwaway key, in its own GnuPG home.
mkdir -m 700 "$work/operator"
gpg --batch --quiet --homedir "$work/operator" --passphrase '' \
  --quick-gen-key 'mirrorvault operator <operator@example.invalid>' ed25519 sign never 2>/dev/null ||
  { echo "FAIL gpg --quick-gen-key"; exit 1; }
gpg --batch --quiet --homedir "$work/operator" --export >"$work/operator.gpg"

selected=(cowsay pv figlet jq)
view_args=(--upstream "$url" --suites bookworm --archs amd64 --keyring "$keydir/keyring.gpg" --no-progress
           --filter-with-deps --gnupg-home "$work/operator")

# ---- refusals, none of which commits a run ----
out=$(mvc mirror refused "${view_args[@]}" --signing-key operator@example.invalid 2>&1) &&
  fail "--filter-with-deps without a selection was accepted" ||
  { grep -q -- "--packages or --filter" <<<"$out" && pass "refused: --filter-with-deps without a selection" ||
      fail "no selection: $out"; }
out=$(mvc mirror refused "${view_args[@]}" --packages jq 2>&1) &&
  fail "--filter-with-deps without a signing key was accepted" ||
  { grep -q -- "--signing-key" <<<"$out" && pass "refused: a derived view without a signing key" ||
      fail "no signing key: $out"; }
out=$(mvc mirror refused "${view_args[@]}" --packages jq --signing-key nobody@example.invalid 2>&1) &&
  fail "an unknown signing key was accepted" ||
  { grep -q "nobody@example.invalid" <<<"$out" && pass "refused: an unknown signing key, named" ||
      fail "unknown key: $out"; }
[ -z "$(latest_run refused)" ] && pass "no run committed by the refusals" || fail "a refused mirror committed a run"

# ---- the partial mirror with its derived view ----
out=$(mvc mirror part "${view_args[@]}" --packages "$(IFS=,; echo "${selected[*]}")" \
  --signing-key operator@example.invalid 2>&1) || { echo "$out"; fail "mirror --filter-with-deps"; exit 1; }
run=$(latest_run part)
echo "     $(tail -1 <<<"$out")"
record=$(cat "$work/store/runs/part/$run.json")
grep -q '"filter_with_deps":"depends"' <<<"$record" && grep -q '"view/bookworm":"' <<<"$record" &&
  pass "the run record says a closure and a view were made: $(grep -o '"view/bookworm":"[^"]*"' <<<"$record")" ||
  fail "record: $record"

mv_cat() { mvc cat "part@$run" "$1"; }
mv_cat dists/bookworm/InRelease | cmp -s - "$up/dists/bookworm/InRelease" &&
  gpgv --keyring "$keydir/keyring.gpg" <(mv_cat dists/bookworm/InRelease) 2>/dev/null &&
  pass "the upstream's pristine InRelease is kept and verifies with the upstream key" ||
  fail "pristine InRelease differs or does not verify"
mv_cat dists/bookworm/main/binary-amd64/Packages.xz | cmp -s - "$up/dists/bookworm/main/binary-amd64/Packages.xz" &&
  pass "the upstream's Packages.xz is kept whole" || fail "pristine Packages.xz differs"

# The served view.
. "$here/tests/support/serve_helpers.sh"
mv_start_serve "$mv" "$work/serve.out" --store "$store" --catalog "$catalog" --access-log "$work/access.log" || exit 1
pids+=("$SERVE_PID")
base=http://127.0.0.1:$SERVE_PORT/archive/part/$run/view
curl -sf "$base/dists/bookworm/InRelease" >"$work/InRelease" && curl -sf "$base/dists/bookworm/Release" >"$work/Release" &&
  curl -sf "$base/dists/bookworm/Release.gpg" >"$work/Release.gpg" || fail "the view's Release files are not served"
gpgv --keyring "$work/operator.gpg" "$work/InRelease" 2>/dev/null &&
  gpgv --keyring "$work/operator.gpg" "$work/Release.gpg" "$work/Release" 2>/dev/null &&
  pass "the view's InRelease and Release.gpg verify with gpgv and the operator's public key" ||
  fail "the view's signatures do not verify with the operator's key"
! gpgv --keyring "$keydir/keyring.gpg" "$work/InRelease" 2>/dev/null &&
  pass "the view's InRelease does not verify with the upstream's key (it is the operator's)" ||
  fail "the view verifies with the upstream key"
! grep -q '^Valid-Until:' "$work/Release" && grep -q '^Acquire-By-Hash: yes' "$work/Release" &&
  pass "the view's Release: Acquire-By-Hash, no Valid-Until" || fail "view Release: $(head -12 "$work/Release")"

# Its Packages: every variant the Release lists matches its hash, and they agree.
ok=1
while read -r sha size path; do
  got=$(curl -sf "$base/dists/bookworm/$path" | sha256sum | cut -d' ' -f1)
  [ "$got" = "$sha" ] || { ok=0; echo "     $path: $got, Release says $sha"; }
  byhash=$(curl -sf "$base/dists/bookworm/$(dirname "$path")/by-hash/SHA256/$sha" | sha256sum | cut -d' ' -f1)
  [ "$byhash" = "$sha" ] || { ok=0; echo "     by-hash of $path missing"; }
done < <(sed -n '/^SHA256:/,$p' "$work/Release" | tail -n +2 | awk '{print $1, $2, $3}')
[ $ok = 1 ] && pass "every index the view's Release lists is served with its hash, also by hash" ||
  fail "view indexes do not match their Release"
curl -sf "$base/dists/bookworm/main/binary-amd64/Packages.xz" | xz -dc >"$work/Packages" &&
  curl -sf "$base/dists/bookworm/main/binary-amd64/Packages.gz" | gzip -dc | cmp -s - "$work/Packages" &&
  pass "Packages.xz and Packages.gz hold the same text" || fail "Packages.xz and .gz differ"
names=$(sed -n 's/^Package: //p' "$work/Packages" | sort | tr '\n' ' ')
want_ok=1
for p in "${selected[@]}" libtext-charwidth-perl libjq1 libonig5; do
  grep -qw -- "$p" <<<"$names" || want_ok=0
done
[ $want_ok = 1 ] && ! grep -qw hello <<<"$names" && ! grep -qw mvtiny <<<"$names" &&
  pass "the view holds the selection and its dependencies, nothing else: $names" ||
  fail "view packages: $names"

# Exactly the run's pool files: the Filename list, against a walk of the run's pool/.
walk() {  # walk PATH: every file under PATH in the run, one path a line
  mvc ls "part@$run" "$1" | while read -r type _ entry; do
    case "$type" in
      d) walk "$1/${entry%/}" ;;
      f) echo "$1/$entry" ;;
    esac
  done
}
walk pool | sort >"$work/run-pool"
walk view/pool | sed 's|^view/||' | sort >"$work/view-pool"
sed -n 's/^Filename: //p' "$work/Packages" | sort >"$work/listed"
[ -s "$work/listed" ] && cmp -s "$work/listed" "$work/run-pool" && cmp -s "$work/listed" "$work/view-pool" &&
  pass "the view's Packages lists exactly the run's pool files ($(wc -l <"$work/listed")), under pool/ and view/pool/" ||
  fail "Packages lists $(tr '\n' ' ' <"$work/listed"); the run holds $(tr '\n' ' ' <"$work/run-pool"); view/pool $(tr '\n' ' ' <"$work/view-pool")"
ok=1
while read -r f sha; do
  [ "$(curl -sf "$base/$f" | sha256sum | cut -d' ' -f1)" = "$sha" ] || { ok=0; echo "     $f differs from its SHA256"; }
done < <(awk '/^Filename:/ {f=$2} /^SHA256:/ {print f, $2}' "$work/Packages")
[ $ok = 1 ] && pass "every file the view lists is served with the SHA256 its stanza gives" ||
  fail "view pool files differ"

# ---- apt, isolated, against the served view ----
aptdir=$work/apt
mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial" "$aptdir/parts" "$aptdir/prefs"
cp /var/lib/dpkg/status "$aptdir/status"
echo "deb [signed-by=$work/operator.gpg] $base bookworm main" >"$aptdir/sources.list"
apt_run() {
  apt-get -q -o Dir::Etc::sourcelist="$aptdir/sources.list" -o Dir::Etc::sourceparts=- \
    -o Dir::Etc::Parts="$aptdir/parts" -o Dir::Etc::preferencesparts="$aptdir/prefs" \
    -o Dir::State="$aptdir" -o Dir::State::Lists="$aptdir/lists" -o Dir::State::status="$aptdir/status" \
    -o Dir::Cache="$aptdir/cache" -o Debug::NoLocking=1 -o APT::Sandbox::User=root \
    -o Acquire::Check-Valid-Until=true -o Acquire::Languages=none -o APT::Architecture=amd64 \
    -o APT::Install-Recommends=false "$@"
}
if apt_run update >"$work/apt-update.log" 2>&1 && ! grep -qE '^(W|E|N):' "$work/apt-update.log" &&
  ls "$aptdir/lists/"*_view_dists_bookworm_main_binary-amd64_Packages* >/dev/null 2>&1; then
  pass "apt-get update against the view: exit 0, no warning, its Packages taken"
else
  fail "apt-get update: $(cat "$work/apt-update.log")"
fi
for p in "${selected[@]}"; do
  if apt_run install --simulate "$p" >"$work/apt-$p.log" 2>&1 && ! grep -qiE 'unmet|broken|E:' "$work/apt-$p.log"; then
    pass "apt-get install --simulate $p resolves: $(grep '^Inst' "$work/apt-$p.log" | awk '{print $2}' | tr '\n' ' ')"
  else
    fail "apt-get install --simulate $p: $(tail -8 "$work/apt-$p.log")"
  fi
done
apt_run install --simulate hello >"$work/apt-hello.log" 2>&1 &&
  fail "hello, not selected, installs from the view" ||
  pass "hello, not selected, is not in the view ($(grep -m1 '^E:' "$work/apt-hello.log"))"

# ---- published to a folder: the same view, read by apt from there ----
out=$(mvc publish "part@$run" --to "$work/published" --no-progress 2>&1) || fail "publish: $out"
cmp -s "$work/published/view/dists/bookworm/InRelease" "$work/InRelease" &&
  gpgv --keyring "$work/operator.gpg" "$work/published/view/dists/bookworm/InRelease" 2>/dev/null &&
  gpgv --keyring "$keydir/keyring.gpg" "$work/published/dists/bookworm/InRelease" 2>/dev/null &&
  pass "published: the view's InRelease verifies with the operator's key, the run's own with the upstream's" ||
  fail "published InRelease files"
rm -rf "$aptdir/lists" && mkdir -p "$aptdir/lists/partial"
echo "deb [signed-by=$work/operator.gpg] file:$work/published/view bookworm main" >"$aptdir/sources.list"
if apt_run update >"$work/apt-pub.log" 2>&1 && ! grep -qE '^(W|E|N):' "$work/apt-pub.log" &&
  apt_run install --simulate cowsay >>"$work/apt-pub.log" 2>&1 && grep -q '^Inst libtext-charwidth-perl' "$work/apt-pub.log"; then
  pass "apt-get update + install --simulate cowsay from the published view"
else
  fail "apt from the published view: $(tail -8 "$work/apt-pub.log")"
fi

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
