# Shared by the benchmarks (sourced): timing, ratios, waiting for an idle machine, hashing rates.
# Needs `say` defined by the caller.
now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc -l; }
ratio() { printf '%.2f' "$(echo "$1 / $2" | bc -l)"; }
# Waits (up to 3 minutes) until the machine is idle: the write-back, discards and inode
# reclaim that earlier steps left behind would otherwise tax whichever step runs next. Idle:
# under 5% of the last 10 s stalled on CPU and on I/O (pressure stall information), or a load
# under 0.5 where the kernel has none.
idle() {
  if [ -r /proc/pressure/cpu ] && [ -r /proc/pressure/io ]; then
    awk -F'[= ]' '/^some/ {if ($3 >= 5) bad=1} END {exit bad}' /proc/pressure/cpu /proc/pressure/io
  else
    awk '{exit !($1 < 0.5)}' /proc/loadavg
  fi
}
settle() {
  sync
  sleep 5
  for _ in $(seq 1 90); do
    idle && return 0
    sleep 2
  done
  say "warning: the machine is still busy after 3 minutes; timing anyway"
}
# Bytes per second of `openssl speed -evp ALG` at 64 KiB blocks, on one core.
openssl_rate() {  # ALGORITHM: bytes a second on one core (asked again when a pass gives nothing)
  local rate="" try
  for try in 1 2 3; do
    rate=$(openssl speed -evp "$1" -bytes 65536 -seconds 3 2>/dev/null |
      awk -v a="$1" 'tolower($1)==a {v=$NF; sub(/k$/,"",v); print v*1000}')
    [ -z "$rate" ] || [ "$rate" = 0 ] || break
  done
  echo "${rate:-0}"
}
