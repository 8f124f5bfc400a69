#!/usr/bin/env bash
# The import service end to end: `mirrorvault worker` processes sharing one catalog, `mirrorvault
# jobs` and `mirrorvault check`, against one signed fixture repository (tests/fixtures/make-upstream,
# tiny packages) on nginx, seen as many archives through distinct paths (symlinks), so that each
# archive is an independent mirror.
#
#   - the schedule: 30 archives (pg: PostgreSQL catalog, 3 workers) or 6 (sqlite, 2 workers), every
#     20 s, --concurrency 2; stopped by SIGTERM (exit 0, nothing left running) once every archive
#     has three succeeded mirror jobs. Per archive 3 (or 4) jobs ran, each succeeded on attempt 1,
#     none overlaps the next, consecutive starts are >= 10 s apart (no tick enqueued twice by
#     two schedulers), at most one more waits; one run per succeeded job; fsck is clean; the
#     filters of `jobs list` return what they say;
#   - operator commands: run-now then cancel (the job never runs); pause (no job of a paused
#     archive starts, `jobs archives` says so), resume;
#   - transient faults through tests/support/fault_proxy.py (resets, 503, 429 with Retry-After),
#     with --fetch-attempts 1 so that they reach the job: each job succeeds on a later attempt,
#     its errors classed connection, http_5xx, http_429; one run per job;
#   - a permanent fault (an InRelease altered after signing): the job is parked `failed` on its
#     first attempt (signature or hash_mismatch), `jobs failures` groups it, no run is made; the
#     upstream fixed, `jobs retry ID` makes it succeed;
#   - SIGKILL of a worker in the middle of a (slowed) job: another worker rescues it after its
#     lease expires (rescues >= 1, a lease_expired error), it succeeds, fsck is clean;
#   - `mirrorvault check`: OK when all is well; three parked failures against thresholds set with
#     --floor/--warn-failed/--crit-failed give OK, WARNING, CRITICAL; `jobs retry --failed` with
#     --archive, then --class, clears them; --max-age 1s (and --max-age-crit) flags stale archives;
#     an unreadable catalog is UNKNOWN.
#
#   jobs_test.sh PATH/TO/mirrorvault pg|sqlite   (needs the MV_TEST_HTTP_* environment and, for
#                                                 pg, MV_TEST_POSTGRES_URL and _ADMIN_URL)

# `A && pass || fail` is meant: pass and fail always return 0.
# shellcheck disable=SC2015
set -uo pipefail
mv=$1 mode=${2:-}
here=$(cd "$(dirname "$0")/../.." && pwd)
case $mode in
  pg) n_archives=30 n_workers=3 ;;
  sqlite) n_archives=6 n_workers=2 ;;
  *) echo "usage: $0 PATH/TO/mirrorvault pg|sqlite"; exit 2 ;;
esac
need=(MV_TEST_HTTP_URL MV_TEST_HTTP_ROOT)
[ "$mode" = pg ] && need+=(MV_TEST_POSTGRES_URL MV_TEST_POSTGRES_ADMIN_URL)
for v in "${need[@]}"; do
  [ -n "${!v:-}" ] || { echo "FAIL: $v is not set (start scripts/test-services)"; exit 1; }
done
work=$(mktemp -d)
name=jobs-test-$mode-$$-$RANDOM
web=$MV_TEST_HTTP_ROOT/$name   # what nginx serves: the repository and one path per archive
url=$MV_TEST_HTTP_URL/$name
# The interpreter itself, not a wrapper such as a pyenv shim: $! must be the proxy's PID.
PY=$(python3 -c 'import sys; print(sys.executable)')
declare -A worker_pid=()       # name -> PID of the workers that should be running
proxy_pids=()
pgdb=""
failures=0
failed_checks=()               # repeated after the worker logs, so that a log's tail shows them
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); failed_checks+=("$*"); }
info() { echo "     $*"; }

# alive PID: the process exists and is not a zombie (kill -0 succeeds on an unreaped child).
alive() {
  local s
  s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  s=${s##*) }
  [ "${s%% *}" != Z ]
}
# reap PID SECONDS: wait up to SECONDS for PID to exit, then SIGKILL it; its exit status.
reap() {
  local i
  for ((i = 0; i < $2 * 10; i++)); do alive "$1" || break; sleep 0.1; done
  alive "$1" && kill -KILL "$1" 2>/dev/null
  wait "$1" 2>/dev/null
}
cleanup() {
  local p
  for p in "${worker_pid[@]}" "${proxy_pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${worker_pid[@]}" "${proxy_pids[@]}"; do reap "$p" 10; done
  [ -n "$pgdb" ] && psql -X -q "$MV_TEST_POSTGRES_ADMIN_URL" \
    -c "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)" >/dev/null 2>&1
  rm -rf "$work" "$web"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- catalog, store, configuration ----
store="file://$work/store"
if [ "$mode" = pg ]; then
  # A database of its own, dropped at the end: a catalog belongs to one store.
  pgdb=mv_jobs_test_$$_$RANDOM
  pguser=${MV_TEST_POSTGRES_URL#*://}
  pguser=${pguser%%[:@]*}
  psql -X -q "$MV_TEST_POSTGRES_ADMIN_URL" -c "CREATE DATABASE $pgdb OWNER $pguser" >/dev/null ||
    { echo "FAIL create database $pgdb"; exit 1; }
  catalog=${MV_TEST_POSTGRES_URL%/*}/$pgdb
else
  catalog="sqlite://$work/catalog.db"
fi
config=$work/steady.toml   # the configuration in use; later phases switch to $work/all.toml
# mvc ARGS...: mirrorvault with the configuration, store and catalog in use (global options first,
# so that they reach nested subcommands such as `jobs list`), bounded in time.
mvc() { timeout --kill-after=5 120 "$mv" --config "$config" --store "$store" --catalog "$catalog" "$@"; }
q() { "$PY" "$here/tests/support/jobs_json.py" "$@"; }
# no_problems WHAT Q-ARGS...: pass if the jobs_json.py check prints nothing and exits 0.
no_problems() {
  local what=$1 out rc
  shift
  out=$(q "$@" 2>&1)
  rc=$?
  if [ "$rc" -eq 0 ] && [ -z "$out" ]; then pass "$what"; else fail "$what:"$'\n'"$out"; fi
}
# list_jobs FILE [FILTERS...]: the whole job history (or the filtered part) as JSON into FILE.
list_jobs() {
  local f=$1
  shift
  mvc jobs list --json --limit 100000 "$@" >"$f" 2>"$f.err" ||
    { echo "jobs list $*: $(cat "$f.err")" >&2; return 1; }
}
# runs_of ARCHIVE: how many runs ARCHIVE has (0 if none).
runs_of() { mvc runs "$1" 2>/dev/null | grep -c '^[0-9]\{8\}T[0-9]\{6\}Z'; }
fsck_clean() { # WHAT
  local out
  if out=$(mvc fsck --no-progress 2>&1) && grep -q ": 0 problems" <<<"$out" && ! grep -q "^note:" <<<"$out"; then
    pass "$1: fsck is clean ($(tail -n 1 <<<"$out"))"
  else
    fail "$1: fsck: $out"
  fi
}

# ---- the upstream: one repository, one path per archive ----
repo=$web/repo
"$here/tests/fixtures/make-upstream" "$repo" --arch amd64 --key-dir "$work/key" \
  --tiny mvtiny=1.0 --tiny mvjobs=1.0 --tiny mvqueue=2.0 >"$work/make-upstream.log" 2>&1 ||
  { cat "$work/make-upstream.log"; echo "FAIL make-upstream"; exit 1; }
keyring=$work/key/keyring.gpg
cp -a "$repo" "$work/repo-good"
steady=()
for i in $(seq -f %02g 1 "$n_archives"); do
  steady+=("a$i")
  ln -s repo "$web/a$i"
done
# f1-f3: behind the fault proxy; slow: behind a second one (delays); bad1-bad3: copies of their
# own, to be tampered with.
for a in f1 f2 f3 slow; do ln -s repo "$web/$a"; done
for a in bad1 bad2 bad3; do cp -a "$repo" "$web/$a"; done

# start_proxy NAME: tests/support/fault_proxy.py in front of nginx; its ports in $work/NAME.port
# and $work/NAME.control.
start_proxy() {
  "$PY" "$here/tests/support/fault_proxy.py" --listen 127.0.0.1:0 --upstream "${MV_TEST_HTTP_URL#http://}" \
    --port-file "$work/$1.port" --control-port-file "$work/$1.control" 2>"$work/$1.log" &
  proxy_pids+=($!)
  for _ in $(seq 100); do [ -s "$work/$1.port" ] && return 0; sleep 0.1; done
  echo "FAIL fault proxy $1 did not start: $(cat "$work/$1.log")"
  exit 1
}
proxy_url() { echo "http://127.0.0.1:$(cat "$work/$1.port")/$name/$2/"; }
# proxy NAME METHOD PATH [JSON]: the proxy's control interface.
proxy() {
  local data=()
  [ -z "${4:-}" ] || data=(--data "$4")
  curl -sf --max-time 10 -X "$2" "${data[@]}" "http://127.0.0.1:$(cat "$work/$1.control")$3"
}
start_proxy faults
start_proxy slowproxy

# archive_toml NAME UPSTREAM EVERY [MAX_ATTEMPTS]: EVERY "" for none (run on demand only)
archive_toml() {
  printf '[[archive]]\nname = "%s"\nupstream = "%s"\nsuites = ["bookworm"]\nkeyring = "%s"\n' \
    "$1" "$2" "$keyring"
  [ -z "$3" ] || printf 'every = "%s"\n' "$3"
  [ -z "${4:-}" ] || printf 'max_attempts = %s\n' "$4"
  echo
}
for a in "${steady[@]}"; do archive_toml "$a" "$url/$a/" 20s; done >"$work/steady.toml"
{
  cat "$work/steady.toml"
  for a in f1 f2 f3; do archive_toml "$a" "$(proxy_url faults "$a")" 1h 6; done
  archive_toml slow "$(proxy_url slowproxy slow)" 1h 6
  for a in bad1 bad2 bad3; do archive_toml "$a" "$url/$a/" 1h; done
} >"$work/all.toml"
extras=(f1 f2 f3 slow bad1 bad2 bad3)

# ---- workers ----
# start_worker NAME ARGS...: `mirrorvault worker --name NAME` in the background, its output in
# $work/NAME.log; fast ticks and polls, and one HTTP attempt per request so faults reach the job.
start_worker() {
  local n=$1
  shift
  "$mv" --config "$config" --store "$store" --catalog "$catalog" worker --name "$n" \
    --tick 1s --poll 1s --fetch-attempts 1 "$@" >"$work/$n.log" 2>&1 &
  worker_pid[$n]=$!
}
# stop_workers NAME...: SIGTERM to all at once; each must exit 0 within 60 s (a worker finishes
# the jobs it runs first).
stop_workers() {
  local n rc
  for n in "$@"; do [ -z "${worker_pid[$n]:-}" ] || kill -TERM "${worker_pid[$n]}" 2>/dev/null; done
  for n in "$@"; do
    [ -n "${worker_pid[$n]:-}" ] || { fail "worker $n is not running (it died earlier)"; continue; }
    reap "${worker_pid[$n]}" 60
    rc=$?
    unset "worker_pid[$n]"
    [ "$rc" -eq 0 ] && pass "worker $n exits 0 on SIGTERM" ||
      fail "worker $n: exit $rc after SIGTERM (SIGKILLed after 60 s if 137): $(tail -n 5 "$work/$n.log")"
  done
}
# workers_alive: every worker that should run does; names the first that died.
workers_alive() {
  local n
  for n in "${!worker_pid[@]}"; do
    if ! alive "${worker_pid[$n]}"; then
      wait "${worker_pid[$n]}"
      fail "worker $n died (exit $?): $(tail -n 10 "$work/$n.log")"
      unset "worker_pid[$n]"
      return 1
    fi
  done
}
# wait_job ID SECONDS: until job ID is succeeded, failed or cancelled; `jobs show ID --json` stays
# in $work/job-ID.json. Returns 1 at the deadline or when a worker dies.
wait_job() {
  local id=$1 end=$((SECONDS + $2)) state=""
  while :; do
    if mvc jobs show "$id" --json >"$work/job-$id.json" 2>"$work/job-$id.err"; then
      state=$(q get "$work/job-$id.json" state)
      case $state in succeeded | failed | cancelled) return 0 ;; esac
    fi
    if [ $SECONDS -ge $end ]; then
      fail "job $id: not finished after $2 s (state '$state'): $(cat "$work/job-$id.json" "$work/job-$id.err")"
      return 1
    fi
    workers_alive || return 1
    sleep 0.5
  done
}
# run_now ARCHIVE: `jobs run-now ARCHIVE`; prints the id of the mirror job it made due: ARCHIVE's
# newest mirror job that had not finished before (a new one, or the scheduled one brought forward).
run_now() {
  local a=$1 out finished=()
  list_jobs "$work/run-now-before.json" --archive "$a" || return 1
  mapfile -t finished < <(q ids "$work/run-now-before.json" "$a" succeeded,failed,cancelled)
  out=$(mvc jobs run-now "$a" 2>&1) || { echo "jobs run-now $a: $out" >&2; return 1; }
  list_jobs "$work/run-now-after.json" --archive "$a" || return 1
  q newest "$work/run-now-after.json" "$a" "${finished[@]}"
}
# check_status EXIT WHAT ARGS...: `mirrorvault check ARGS` exits EXIT and prints one status line
# naming that state (with perfdata after '|' unless UNKNOWN). Runs with $config/$store/$catalog.
check_status() {
  local want=$1 what=$2 out rc word label
  shift 2
  label="check${*:+ $*}"
  out=$(mvc check "$@" 2>"$work/check.err")
  rc=$?
  word=$(case $want in 0) echo OK ;; 1) echo WARNING ;; 2) echo CRITICAL ;; *) echo UNKNOWN ;; esac)
  if [ "$rc" -eq "$want" ] && [ -n "$out" ] && [ "$(wc -l <<<"$out")" -eq 1 ] && grep -qw "$word" <<<"$out" &&
    { [ "$want" -eq 3 ] || grep -qE '\|.*=[-0-9.]' <<<"$out"; }; then
    pass "$label: $what: exit $rc: $out"
  else
    fail "$label: $what: exit $rc, want $want ($word, one line with perfdata): $out $(head -c 300 "$work/check.err")"
  fi
}
tamper() { sed -i 's/^Suite: .*/Suite: bookworm-evil/' "$web/$1/dists/bookworm/InRelease"; }
untamper() { rm -rf "${web:?}/$1" && cp -a "$work/repo-good" "$web/$1"; }

# An empty catalog: the queue lists as [] (this also creates the schema before the workers race).
list_jobs "$work/empty.json" && [ "$(q length "$work/empty.json")" = 0 ] &&
  pass "an empty queue lists as []" || fail "jobs list on an empty catalog: $(cat "$work/empty.json"*)"

# ==== 1. the schedule, fault-free ====
t0=$SECONDS
workers=()
for i in $(seq 1 "$n_workers"); do
  workers+=("w$i")
  start_worker "w$i" --concurrency 2 --lease 6s
done
end=$((SECONDS + 150))
ticks_done=0
while [ $SECONDS -lt $end ]; do
  workers_alive || break
  if list_jobs "$work/steady.json" && [ "$(q min-succeeded "$work/steady.json" "${steady[@]}")" -ge 3 ]; then
    ticks_done=1
    break
  fi
  sleep 1
done
stop_workers "${workers[@]}"
[ "$ticks_done" = 1 ] &&
  pass "$n_workers workers: every one of $n_archives archives has 3 succeeded mirror jobs after $((SECONDS - t0)) s" ||
  fail "after $((SECONDS - t0)) s some archive has fewer than 3 succeeded mirror jobs"
if list_jobs "$work/steady.json"; then
  [ "$(q count "$work/steady.json" state=running)" = 0 ] && pass "after SIGTERM no job is left running" ||
    fail "jobs left running after SIGTERM: $(q count "$work/steady.json" state=running)"
  what="the schedule: per archive 3 (or 4) jobs ran, each succeeded on attempt 1, none"
  what+=" overlapping, >= 10 s apart, at most one waiting"
  no_problems "$what" steady "$work/steady.json" "$(IFS=,; echo "${workers[*]}")" "${steady[@]}"
  # Who ran the jobs, from the workers' own logs (a finished job no longer names its holder).
  ran=""
  for w in "${workers[@]}"; do
    n=$(grep -c 'msg="job started"' "$work/$w.log")
    [ "$n" -gt 0 ] && ran+="$w:$n "
  done
  if [ "$mode" = pg ]; then
    [ "$(wc -w <<<"$ran")" -ge 2 ] && pass "the jobs were shared among the workers (jobs started: $ran)" ||
      fail "one worker ran every job: $ran"
  else
    info "jobs started per worker: $ran"
  fi
  bad_runs=""
  for a in "${steady[@]}"; do
    want=$(q count "$work/steady.json" archive="$a" kind=mirror state=succeeded)
    got=$(runs_of "$a")
    [ "$got" = "$want" ] || bad_runs+=" $a: $got runs for $want jobs;"
  done
  [ -z "$bad_runs" ] && pass "each succeeded mirror job made one run" || fail "runs vs jobs:$bad_runs"
fi
fsck_clean "after the schedule"

list_jobs "$work/filtered.json" --state succeeded --archive a01 --kind mirror &&
  no_problems "jobs list --state succeeded --archive a01 --kind mirror lists only those" \
    only "$work/filtered.json" state=succeeded archive=a01 kind=mirror
[ "$(q length "$work/filtered.json")" = "$(q count "$work/steady.json" state=succeeded archive=a01 kind=mirror)" ] &&
  pass "... and all of them" || fail "filtered list: $(q length "$work/filtered.json") jobs"
out=$(mvc jobs list --json --limit 2 2>&1) && [ "$(q length /dev/stdin <<<"$out")" = 2 ] &&
  pass "jobs list --limit 2 lists 2" || fail "jobs list --limit 2: $out"
out=$(mvc jobs list 2>&1) && grep -q a01 <<<"$out" && pass "jobs list (text) names the archives" ||
  fail "jobs list: $out"
first_id=$(q ids "$work/steady.json" a01 succeeded | head -n 1)
if mvc jobs show "$first_id" --json >"$work/show-first.json" 2>&1 &&
  [ "$(q get "$work/show-first.json" state)" = succeeded ] && [ "$(q classes "$work/show-first.json")" = "" ]; then
  pass "jobs show $first_id --json: succeeded, no errors"
else
  fail "jobs show $first_id: $(cat "$work/show-first.json")"
fi
out=$(mvc jobs show 999999999 --json 2>&1) && fail "jobs show of a job that does not exist succeeds: $out" ||
  pass "jobs show of a job that does not exist fails ($(head -c 120 <<<"$out"))"

# ==== 2. cancel, pause (no worker runs) ====
config=$work/all.toml
cancelled=$(run_now a01)
if [ -n "$cancelled" ] && mvc jobs cancel "$cancelled" >/dev/null &&
  mvc jobs show "$cancelled" --json >"$work/cancelled.json" && [ "$(q get "$work/cancelled.json" state)" = cancelled ]; then
  pass "jobs run-now a01, then jobs cancel $cancelled: cancelled"
else
  fail "run-now + cancel of a01 (job '$cancelled'): $(cat "$work/cancelled.json" 2>/dev/null)"
fi
for a in "${steady[@]}"; do mvc jobs pause "$a" >/dev/null || fail "jobs pause $a"; done
t_pause=$(date +%s)
if mvc jobs archives --json >"$work/archives.json" 2>&1; then
  flags=$(for a in a01 a02; do q paused "$work/archives.json" "$a"; done | tr '\n' ' ')
  [ "$flags" = "yes yes " ] && pass "jobs pause: jobs archives --json shows a01 and a02 paused" ||
    fail "jobs archives --json (paused a01 a02: $flags): $(head -c 600 "$work/archives.json")"
else
  fail "jobs archives --json: $(cat "$work/archives.json")"
fi

# ==== 3. transient faults, retried by the job ====
# The schedule of a new archive starts at once: wf's first tick makes a mirror job of each extra
# archive. Wait until each has succeeded (not a fixed sleep: on a slow machine the first tick may
# come late, and its jobs would then race the fault cases below for the proxy's faults).
start_worker wf --concurrency 2 --lease 6s --backoff-base 1s --backoff-cap 4s
end=$((SECONDS + 60))
while [ $SECONDS -lt $end ]; do
  workers_alive || break
  list_jobs "$work/settle.json" && [ "$(q busy "$work/settle.json" "${extras[@]}")" = 0 ] &&
    { [ "$(q min-succeeded "$work/settle.json" "${extras[@]}")" -ge 1 ] ||
      [ "$(q count "$work/settle.json" state=failed)" != 0 ]; } && break
  sleep 1
done
[ "$(q busy "$work/settle.json" "${extras[@]}")" = 0 ] && [ "$(q count "$work/settle.json" state=failed)" = 0 ] &&
  [ "$(q min-succeeded "$work/settle.json" "${extras[@]}")" -ge 1 ] &&
  pass "the new archives settle: each ran its first scheduled job, no job failed ($(q count "$work/settle.json" state=succeeded) succeeded so far)" ||
  fail "the new archives do not settle (each of ${extras[*]} one succeeded mirror job, none busy or failed): $(cat "$work/settle.json")"

# fault_case ARCHIVE PROXY_MODE CLASSES: the proxy injects PROXY_MODE (2 faults), run-now; the job
# succeeds on a later attempt with errors of one of CLASSES (|-separated), and makes one run.
fault_case() {
  local a=$1 spec=$2 classes=$3 id runs_before injected what
  last_job=""
  runs_before=$(runs_of "$a")
  proxy faults POST /mode "$spec" >/dev/null || { fail "$a: proxy mode $spec"; return; }
  id=$(run_now "$a")
  if [ -z "$id" ] || ! wait_job "$id" 90; then fail "$a: no finished job after run-now (job '$id')"; return; fi
  last_job=$id
  injected=$(proxy faults GET /stats | q_stats_faults)
  what="$a: $spec: job $id succeeded on attempt $(q get "$work/job-$id.json" attempt), errors"
  what+=" $(q classes "$work/job-$id.json"), $injected faults injected"
  no_problems "$what" transient "$work/job-$id.json" "$classes"
  [ "$(proxy faults GET /mode | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["remaining"])')" = 0 ] ||
    fail "$a: the proxy still has faults left: $(proxy faults GET /mode)"
  [ "$(runs_of "$a")" = $((runs_before + 1)) ] && pass "$a: one new run" ||
    fail "$a: runs $runs_before -> $(runs_of "$a"), want one more"
  proxy faults POST /reset >/dev/null
}
q_stats_faults() { "$PY" -c 'import json, sys; print(sum(json.load(sys.stdin)["faults"].values()))'; }
fault_case f1 '{"mode": "reset_after_bytes", "bytes": 100, "count": 2, "per": "request"}' connection
fault_case f2 '{"mode": "http_503", "count": 2}' 'http_5xx|s3_slowdown'
fault_case f3 '{"mode": "http_status", "status": 429, "retry_after": 3, "count": 2}' http_429
# Not a contract: how long after the last 429 the job ended (Retry-After: 3, backoff 1 s).
[ -n "$last_job" ] &&
  info "f3: the last retry ended $(q since-last-error "$work/job-$last_job.json") s after the last 429 (Retry-After: 3)"

# ==== 4. a permanent fault, parked, grouped, retried by the operator ====
tamper bad1
runs_before=$(runs_of bad1)
bad_id=$(run_now bad1)
sig_class=signature
if [ -n "$bad_id" ] && wait_job "$bad_id" 60; then
  what="bad1 (InRelease altered after signing): job $bad_id parked failed on attempt 1"
  message=$(q get "$work/job-$bad_id.json" error_message)
  what+=" ($(q get "$work/job-$bad_id.json" error_class): ${message:0:160})"
  no_problems "$what" permanent "$work/job-$bad_id.json"
  sig_class=$(q get "$work/job-$bad_id.json" error_class)
  [ "$(runs_of bad1)" = "$runs_before" ] && pass "bad1: no run made" || fail "bad1: a run was made"
  list_jobs "$work/failed.json" --state failed && [ "$(q job "$work/failed.json" "$bad_id" state)" = failed ] &&
    pass "jobs list --state failed lists job $bad_id" || fail "jobs list --state failed: $(cat "$work/failed.json")"
  if mvc jobs failures --json >"$work/failures.json" 2>&1; then
    no_problems "jobs failures --json groups bad1's failure ($(head -c 300 "$work/failures.json" | tr '\n' ' '))" \
      failures "$work/failures.json" "$sig_class" bad1
  else
    fail "jobs failures --json: $(cat "$work/failures.json")"
  fi
  mvc jobs failures --archive bad1 --json >"$work/failures-bad1.json" 2>&1 &&
    [ "$(q length "$work/failures-bad1.json")" -ge 1 ] &&
    mvc jobs failures --archive a01 --json >"$work/failures-a01.json" 2>&1 &&
    [ "$(q length "$work/failures-a01.json")" = 0 ] &&
    pass "jobs failures --archive: bad1 has a group, a01 none" ||
    fail "jobs failures --archive: $(cat "$work/failures-bad1.json" "$work/failures-a01.json")"
  untamper bad1
  if mvc jobs retry "$bad_id" >/dev/null && mvc jobs show "$bad_id" --json >"$work/retried.json" &&
    [ "$(q get "$work/retried.json" state)" != failed ] && wait_job "$bad_id" 60 &&
    [ "$(q get "$work/job-$bad_id.json" state)" = succeeded ]; then
    pass "bad1 fixed, jobs retry $bad_id: it succeeds (attempt $(q get "$work/job-$bad_id.json" attempt))"
  else
    fail "jobs retry $bad_id: $(cat "$work/job-$bad_id.json")"
  fi
  [ "$(runs_of bad1)" = $((runs_before + 1)) ] && pass "bad1: one new run after the retry" ||
    fail "bad1: runs $runs_before -> $(runs_of bad1)"
else
  fail "bad1: no finished job after run-now (job '$bad_id')"
fi

# ==== 5. SIGKILL in the middle of a job; another worker rescues it ====
stop_workers wf
proxy slowproxy POST /mode '{"mode": "delay", "ms": 30000}' >/dev/null || fail "slow proxy mode"
start_worker wk --concurrency 1 --lease 4s --backoff-base 1s --backoff-cap 4s
runs_before=$(runs_of slow)
slow_id=$(run_now slow)
holder="" claimed="" end=$((SECONDS + 30))
while [ -n "$slow_id" ] && [ $SECONDS -lt $end ]; do
  workers_alive || break
  # Running, and a request of it held by the proxy: in the middle of the mirror.
  if list_jobs "$work/running.json" --state running &&
    [ "$(q job "$work/running.json" "$slow_id" state)" = running ] &&
    [ "$(proxy slowproxy GET /stats | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["requests"])')" -ge 1 ]; then
    holder=$(q job "$work/running.json" "$slow_id" lease_holder)
    claimed=$(q job "$work/running.json" "$slow_id" started)
    break
  fi
  sleep 0.5
done
if [ -n "$holder" ]; then
  [ "${holder%/*}" = wk ] && pass "slow: job $slow_id running, leased by a slot of wk ($holder)" || fail "slow: job $slow_id leased by '$holder', want a slot of wk (wk/N)"
  if [ -n "${worker_pid[wk]:-}" ]; then
    kill -KILL "${worker_pid[wk]}"
    t_kill=$(date +%s.%N)
    wait "${worker_pid[wk]}" 2>/dev/null
    unset "worker_pid[wk]"
  else
    t_kill=$(date +%s.%N)  # it died by itself (reported): the rescue is still checked
  fi
  proxy slowproxy POST /reset >/dev/null
  start_worker wr --concurrency 2 --lease 4s --backoff-base 1s --backoff-cap 4s
  if wait_job "$slow_id" 120; then
    what="wk SIGKILLed mid-job: wr rescued job $slow_id after the lease (rescues"
    what+=" $(q get "$work/job-$slow_id.json" rescues), errors $(q classes "$work/job-$slow_id.json")) and it succeeded"
    no_problems "$what" rescued "$work/job-$slow_id.json" "$claimed" 4 "$t_kill"
    [ "$(runs_of slow)" = $((runs_before + 1)) ] && pass "slow: one new run" ||
      fail "slow: runs $runs_before -> $(runs_of slow)"
  fi
  fsck_clean "after the SIGKILL"
else
  fail "slow: job '$slow_id' never seen running with a request in flight"
  proxy slowproxy POST /reset >/dev/null
  [ -n "${worker_pid[wk]:-}" ] && stop_workers wk
  start_worker wr --concurrency 2 --lease 4s --backoff-base 1s --backoff-cap 4s
fi

# ==== 6. check: thresholds, retry --failed ====
check_status 0 "all is well"
ids=()
for a in bad1 bad2 bad3; do
  tamper "$a"
  id=$(run_now "$a")
  ids+=("$id")
  [ -n "$id" ] && wait_job "$id" 60 && [ "$(q get "$work/job-$id.json" state)" = failed ] ||
    fail "$a tampered: job '$id' did not fail"
done
if mvc jobs failures --json >"$work/failures3.json" 2>&1; then
  no_problems "jobs failures --json: the $sig_class group(s) hold bad1, bad2 and bad3" \
    failures "$work/failures3.json" "$sig_class" bad1 bad2 bad3
else
  fail "jobs failures --json: $(cat "$work/failures3.json")"
fi
# Three parked failures; a fresh catalog has no baseline (0), so the thresholds are the factors
# times the floor: failed > warn x max(floor, baseline) warns, > crit x max(...) is critical.
check_status 0 "3 failures, under a floor of 10" --floor 10
check_status 1 "3 failures, over 2x a floor of 1, under 10x" --floor 1 --warn-failed 2x --crit-failed 10x
check_status 2 "3 failures, over 2x a floor of 1" --floor 1 --warn-failed 1x --crit-failed 2x
for a in bad1 bad2 bad3; do untamper "$a"; done
mvc jobs retry --failed --archive bad1 >/dev/null || fail "jobs retry --failed --archive bad1"
if wait_job "${ids[0]}" 60 && [ "$(q get "$work/job-${ids[0]}.json" state)" = succeeded ]; then
  states=""
  for id in "${ids[1]}" "${ids[2]}"; do
    mvc jobs show "$id" --json >"$work/s.json" && states+="$(q get "$work/s.json" state) "
  done
  [ "$states" = "failed failed " ] &&
    pass "jobs retry --failed --archive bad1: bad1 succeeds, bad2 and bad3 stay failed" ||
    fail "after jobs retry --failed --archive bad1, bad2 and bad3 are: $states"
else
  fail "jobs retry --failed --archive bad1: job ${ids[0]} did not succeed"
fi
mvc jobs retry --failed --class "$sig_class" >/dev/null || fail "jobs retry --failed --class $sig_class"
ok=1
for id in "${ids[1]}" "${ids[2]}"; do
  wait_job "$id" 60 && [ "$(q get "$work/job-$id.json" state)" = succeeded ] || ok=0
done
[ $ok = 1 ] && pass "jobs retry --failed --class $sig_class: bad2 and bad3 succeed" ||
  fail "jobs retry --failed --class $sig_class"
check_status 0 "failures retried, all is well again"

# ==== 7. paused archives, resume, stale archives, UNKNOWN ====
stop_workers wr
list_jobs "$work/final.json"
no_problems "no job of a paused archive started while it was paused" \
  started-since "$work/final.json" "$t_pause" "${steady[@]}"
[ "$(q job "$work/final.json" "$cancelled" started)" = null ] && pass "the cancelled job $cancelled never ran" ||
  fail "the cancelled job: $(q job "$work/final.json" "$cancelled" state) started $(q job "$work/final.json" "$cancelled" started)"
for a in "${steady[@]}"; do mvc jobs resume "$a" >/dev/null || fail "jobs resume $a"; done
mvc jobs archives --json >"$work/archives2.json" 2>&1 && [ "$(q paused "$work/archives2.json" a01)" = no ] &&
  pass "jobs resume: a01 no longer paused" || fail "after resume: $(head -c 600 "$work/archives2.json")"
check_status 0 "workers stopped, nothing stale under the default --max-age"
sleep 3
check_status 1 "every archive's last run is older than 1 s" --max-age 1s
check_status 2 "... and older than 2 s" --max-age 1s --max-age-crit 2s
echo "this is not a catalog" >"$work/garbage.db"
catalog_saved=$catalog
catalog="sqlite://$work/garbage.db"
check_status 3 "a catalog that cannot be read"
catalog=$catalog_saved
fsck_clean "at the end"

# ==== 8. publish = [...]: a mirror job queues a publish of its run to the [[target]] ====
# pub1 has no `every`: its one mirror job is the run-now below. (With a schedule, the first tick
# of the new archive is due at once: had the run-now job already finished when wp's scheduler
# reached pub1, the tick made a second mirror job, and so a second publish job.)
pubdir=$work/published
{
  cat "$config"
  archive_toml pub1 "$url/pub1/" ""
  echo 'publish = ["folder-target"]'
  printf '\n[[target]]\nname = "folder-target"\nfolder = "%s"\n' "$pubdir"
} >"$work/publish.toml"
ln -sfn "$repo" "$web/pub1"
config_saved=$config
config=$work/publish.toml
start_worker wp
mvc jobs run-now pub1 >/dev/null || fail "jobs run-now pub1"
# Until pub1 has a succeeded publish job and no job left to run (wp also runs the due mirror jobs
# of a01..a30, every 20 s).
ok="" end=$((SECONDS + 120))
while [ $SECONDS -lt $end ]; do
  workers_alive || break
  if list_jobs "$work/pub.json" --archive pub1 &&
    [ "$(q count "$work/pub.json" kind=publish state=succeeded)" -ge 1 ] && [ "$(q busy "$work/pub.json" pub1)" = 0 ]; then
    ok=1
    break
  fi
  sleep 1
done
stop_workers wp
list_jobs "$work/pub.json" --archive pub1
if [ -n "$ok" ] && [ "$(q count "$work/pub.json" kind=mirror)" = 1 ] &&
  [ "$(q count "$work/pub.json" kind=mirror state=succeeded)" = 1 ] &&
  [ "$(q count "$work/pub.json" kind=publish)" = 1 ] &&
  cmp -s "$pubdir/dists/bookworm/InRelease" "$repo/dists/bookworm/InRelease" &&
  [ -f "$pubdir/.mirrorvault/publish-state.json" ]; then
  pass "publish = [...]: the mirror job of pub1 queued one publish job, which wrote its run to the folder target"
else
  fail "publish after mirror (want one mirror and one publish job of pub1, both succeeded$([ -n "$ok" ] || echo ", within 120 s")): $(head -c 1500 "$work/pub.json")"
fi
config=$config_saved

# ==== 9. the admin API and the metrics on `mirrorvault serve` ====
. "$here/tests/support/serve_helpers.sh"
token=adm-$RANDOM-$RANDOM
if MIRRORVAULT_ADMIN_TOKEN=$token mv_start_serve "$mv" "$work/serve.out" --config "$config" \
    --store "$store" --catalog "$catalog"; then
  base=http://127.0.0.1:$SERVE_PORT
  a=$(curl -s -o /dev/null -w '%{http_code}' "$base/admin/jobs")
  b=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer wrong-$token" "$base/admin/jobs")
  c=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/admin/archives/a01/pause")
  [ "$a" = 401 ] && [ "$b" = 401 ] && [ "$c" = 401 ] &&
    pass "admin API: no token 401, a wrong one 401, an action without one 401" ||
    fail "admin API refusals: $a $b $c"
  curl -sf -H "Authorization: Bearer $token" "$base/admin/jobs?state=succeeded&limit=5" >"$work/admin-jobs.json" &&
    "$PY" -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if len(j)==5 and all(x["state"]=="succeeded" for x in j) else 1)' "$work/admin-jobs.json" &&
    pass "admin API: GET /admin/jobs with the token lists jobs" || fail "admin jobs: $(head -c 300 "$work/admin-jobs.json")"
  code=$(curl -s -o "$work/admin-pause.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $token" \
    -H "X-Mirrorvault-Operator: carol" "$base/admin/archives/a01/pause")
  mvc jobs archives --json >"$work/archives3.json" 2>&1
  [ "$code" = 200 ] && [ "$(q paused "$work/archives3.json" a01)" = yes ] &&
    curl -sf -H "Authorization: Bearer $token" "$base/admin/audit?limit=1" | grep -q '"who":"carol via admin API from 127.0.0.1"' &&
    pass "admin API: POST pause pauses a01 and the audit log names carol" ||
    fail "admin pause: $code $(cat "$work/admin-pause.json")"
  curl -s "$base/metrics" >"$work/metrics.txt"
  grep -q '^mirrorvault_jobs{kind="mirror",state="succeeded"} [1-9]' "$work/metrics.txt" &&
    grep -q '^mirrorvault_job_duration_seconds_count{kind="mirror"} [1-9]' "$work/metrics.txt" &&
    grep -q '^mirrorvault_archive_last_success_timestamp_seconds{archive="a01"}' "$work/metrics.txt" &&
    grep -q '^mirrorvault_archive_imported_files{archive="a01"}' "$work/metrics.txt" &&
    grep -q '^mirrorvault_job_rescues_total [1-9]' "$work/metrics.txt" &&
    pass "/metrics: jobs by state, durations, last success, imported files, rescues" ||
    fail "metrics: $(grep -c mirrorvault_job "$work/metrics.txt") job lines"
  if lint=$(promtool check metrics <"$work/metrics.txt" 2>&1); then
    pass "/metrics with the job metrics passes promtool check metrics"
  else
    fail "promtool check metrics: $lint"
  fi
  kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null
else
  fail "mirrorvault serve did not start"
fi

if [ "$failures" -ne 0 ]; then
  for f in "$work"/w*.log "$work"/faults.log "$work"/slowproxy.log; do
    [ -s "$f" ] && { echo "---- last lines of ${f##*/}"; tail -n 15 "$f"; }
  done
  echo "---- the checks that failed (above, in order)"
  for c in "${failed_checks[@]}"; do echo "FAIL ${c:0:600}"; done
fi
echo "$failures failure(s)"
[ "$failures" -eq 0 ]
