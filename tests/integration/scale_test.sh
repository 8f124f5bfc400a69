#!/usr/bin/env bash
# A small bench/scale as a test (issue 19): a Debian-shaped archive of 100,000 files with real
# Packages and Sources, a no-change re-import and churn runs, lookups and snapshot.debian.org's
# API through `serve`, diff, fsck, rebuild-catalog and publish. It fails when a step fails, when
# the no-change re-import grows the catalog, when no lookup of a kind succeeds, when a file or an
# API query sampled through serve is not found there again, on any 5xx, when the diff of two
# churned runs is empty, or when the rebuilt package index holds no stretch. Times and sizes are
# benchmark figures, printed only.
#
#   scale_test.sh PATH/TO/mirrorvault
set -euo pipefail
mv=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/mv-scale-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL scale_test: $*"; exit 1; }
MV_BENCH_SETTLE=0 "$here/bench/scale" "$mv" --files 100000 --runs 20 --lookups 400 --packages \
  --work "$work" --results "$work/results" || fail "bench/scale exited $?"
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
for kind in versions srcfiles binpackages binary binfiles fileinfo; do
  line=$(grep "^mr warm: $kind " "$work/results") || fail "no /mr/ $kind queries"
  [[ "$line" =~ ^mr\ warm:\ $kind\ ([0-9]+)\ .*statuses\ 200:([0-9]+)$ ]] ||
    fail "a /mr/ query sampled through serve did not answer 200 again: $line"
  [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] || fail "not every /mr/ query answered: $line"
done
stretches=$(sed -n 's/.*package index: [0-9]* runs, \([0-9]*\) package stretches.*/\1/p' "$work/results")
[ "${stretches:-0}" -gt 0 ] || fail "the rebuilt package index holds no stretch"
grep -q '^tools: publish into a folder ' "$work/results" || fail "no publish figure"
diff_lines=$(sed -n 's/.*diff of the last two runs [0-9.]* s (\([0-9]*\) lines).*/\1/p' "$work/results")
[ "${diff_lines:-0}" -gt 0 ] || fail "the diff of two churned runs is empty"
echo "scale_test: passed"
