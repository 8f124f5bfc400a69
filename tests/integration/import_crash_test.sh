#!/usr/bin/env bash
# Crash safety of `mirrorvault import`: kill -9 at random moments of many imports, then prove the
# archive consistent: fsck finds zero problems, every committed run is whole and readable, no
# partial run is listed, and re-running the import completes.
#   import_crash_test.sh PATH/TO/mirrorvault local|s3 ROUNDS   (s3 needs the MV_TEST_S3_* env)
set -uo pipefail
mv=$1 backend=$2 rounds=$3
here=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/support/store_helpers.sh
. "$here/tests/support/store_helpers.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
case $backend in
  local | s3) mv_test_store "$backend" "$work" crash ;;
  *) echo "usage: $0 MIRRORVAULT local|s3 ROUNDS"; exit 2 ;;
esac
catalog="sqlite://$work/catalog.db"
mirror=$work/mirror
mvc() { "$mv" --store "$store" --catalog "$catalog" "$@"; }

failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# A pool-like tree: 30 folders of ~10 files of up to 200 KB; each round rewrites a tenth of the
# files and adds a few, so every import has new blobs, new trees and a new record to write.
rand_file() { head -c $((RANDOM % 200000 + 1)) /dev/urandom >"$1"; }
for d in $(seq 1 30); do
  mkdir -p "$mirror/pool/main/p$d"
  for f in $(seq 1 10); do rand_file "$mirror/pool/main/p$d/f$f.deb"; done
done
mkdir -p "$mirror/dists/stable/main/binary-amd64" "$mirror/empty"
ln -s stable "$mirror/dists/current"
mutate() {
  for _ in $(seq 1 30); do rand_file "$mirror/pool/main/p$((RANDOM % 30 + 1))/f$((RANDOM % 12 + 1)).deb"; done
  date +%s%N >"$mirror/dists/stable/main/binary-amd64/Packages"
}

# fsck must report zero problems, and after `runs` (which recovers a run committed just before the
# kill) no run may be missing from the catalog.
check_consistent() {
  local round=$1 deep=$2 out
  out=$(mvc runs crash 2>&1)
  if [ $? -ne 0 ] && ! grep -q "has no runs" <<<"$out"; then fail "round $round: runs: $out"; fi
  out=$(mvc fsck --no-progress $deep 2>&1)
  if [ $? -ne 0 ] || ! grep -q ": 0 problems" <<<"$out"; then fail "round $round: fsck $deep: $out"; fi
  if grep -q "^note:" <<<"$out"; then fail "round $round: a committed run is not listed: $out"; fi
}

# Every file of the latest run reads back byte-identical to the mirror.
check_latest_matches_mirror() {
  local round=$1 listing path
  listing=$(cd "$mirror" && find . -type f | sed 's|^\./||' | shuf -n 8 --random-source=<(yes "$round"))
  while IFS= read -r path; do
    if ! cmp -s <(mvc cat crash "$path") "$mirror/$path"; then
      fail "round $round: crash@now:$path differs from the mirror"
    fi
  done <<<"$listing"
}

window_ms=300
killed=0 completed=0
for round in $(seq 1 "$rounds"); do
  mutate
  delay=$((RANDOM % window_ms))
  # The binary itself in the background (not a shell function: kill -9 must hit the importer).
  "$mv" --store "$store" --catalog "$catalog" import crash "$mirror" --no-progress \
    >"$work/import.out" 2>&1 &
  pid=$!
  sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
  if kill -9 "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null
    killed=$((killed + 1))
  else
    wait "$pid" || fail "round $round: the import failed: $(cat "$work/import.out")"
    completed=$((completed + 1))
  fi
  deep=""
  if [ "$backend" = local ] || [ $((round % 4)) -eq 0 ]; then deep=--deep; fi
  check_consistent "$round" "$deep"
  # The import again, to completion; its duration sets the window of the next kills.
  start=$(now_ms)
  if ! out=$(mvc import crash "$mirror" --no-progress 2>&1); then
    fail "round $round: re-running the import failed: $out"
  fi
  window_ms=$(( ($(now_ms) - start) + 10 ))
  check_consistent "$round" ""
  check_latest_matches_mirror "$round"
  echo "round $round: killed after ${delay} ms; next window ${window_ms} ms"
done
mvc fsck --deep --no-progress || fail "final fsck --deep"
echo "$killed imports killed, $completed finished before the kill, $failures failures"
[ "$killed" -ge $((rounds / 2)) ] || fail "only $killed of $rounds imports were killed: the test proves little"
[ "$failures" -eq 0 ]
