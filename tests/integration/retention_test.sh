#!/usr/bin/env bash
# Deleting runs end to end (`runs rm`, `runs prune`, the worker's prune job), on a local store or
# the test RGW, with a SQLite or PostgreSQL catalog:
#   - a signed fixture repository (tests/fixtures/make-upstream, tiny packages) imported as 7 runs
#     a day apart, the package index with them;
#   - `runs rm` of a middle run: gone from `runs`, a tombstone in the store, `/archive/A/<its time>`
#     served from the kept run before it, apt-get update and download against a kept run through
#     serve, `/mr/` of the package's versions without the deleted run's stretch, the audit log
#     names who deleted it; its id refused for a new run; --dry-run and a shortened id change
#     nothing;
#   - `runs prune` by the configuration's policy (keep_last 2, a pin): --dry-run says exactly what
#     the real prune then deletes, and by which rule each kept run stays;
#   - `runs rm` killed (SIGKILL) at random moments, ROUNDS times, each followed by a new import: the
#     store stays clean for fsck --deep, a killed deletion is finished by deleting again, a deleted
#     run never comes back (recovery), and the import after it commits;
#   - a deletion that races an import of the same archive waits for the writer lock (--wait);
#   - `rebuild-catalog` of the store into a fresh catalog lists the same runs and the same package
#     presence as the live one;
#   - gc at grace 0 in a loop beside imports that bring back the contents of runs just deleted,
#     then fsck --full --deep; gc killed (SIGKILL) at random moments, the next gc finishing;
#   - the worker: an [[archive]] with a retention policy gets a prune job after its import job.
#
#   retention_test.sh PATH/TO/mirrorvault local|s3 sqlite|pg ROUNDS
#     (needs scripts/test-services' environment: MV_TEST_S3_* for s3, MV_TEST_POSTGRES_* for pg)

# `A && pass || fail` is meant: pass and fail always return 0.
# shellcheck disable=SC2015
set -uo pipefail
mv=$1 backend=$2 catalog_kind=$3 rounds=${4:-10}
here=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/support/apt_helpers.sh
. "$here/tests/support/apt_helpers.sh"
# shellcheck source=tests/support/serve_helpers.sh
. "$here/tests/support/serve_helpers.sh"
# shellcheck source=tests/support/store_helpers.sh
. "$here/tests/support/store_helpers.sh"
# shellcheck source=tests/support/catalog_helpers.sh
. "$here/tests/support/catalog_helpers.sh"
work=$(mktemp -d)
pgdb="" SERVE_PID=""
cleanup() {
  [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null
  [ -n "$pgdb" ] && mv_drop_catalogs "$pgdb" "${pgdb}_rebuilt"
  rm -rf "$work"
}
trap cleanup EXIT

failures=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

mv_test_store "$backend" "$work" retention
new_catalog() { mv_new_catalog "$catalog_kind" "$work" "$1"; }
case $catalog_kind in
  pg) pgdb=mv_retention_$$_$RANDOM; catalog=$(new_catalog "$pgdb") ;;
  sqlite) catalog=$(new_catalog catalog) ;;
  *) echo "usage: $0 MIRRORVAULT local|s3 sqlite|pg ROUNDS"; exit 2 ;;
esac
config=$work/mirrorvault.toml
up=$work/upstream
cat >"$config" <<EOF
[[archive]]
name = "arch"
tree = "$up"
[archive.retention]
keep_last = 2
pin = ["20240102T000000Z"]
EOF
mvc() { timeout --kill-after=5 120 "$mv" --config "$config" --store "$store" --catalog "$catalog" "$@"; }
runs_of() { mvc runs arch | awk 'NR > 1 {print $1}' | tr '\n' ' '; }

# ---- seven runs a day apart: "keep" stays at 1.0, "churn" gets a new version each run ----
make_run() {  # DAY (1-9)
  "$here/tests/fixtures/make-upstream" "$up" --key-dir "$work/key" --tiny keep=1.0 \
    --tiny "churn=1.$1" >"$work/make.log" 2>&1 || { cat "$work/make.log"; echo "FAIL make-upstream"; exit 1; }
  mvc import arch "$up" --run-id "2024010${1}T000000Z" --no-progress >"$work/import.log" 2>&1 ||
    fail "import of day $1: $(tail -3 "$work/import.log")"
}
for day in 1 2 3 4 5 6 7; do make_run "$day"; done
[ "$(runs_of)" = "20240101T000000Z 20240102T000000Z 20240103T000000Z 20240104T000000Z 20240105T000000Z 20240106T000000Z 20240107T000000Z " ] &&
  pass "seven runs imported" || fail "runs after the imports: $(runs_of)"

# ---- runs rm of a middle run ----
out=$(mvc runs rm arch@20240104 2>&1)
[ $? -eq 2 ] && grep -q "whole id" <<<"$out" && pass "runs rm refuses a shortened run id" || fail "shortened id: $out"
out=$(mvc runs rm arch@20240104T000000Z --dry-run 2>&1)
grep -q "would delete arch@20240104T000000Z" <<<"$out" && [ "$(runs_of | wc -w)" = 7 ] &&
  pass "runs rm --dry-run deletes nothing" || fail "dry run: $out / $(runs_of)"
USER=alice mvc runs rm arch@20240104T000000Z --reason "a bad run" >"$work/rm.out" 2>&1 ||
  fail "runs rm: $(cat "$work/rm.out")"
[ "$(runs_of)" = "20240101T000000Z 20240102T000000Z 20240103T000000Z 20240105T000000Z 20240106T000000Z 20240107T000000Z " ] &&
  pass "runs rm: the run is gone from the catalog" || fail "runs after rm: $(runs_of)"
# (Outputs are captured before grep -q reads them: with pipefail, a writer cut off by grep's early
# exit would fail the pipeline.)
listing=$(mvc store ls "$store" --recursive 2>/dev/null)
grep -q "tombstones/arch/20240104T000000Z.json" <<<"$listing" &&
  pass "runs rm: a tombstone in the store" || fail "no tombstone: $(mvc store ls "$store" --recursive 2>&1 | grep -v blobs/ | head -20)"
audit=$(mvc jobs audit)
grep -q "alice@.*delete-run *arch@20240104T000000Z *a bad run" <<<"$audit" &&
  pass "the audit log names who deleted the run, and why" || fail "audit: $(mvc jobs audit 2>&1)"
out=$(mvc import arch "$up" --run-id 20240104T000000Z --no-progress 2>&1)
[ $? -ne 0 ] && grep -q "was deleted" <<<"$out" && pass "a deleted run's id is not taken again" || fail "reimport: $out"

# serve: the deleted run's moment resolves to the kept run before it; apt against a kept run.
mv_start_serve "$mv" "$work/serve.out" --config "$config" --store "$store" --catalog "$catalog" || exit 1
base=http://127.0.0.1:$SERVE_PORT
pkgs=$(curl -fsS "$base/archive/arch/20240104T120000Z/dists/bookworm/main/binary-amd64/Packages")
grep -q "^Version: 1.3$" <<<"$pkgs" && pass "/archive/arch/<deleted run's time> serves the kept run before it" ||
  fail "Packages at the deleted run's time: $(grep ^Version <<<"$pkgs" | tr '\n' ' ')"
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/archive/arch/20240104T000000Z/dists/bookworm/Release")
[ "$code" = 200 ] && pass "the deleted run's id as a moment answers from the run before ($code)" || fail "code $code"
aptdir=$work/apt
apt_setup "$base/archive/arch/20240105T000000Z/" "$work/key/keyring.gpg"
if apt_run update >"$work/apt.log" 2>&1 && ! grep -q "^[WE]:" "$work/apt.log" &&
  apt_run download churn >>"$work/apt.log" 2>&1 && ls "$aptdir/dl/"churn_1.5_all.deb >/dev/null 2>&1; then
  pass "apt-get update and download against a kept run, beside the deleted one"
else
  fail "apt against arch@20240105: $(grep -E '^(W|E):' "$work/apt.log" | head -3)"
fi
versions=$(curl -fsS "$base/mr/binary/churn/" | python3 -c 'import json,sys; print(" ".join(sorted(r["version"] for r in json.load(sys.stdin)["result"])))' 2>&1)
kill "$SERVE_PID" 2>/dev/null; wait "$SERVE_PID" 2>/dev/null; SERVE_PID=""
[ "$versions" = "1.1 1.2 1.3 1.5 1.6 1.7" ] &&
  pass "/mr/binary lists the versions of the kept runs only: $versions" || fail "/mr/binary/churn: $versions"

# ---- runs prune by the configured policy: the dry run names exactly what the prune deletes ----
mvc runs prune arch --dry-run >"$work/prune-dry.out" 2>&1 || fail "prune --dry-run: $(cat "$work/prune-dry.out")"
mvc runs prune arch >"$work/prune.out" 2>&1 || fail "prune: $(cat "$work/prune.out")"
dry=$(grep "would delete" "$work/prune-dry.out" | awk '{print $1}' | sort | tr '\n' ' ')
real=$(grep " deleted$" "$work/prune.out" | awk '{print $1}' | sort | tr '\n' ' ')
[ "$dry" = "$real" ] && [ "$real" = "arch@20240101T000000Z arch@20240103T000000Z arch@20240105T000000Z " ] &&
  pass "runs prune --dry-run said exactly what the prune deleted: $real" || fail "dry: $dry real: $real"
grep -q "arch@20240102T000000Z  keep (pinned)" "$work/prune.out" &&
  grep -q "arch@20240107T000000Z  keep (newest, last)" "$work/prune.out" &&
  pass "runs prune says why each kept run stays" || fail "prune output: $(cat "$work/prune.out")"
[ "$(runs_of)" = "20240102T000000Z 20240106T000000Z 20240107T000000Z " ] && pass "runs after prune: $(runs_of)" ||
  fail "runs after prune: $(runs_of)"

# ---- a deletion that races an import waits for the writer lock ----
make_run 8 &
sleep 0.05
mvc runs rm arch@20240106T000000Z --wait 60s >"$work/race.out" 2>&1 || fail "rm racing an import: $(cat "$work/race.out")"
wait
[ "$(runs_of)" = "20240102T000000Z 20240107T000000Z 20240108T000000Z " ] &&
  pass "a deletion racing an import of the archive: both done" || fail "runs after the race: $(runs_of)"

# ---- SIGKILL at random moments of runs rm ----
killed=0
for round in $(seq 1 "$rounds"); do
  day=$(printf '%02d' $((round + 10)))
  "$here/tests/fixtures/make-upstream" "$up" --key-dir "$work/key" --tiny keep=1.0 \
    --tiny "churn=2.$round" >"$work/make.log" 2>&1 || { cat "$work/make.log"; exit 1; }
  mvc import arch "$up" --run-id "202401${day}T000000Z" --no-progress >"$work/import.log" 2>&1 ||
    fail "round $round: import: $(tail -3 "$work/import.log")"
  victim=$(runs_of | awk '{print $(NF-1)}')  # the run before the newest
  # A deletion takes tens of ms on a local store, hundreds on the RGW.
  if [ "$backend" = local ]; then delay=$((RANDOM % 40)); else delay=$((RANDOM % 300)); fi
  "$mv" --config "$config" --store "$store" --catalog "$catalog" runs rm "arch@$victim" >"$work/kill.out" 2>&1 &
  pid=$!
  sleep "0.$(printf '%03d' "$delay")"
  if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); fi
  wait "$pid" 2>/dev/null
  # Whatever the kill left: fsck finds no problem, and the run never reappears once its
  # tombstone exists; deleting it again finishes (or says it was deleted already).
  out=$(mvc fsck --no-progress 2>&1)
  grep -q ": 0 problems" <<<"$out" || fail "round $round: fsck after the kill: $out"
  mvc runs rm "arch@$victim" --wait 30s >"$work/again.out" 2>&1 || fail "round $round: rm again: $(cat "$work/again.out")"
  if grep -q "$victim" <<<"$(runs_of)"; then fail "round $round: $victim is still listed"; fi
  out=$(mvc fsck --no-progress 2>&1)
  grep -q "^note" <<<"$out" && fail "round $round: a deletion left unfinished: $out"
done
pass "runs rm killed at random moments: $killed of $rounds killed, each finished by deleting again"
out=$(mvc fsck --full --deep --no-progress 2>&1)
grep -q ": 0 problems" <<<"$out" && pass "fsck --full --deep clean after every deletion: $(tail -1 <<<"$out")" ||
  fail "fsck --deep: $out"

# ---- gc at grace 0 in a loop while imports bring back the contents of runs just deleted ----
# Two upstream states built once (the same bytes every time): each import names the contents the
# run deleted just before it named, found in the catalog or written again, while gc runs beside.
for state in a b; do
  cp -a "$up" "$work/state-$state"
  "$here/tests/fixtures/make-upstream" "$work/state-$state" --key-dir "$work/key" --tiny keep=1.0 \
    --tiny "churn=3.$state" --tiny "extra-$state=1.0" >"$work/make.log" 2>&1 || { cat "$work/make.log"; exit 1; }
done
(
  for _ in $(seq 1 $((rounds * 2))); do
    mvc gc --grace 0s --wait 60s >>"$work/gc-loop.log" 2>&1 || echo "gc failed" >>"$work/gc-loop.errors"
  done
) &
gc_loop=$!
for round in $(seq 1 "$rounds"); do
  state=$([ $((round % 2)) = 0 ] && echo a || echo b)
  mvc import arch "$work/state-$state" --run-id "202402$(printf '%02d' "$round")T000000Z" --wait 60s \
    --no-progress >"$work/import.log" 2>&1 || fail "gc round $round: import: $(tail -3 "$work/import.log")"
  victim=$(runs_of | awk '{print $(NF-1)}')
  mvc runs rm "arch@$victim" --wait 60s >/dev/null 2>&1 || fail "gc round $round: rm $victim"
done
wait "$gc_loop"
[ -s "$work/gc-loop.errors" ] && fail "gc beside imports failed: $(grep -v '^gc:' "$work/gc-loop.log" | tail -3)"
deleted=$(grep -o "deleted [0-9]* blobs" "$work/gc-loop.log" | awk '{s += $2} END {print s + 0}')
[ "$deleted" -gt 0 ] || fail "the gc loop deleted no blob: $(tail -3 "$work/gc-loop.log")"
out=$(mvc fsck --full --deep --no-progress 2>&1)
grep -q ": 0 problems" <<<"$out" &&
  pass "gc at grace 0, $((rounds * 2)) times beside $rounds imports reusing deleted runs' contents ($deleted blobs deleted): fsck --deep clean" ||
  fail "fsck after gc beside imports: $out"
latest=$(runs_of | awk '{print $NF}')
mvc cat "arch@$latest" dists/bookworm/Release >/dev/null 2>&1 && pass "the latest run reads back" ||
  fail "arch@$latest unreadable"

# ---- gc killed at random moments ----
gc_killed=0
for round in $(seq 1 "$rounds"); do
  state=$([ $((round % 2)) = 0 ] && echo a || echo b)
  mvc import arch "$work/state-$state" --run-id "202403$(printf '%02d' "$round")T000000Z" \
    --no-progress >/dev/null 2>&1 || fail "kill round $round: import"
  victim=$(runs_of | awk '{print $(NF-1)}')
  mvc runs rm "arch@$victim" >/dev/null 2>&1 || fail "kill round $round: rm"
  "$mv" --config "$config" --store "$store" --catalog "$catalog" gc --grace 0s >/dev/null 2>&1 &
  pid=$!
  if [ "$backend" = local ]; then delay=$((RANDOM % 60)); else delay=$((RANDOM % 500)); fi
  sleep "0.$(printf '%03d' "$delay")"
  kill -9 "$pid" 2>/dev/null && gc_killed=$((gc_killed + 1))
  wait "$pid" 2>/dev/null
  out=$(mvc fsck --no-progress 2>&1)
  grep -q ": 0 problems" <<<"$out" || fail "kill round $round: fsck after gc was killed: $out"
done
mvc gc --grace 0s --wait 60s >"$work/gc-final.out" 2>&1 || fail "the gc after the kills: $(cat "$work/gc-final.out")"
out=$(mvc gc --grace 0s --dry-run 2>&1)
grep -q "would delete 0 blobs (0 B) and 0 tree nodes" <<<"$out" &&
  pass "gc killed at random moments ($gc_killed of $rounds killed): the next gc finishes, nothing left" ||
  fail "after the kills: $out"
out=$(mvc fsck --full --deep --no-progress 2>&1)
grep -q ": 0 problems" <<<"$out" && pass "fsck --full --deep after the killed gcs: $(tail -1 <<<"$out")" ||
  fail "fsck after the killed gcs: $out"

# ---- rebuild-catalog: the store alone gives the same runs and package presence ----
if [ "$catalog_kind" = pg ]; then rebuilt=$(new_catalog "${pgdb}_rebuilt"); else rebuilt=$(new_catalog rebuilt); fi
mvr() { timeout --kill-after=5 120 "$mv" --config "$config" --store "$store" --catalog "$rebuilt" "$@"; }
mvr rebuild-catalog --no-progress >"$work/rebuild.out" 2>&1 || fail "rebuild-catalog: $(cat "$work/rebuild.out")"
[ "$(mvr runs arch)" = "$(mvc runs arch)" ] && pass "rebuild-catalog lists the same runs as the live catalog" ||
  fail "runs differ: $(diff <(mvr runs arch) <(mvc runs arch))"
presence() {  # CATALOG-URL: the package index's stretches, sorted
  mv_start_serve "$mv" "$work/serve2.out" --config "$config" --store "$store" --catalog "$1" >/dev/null || return
  for p in churn keep; do
    curl -fsS "http://127.0.0.1:$SERVE_PORT/mr/binary/$p/" 2>/dev/null
    echo
  done
  kill "$SERVE_PID" 2>/dev/null; wait "$SERVE_PID" 2>/dev/null; SERVE_PID=""
}
live=$(presence "$catalog")
again=$(presence "$rebuilt")
[ -n "$live" ] && [ "$live" = "$again" ] && pass "rebuild-catalog gives the same /mr/binary answers" ||
  fail "/mr/binary differs: live $live rebuilt $again"

# ---- the worker: a prune job after the import job of an archive with a policy ----
cat >"$config" <<EOF
[[archive]]
name = "arch"
tree = "$up"
[archive.retention]
keep_last = 1
EOF
mvc jobs run-now arch --kind import >/dev/null 2>&1 || fail "run-now import"
"$mv" --config "$config" --store "$store" --catalog "$catalog" worker --poll 200ms \
  >"$work/worker.out" 2>&1 &
worker=$!
for _ in $(seq 300); do
  grep -q succeeded <<<"$(mvc jobs list --kind prune 2>/dev/null)" && break
  sleep 0.2
done
kill -TERM "$worker" 2>/dev/null; wait "$worker" 2>/dev/null
grep -q succeeded <<<"$(mvc jobs list --kind prune)" && [ "$(runs_of | wc -w)" = 1 ] &&
  grep -q "retention policy (job" <<<"$(mvc jobs audit)" &&
  pass "the worker's prune job kept the newest run only, audit-logged" ||
  fail "worker prune: runs $(runs_of); $(mvc jobs list 2>&1 | head -5); $(tail -5 "$work/worker.out")"

[ "$failures" = 0 ] && echo "retention_test ($backend, $catalog_kind): all passed" && exit 0
echo "retention_test ($backend, $catalog_kind): $failures failure(s)"
exit 1
