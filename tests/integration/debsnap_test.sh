#!/usr/bin/env bash
# debsnap (devscripts), a real client of snapshot.debian.org's /mr/ API, against `mirrorvault
# serve`: an upstream built by tests/fixtures/make-upstream (the small real .debs, plus libbsd0,
# and a source package mvsrc), mirrored twice into two stores and catalogs:
#
#   - binary-only (the default, no --sources): `debsnap --binary -a amd64` of binaries whose source
#     has another name (libbsd0 from libbsd), a binNMU with an epoch (libcap2, "Source: libcap2
#     (1:2.66-...)") and a plain one fetches each .deb, byte-identical to upstream's; in source mode
#     debsnap finds the source package from its binaries (--list gives its version) and says that
#     no .dsc is there, rather than that the package is unknown; every binary of upstream's
#     Packages is followed from /mr/binary/B/ to its source's binfiles, binpackages and versions;
#   - with sources (--sources): `debsnap mvsrc` fetches the .dsc and tarball byte for byte, and
#     --binary still works for binaries whose source no Sources index lists;
#   - a catalog rebuilt from the store alone (rebuild-catalog) holds the same package index and
#     serves debsnap alike.
#
#   debsnap_test.sh PATH/TO/mirrorvault   (needs the MV_TEST_HTTP_* environment and debsnap)
set -uo pipefail
mv=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
for v in MV_TEST_HTTP_URL MV_TEST_HTTP_ROOT; do
  [ -n "${!v:-}" ] || { echo "FAIL: $v is not set (start scripts/test-services)"; exit 1; }
done
command -v debsnap >/dev/null || { echo "FAIL: no debsnap (package devscripts: scripts/install-deps)"; exit 1; }
work=$(mktemp -d)
name=debsnap-test-$$-$RANDOM
up=$MV_TEST_HTTP_ROOT/$name
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  rm -rf "$work" "$up"
}
trap cleanup EXIT
keydir=$work/key
failures=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
py=/usr/bin/python3

echo libbsd0 >"$work/extra-packages.txt"
"$here/tests/fixtures/make-upstream" "$up" --arch amd64 --key-dir "$keydir" \
  --debs-from "$here/tests/fixtures/small-packages.txt" --debs-from "$work/extra-packages.txt" \
  --source-pkg mvsrc=1.0 >"$work/make-upstream.log" 2>&1 ||
  { cat "$work/make-upstream.log"; echo "FAIL make-upstream"; exit 1; }
upstream_file() { find "$up/pool" -name "$1" | head -1; }

# mirror_into NAME ARGS...: a store and a SQLite catalog of their own under $work/NAME.
mirror_into() {
  local dir=$work/$1
  shift
  mkdir -p "$dir"
  "$mv" mirror debian --upstream "$MV_TEST_HTTP_URL/$name" --suites bookworm --archs amd64 \
    --keyring "$keydir/keyring.gpg" --no-progress --store "file://$dir/store" \
    --catalog "sqlite://$dir/catalog.db" "$@" >"$dir/mirror.log" 2>&1 ||
    { cat "$dir/mirror.log"; echo "FAIL mirror into $dir"; exit 1; }
}
mirror_into binonly
mirror_into withsrc --sources

. "$here/tests/support/serve_helpers.sh"
# serve NAME [CATALOG]: `serve` over $work/NAME's store; sets $base.
serve() {
  local dir=$work/$1
  mv_start_serve "$mv" "$dir/serve.out" --store "file://$dir/store" \
    --catalog "${2:-sqlite://$dir/catalog.db}" || exit 1
  pids+=("$SERVE_PID")
  base=http://127.0.0.1:$SERVE_PORT
}

# debsnap reads its base URL only from its configuration files (it unsets DEBSNAP_* first).
ds() {  # ds BASE ARGS...: debsnap in $work/ds with HOME's ~/.devscripts naming BASE
  local b=$1
  shift
  mkdir -p "$work/home" "$work/ds"
  echo "DEBSNAP_BASE_URL=$b" >"$work/home/.devscripts"
  (cd "$work/ds" && HOME=$work/home debsnap "$@")
}

# fetch_binary BASE PACKAGE LABEL: debsnap --binary -a amd64; the .debs it wrote are upstream's.
fetch_binary() {
  local b=$1 pkg=$2 label=$3 dest=$work/ds/bin-$2-$3 f n=0 bad=0 out
  if ! out=$(ds "$b" --binary -a amd64 -d "$dest" "$pkg" 2>&1); then
    fail "$label: debsnap --binary -a amd64 $pkg: $out"
    return
  fi
  for f in "$dest"/*.deb; do
    [ -e "$f" ] || continue
    n=$((n + 1))
    cmp -s "$f" "$(upstream_file "$(basename "$f")")" || { bad=$((bad + 1)); echo "  differs: $f"; }
  done
  [ $n -ge 1 ] && [ $bad = 0 ] && pass "$label: debsnap --binary -a amd64 $pkg: $(cd "$dest" && echo *), byte-identical to upstream" ||
    fail "$label: debsnap --binary $pkg wrote $n file(s), $bad differ"
}

# every_binary_followed BASE LABEL: each package of upstream's Packages, from /mr/binary/B/ to
# its source: the source is in /mr/package/, lists the version, builds B, and binfiles answer.
every_binary_followed() {
  local out
  out=$($py - "$1" "$up/dists/bookworm/main/binary-amd64/Packages" <<'EOF'
import json, sys, urllib.error, urllib.parse, urllib.request
base, packages = sys.argv[1], sys.argv[2]
def get(path):
    with urllib.request.urlopen(base + urllib.parse.quote(path, safe="/?=:+~")) as r:
        return json.load(r)
names = sorted({l.split(":", 1)[1].strip() for l in open(packages) if l.startswith("Package:")})
sources = {p["package"] for p in get("/mr/package/")["result"]}
problems, followed = [], 0
for b in names:
    try:
        for r in get(f"/mr/binary/{b}/")["result"]:
            src, ver, bver = r["source"], r["version"], r["binary_version"]
            if src not in sources:
                problems.append(f"{b}: source {src} not in /mr/package/")
            if ver not in [v["version"] for v in get(f"/mr/package/{src}/")["result"]]:
                problems.append(f"{b}: {src} lacks version {ver}")
            get(f"/mr/package/{src}/{ver}/srcfiles")
            built = get(f"/mr/package/{src}/{ver}/binpackages")["result"]
            if {"name": b, "version": bver} not in built:
                problems.append(f"{b}: not in {src} {ver}'s binpackages")
            files = get(f"/mr/package/{src}/{ver}/binfiles/{b}/{bver}?fileinfo=1")
            if not files["result"] or set(files["fileinfo"]) != {f["hash"] for f in files["result"]}:
                problems.append(f"{b}: binfiles without files or fileinfo")
            followed += 1
    except urllib.error.HTTPError as e:
        problems.append(f"{b}: {e.code} on {e.url}")
if problems or followed < len(names):
    print("; ".join(problems[:8]), f"({len(problems)} problems, {followed}/{len(names)} followed)")
    sys.exit(1)
print(f"{followed} binaries of {len(names)} names followed to {len(sources)} sources")
EOF
  ) && pass "$2: every binary /mr/binary lists is followed through /mr/package/: $out" ||
    fail "$2: /mr/ routes disagree: $out"
}

bsd_version=$(sed -n '/^Package: libbsd0$/,/^$/s/^Version: //p' "$up/dists/bookworm/main/binary-amd64/Packages")
cap_source=$(sed -n '/^Package: libcap2$/,/^$/s/^Source: //p' "$up/dists/bookworm/main/binary-amd64/Packages")
[ -n "$bsd_version" ] && [[ "$cap_source" == "libcap2 ("*")" ]] ||
  fail "fixture: libbsd0 '$bsd_version', libcap2's Source '$cap_source' (want a binNMU's)"

# ---- binary-only ----
serve binonly
for pkg in libbsd0 libcap2 hello; do fetch_binary "$base" "$pkg" binary-only; done
every_binary_followed "$base" binary-only
out=$(ds "$base" --list libbsd 2>&1) && [ "$out" = "$bsd_version" ] &&
  pass "binary-only: debsnap --list libbsd (source mode) gives $out" || fail "binary-only: debsnap --list libbsd: $out"
out=$(ds "$base" -d "$work/ds/src-libbsd" libbsd 2>&1)
rc=$?
[ $rc = 2 ] && grep -q "No dsc file detected for libbsd version $bsd_version" <<<"$out" &&
  ! grep -q "Unable to retrieve" <<<"$out" &&
  pass "binary-only: debsnap libbsd (source mode) finds the source, no .dsc mirrored (exit 2, warned)" ||
  fail "binary-only: debsnap libbsd: exit $rc: $out"
curl -sf "$base/mr/package/libbsd/$bsd_version/srcfiles" | grep -q '"result":\[\]' &&
  pass "binary-only: srcfiles of libbsd $bsd_version is an empty list" || fail "binary-only: srcfiles of libbsd"

# ---- with sources ----
serve withsrc
out=$(ds "$base" -d "$work/ds/src-mvsrc" mvsrc 2>&1) || fail "with sources: debsnap mvsrc: $out"
n=0 bad=0
for f in "$work/ds/src-mvsrc"/*; do
  [ -e "$f" ] || continue
  n=$((n + 1))
  cmp -s "$f" "$(upstream_file "$(basename "$f")")" || bad=$((bad + 1))
done
[ $n = 2 ] && [ $bad = 0 ] && pass "with sources: debsnap mvsrc: $(cd "$work/ds/src-mvsrc" && echo *), byte-identical" ||
  fail "with sources: debsnap mvsrc wrote $n file(s), $bad differ"
for pkg in libbsd0 libcap2; do fetch_binary "$base" "$pkg" with-sources; done
every_binary_followed "$base" with-sources

# ---- rebuild-catalog: the store alone gives the same package index ----
dump() {
  sqlite3 "$1" "SELECT 's', name, version FROM pkg_sources ORDER BY 2, 3;
    SELECT 'b', name, version, source, source_version FROM pkg_binaries ORDER BY 2, 3, 4, 5;
    SELECT 'p', archive, suite, component, architecture, name, version, first_run,
      COALESCE(last_run, '-') FROM pkg_presence ORDER BY 2, 3, 4, 5, 6, 7, 8;"
}
for which in binonly withsrc; do
  "$mv" rebuild-catalog --no-progress --store "file://$work/$which/store" \
    --catalog "sqlite://$work/$which/rebuilt.db" >"$work/$which/rebuild.log" 2>&1 ||
    fail "$which: rebuild-catalog: $(cat "$work/$which/rebuild.log")"
  before=$(dump "$work/$which/catalog.db") after=$(dump "$work/$which/rebuilt.db")
  [ -n "$before" ] && [ "$before" = "$after" ] && grep -q "^s|libbsd|$bsd_version$" <<<"$after" &&
    pass "$which: rebuild-catalog from the store alone: the same package index ($(wc -l <<<"$after") rows)" ||
    fail "$which: the rebuilt package index differs: $(diff <(echo "$before") <(echo "$after") | head -5)"
done
serve binonly "sqlite://$work/binonly/rebuilt.db"
fetch_binary "$base" libbsd0 rebuilt-binary-only

echo
[ $failures = 0 ] && echo "debsnap_test: all passed" || echo "debsnap_test: $failures failure(s)"
[ $failures = 0 ]
