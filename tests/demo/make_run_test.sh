#!/usr/bin/env bash
# `make run` as a newcomer runs it, in its own data folder and on a free port:
#  1. a clean demo (the server stopped after MV_DEMO_SECONDS) exits 0, shows the whole diff
#     (the new version's .deb and the new source tarball), and checks its server;
#  2. Ctrl-C (SIGINT to make's whole process group, as a terminal sends it) exits 130 and leaves
#     no server behind.
#   make_run_test.sh REPO BUILD_DIR
set -uo pipefail
repo=$1
build=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

# 1. A clean demo.
out=$work/clean.out
MV_DEMO_DATA=$work/clean MV_DEMO_LISTEN=127.0.0.1:0 MV_DEMO_SECONDS=1 \
  make -C "$repo" --no-print-directory run BUILD="$build" >"$out" 2>&1
rc=$?
if [ "$rc" -eq 0 ]; then pass "make run exits 0 after a clean demo"; else fail "make run exited $rc: $(tail -n 20 "$out")"; fi
grep -q "^ok: .*InRelease is served byte-for-byte and verifies" "$out" &&
  pass "the demo checked a past run's InRelease" || fail "no InRelease check in: $(cat "$out")"
grep -qE "^A +pool/.*mvdemo_2\.0_(all|amd64)\.deb" "$out" &&
  pass "the diff shows the new version's .deb" || fail "the diff lacks mvdemo_2.0: $(cat "$out")"
grep -qE "^A +pool/.*mvdemo-src_1\.1\.(tar|dsc)" "$out" && grep -qE "^A +pool/.*mvdemo-src_1\.1\.tar" "$out" &&
  pass "the diff shows the new source tarball" || fail "the diff lacks mvdemo-src_1.1's tarball: $(cat "$out")"
grep -q "^demo: the server stopped" "$out" && pass "the demo says the server stopped" ||
  fail "no closing line in: $(tail -n 5 "$out")"
grep -q "Error" "$out" && fail "make printed an error: $(grep Error "$out")" || pass "make printed no error"

# 2. Ctrl-C while serving. A command started with & here ignores SIGINT (no job control), and a
# shell cannot trap a signal ignored on entry: make starts in its own process group with SIGINT
# restored, as a terminal's foreground job has it.
out=$work/interrupt.out
MV_DEMO_DATA=$work/interrupt MV_DEMO_LISTEN=127.0.0.1:0 python3 -c '
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.setsid()
os.execvp(sys.argv[1], sys.argv[1:])' make -C "$repo" --no-print-directory run BUILD="$build" >"$out" 2>&1 &
make_pid=$!
for _ in $(seq 600); do
  grep -q "Stop with Ctrl-C" "$out" && break
  kill -0 "$make_pid" 2>/dev/null || break
  sleep 0.2
done
server_pid=$(pgrep -f "serve --listen 127.0.0.1:0 --access-log $work/interrupt/" | head -n 1)
if [ -z "$server_pid" ]; then
  fail "the interrupted demo did not start serving: $(tail -n 20 "$out")"
else
  kill -INT -- "-$make_pid"
  wait "$make_pid"
  rc=$?
  [ "$rc" -eq 130 ] && pass "Ctrl-C: make run exits 130" || fail "Ctrl-C: make run exited $rc, want 130"
  for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$server_pid" 2>/dev/null && { fail "Ctrl-C left the server running"; kill "$server_pid"; } ||
    pass "Ctrl-C stops the server"
fi

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all passed"
