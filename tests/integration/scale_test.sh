#!/usr/bin/env bash
# A small bench/scale as a test (issue 19): a Debian-shaped archive of 100,000 files, a no-change
# re-import and churn runs, lookups through `serve`, diff and fsck. It fails when a step fails,
# when the no-change re-import grows the catalog, when no lookup of a kind succeeds, when a file
# sampled at a run is not found there again, on any 5xx, or when the diff of two churned runs is
# empty. Times and sizes are benchmark figures, printed only.
#
#   scale_test.sh PATH/TO/mirrorvault
set -euo pipefail
mv=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/mv-scale-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL scale_test: $*"; exit 1; }
MV_BENCH_SETTLE=0 "$here/bench/scale" "$mv" --files 100000 --runs 20 --lookups 400 --work "$work" \
  --results "$work/results" || fail "bench/scale exited $?"
cat "$work/results"
grep -q '^reimport: catalog grew 0 B' "$work/results" || fail "a no-change re-import grew the catalog"
grep -q '^first: catalog [0-9]* B' "$work/results" || fail "no catalog figure"
for kind in file listing; do
  line=$(grep "^lookups warm: $kind " "$work/results") || fail "no warm $kind lookups"
  [[ "$line" != *" 5"[0-9][0-9]":"* ]] || fail "server errors: $line"
  [[ "$line" == *" 200:"* ]] || fail "no $kind lookup succeeded: $line"
  # The pairs are files sampled at their runs through serve: each one is there when asked again.
  [[ "$line" != *" 404:"* ]] || fail "a file or folder that serve listed at a run was not found there: $line"
done
diff_lines=$(sed -n 's/.*diff of the last two runs [0-9.]* s (\([0-9]*\) lines).*/\1/p' "$work/results")
[ "${diff_lines:-0}" -gt 0 ] || fail "the diff of two churned runs is empty"
echo "scale_test: passed"
