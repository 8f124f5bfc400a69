# Shared by bench/serve-s3 and bench/soak (sourced after bench/lib/common.sh): stopping children,
# free ports, background daemons, waiting for a URL, reading wrk's output, a process's memory and
# descriptors. Needs `say` and `die` defined by the caller.

# stop_pid PID NAME: SIGTERM, then SIGKILL after 10 s; waits for it (it is our child).
stop_pid() {
  local pid=$1 i
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "$2 (pid $pid) did not stop on SIGTERM within 10 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

# free_port [AVOID...]: a TCP port on 127.0.0.1 that nothing is bound to, below the ephemeral range
# and outside Ceph's OSD range (as scripts/test-services picks them); never one of AVOID.
free_port() {
  python3 - "$@" <<'EOF'
import random, socket, sys
avoid = {int(a) for a in sys.argv[1:]}
try:
    hi = int(open('/proc/sys/net/ipv4/ip_local_port_range').read().split()[0]) - 1
except OSError:
    hi = 32767
for _ in range(500):
    p = random.randint(20000, max(hi, 21000))
    if p in avoid or 6800 <= p <= 7300:
        continue
    s = socket.socket()
    try:
        s.bind(('127.0.0.1', p)); print(p); sys.exit(0)
    except OSError:
        pass
    finally:
        s.close()
sys.exit('no free port found')
EOF
}

# run_bg LOG CMD...: start CMD in the background (stdin /dev/null, output to LOG, no inherited
# descriptors above 2) and set BG_PID to its pid.
run_bg() {
  local logf=$1
  shift
  (
    for f in /proc/self/fd/*; do
      n=${f##*/}
      if [ "$n" -gt 2 ]; then eval "exec $n>&-" 2>/dev/null || true; fi
    done
    exec "$@"
  ) </dev/null >>"$logf" 2>&1 &
  BG_PID=$!
}

# wait_up NAME PID URL LOG: until URL answers 200 (30 s at most), or PID exits.
wait_up() {
  local i
  for i in $(seq 1 300); do
    kill -0 "$2" 2>/dev/null || { tail -20 "$4" >&2; die "$1 exited before answering $3"; }
    curl -sf -o /dev/null --max-time 2 "$3" && return 0
    sleep 0.1
  done
  tail -20 "$4" >&2
  die "$1 did not answer $3 within 30 s"
}

# parse_wrk FILE: "requests/s p50_ms p99_ms MiB/s errors requests" from wrk --latency's output
# ("-" where a figure is missing). wrk prints times as us/ms/s/m/h and sizes in 1024-based units;
# its "Non-2xx or 3xx responses" and "Socket errors" lines appear only when there are some.
parse_wrk() {
  awk '
    function ms(v,  n, u) { n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
      if (u == "us") return n / 1000; if (u == "ms") return n; if (u == "s") return n * 1000
      if (u == "m") return n * 60000; if (u == "h") return n * 3600000; return "-" }
    function mib(v,  n, u) { n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
      if (u == "B") return n / 1048576; if (u == "KB") return n / 1024; if (u == "MB") return n
      if (u == "GB") return n * 1024; if (u == "TB") return n * 1048576; return "-" }
    BEGIN { rps = p50 = p99 = tr = req = "-"; err = 0 }
    /^Requests\/sec:/ { rps = $2 }
    /^Transfer\/sec:/ { tr = mib($2) }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    / requests in / { req = $1 }
    /Non-2xx or 3xx responses:/ { err += $NF }
    /Socket errors:/ { for (i = 3; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) err += $i + 0 }
    END { print rps, p50, p99, tr, err, req }
  ' "$1"
}

# socket_errors FILE: wrk's socket errors (connect, read, write, timeout), 0 when none.
socket_errors() {
  awk '/Socket errors:/ { for (i = 3; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) e += $i + 0 } END { print e + 0 }' "$1"
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
fd_count() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
mib_of_kb() { printf '%.1f' "$(echo "${1:-0} / 1024" | bc -l)"; }
fmt() { [ "$2" = - ] && echo - || printf "%.$1f" "$2"; }
verdict() { if [ "$1" = 1 ]; then echo met; else echo MISSED; fi; }
