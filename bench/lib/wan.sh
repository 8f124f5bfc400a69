#!/usr/bin/env bash
# An emulated long, fat link inside this machine, for benchmarks that fetch over a WAN:
#
#   root namespace  mvwan0 198.18.0.1  <-- delayline.py: RTT/2 each way -->  mvwan1 198.18.0.2
#                   tbf RATE on egress                                        tbf RATE on egress,
#                                                                             namespace mvwan:
#                                                                             nginx on DOCROOT
#
#   bench/lib/wan.sh up STATE RTT_MS RATE DOCROOT   make the link and serve DOCROOT across it:
#                     http://198.18.0.2:18090/ (HTTP/1.1) and https://198.18.0.2:18443/ (HTTP/2
#                     or 1.1 by ALPN, a throwaway CA in STATE/ca.pem); writes STATE/env with
#                     WAN_HTTP_URL, WAN_HTTPS_URL, WAN_CA, WAN_ACCESS_LOG, WAN_RTT_MS, WAN_RATE
#   bench/lib/wan.sh probe STATE                    5 fresh requests: connect ~1 RTT, first byte ~2
#   bench/lib/wan.sh down STATE                     stop what `up` started (by pid) and remove it
#
# RATE is a tc rate (200mbit) or "none". Needs root, ip, tc, nginx, openssl and python3. This
# kernel has no netem qdisc, so the delay is bench/lib/delayline.py's, in user space: its CPU
# competes with the benchmark's on the same cores (wan.sh down prints its packet counts). The
# 198.18.0.0/15 range is reserved for network benchmarks (RFC 2544); `up` checks that the route
# to 198.18.0.2 goes through the emulated link before anything is measured over it.
set -euo pipefail
lib=$(cd "$(dirname "$0")" && pwd)
NETNS=mvwan HERE=198.18.0.1 THERE=198.18.0.2 HTTP_PORT=18090 HTTPS_PORT=18443
die() { echo "wan.sh: $*" >&2; exit 1; }

up() {
  local state=$1 rtt=$2 rate=$3 docroot
  docroot=$(realpath "$4")
  [ "$(id -u)" -eq 0 ] || die "needs root (a network namespace and TUN devices)"
  [ ! -e "/run/netns/$NETNS" ] || die "namespace $NETNS exists: bench/lib/wan.sh down (its STATE)"
  mkdir -p "$state/nginx/tmp"
  ip netns add "$NETNS"
  ip -n "$NETNS" link set lo up
  ip tuntap add dev mvwan0 mode tun
  ip -n "$NETNS" tuntap add dev mvwan1 mode tun
  ip addr add "$HERE" peer "$THERE/32" dev mvwan0
  ip -n "$NETNS" addr add "$THERE" peer "$HERE/32" dev mvwan1
  ip link set mvwan0 addrgenmode none up
  ip -n "$NETNS" link set mvwan1 addrgenmode none up
  if [ "$rate" != none ]; then  # a queue of up to 50 ms at the rate, like a router's buffer
    tc qdisc add dev mvwan0 root tbf rate "$rate" burst 64kb latency 50ms
    tc -n "$NETNS" qdisc add dev mvwan1 root tbf rate "$rate" burst 64kb latency 50ms
  fi
  python3 "$lib/delayline.py" "$NETNS" mvwan0 mvwan1 "$(echo "$rtt / 2" | bc -l)" \
    >"$state/delayline.log" 2>&1 </dev/null &
  echo $! >"$state/delayline.pid"
  for _ in $(seq 50); do [ "$(cat /sys/class/net/mvwan0/carrier 2>/dev/null)" = 1 ] && break; sleep 0.1; done
  ip route get "$THERE" | grep -q ' dev mvwan0 ' || die "the route to $THERE does not go through mvwan0"

  # A throwaway CA and a certificate for the far address, for HTTPS (and so HTTP/2 by ALPN).
  "$lib/../../scripts/throwaway-cert" "$state" "$THERE" "mirrorvault bench CA" 2 ||
    die "could not make the throwaway certificate"

  local user_line=""
  [ "$(id -u)" -ne 0 ] || user_line="user root;"
  cat >"$state/nginx/nginx.conf" <<EOF
$user_line
worker_processes 2;
pid $state/nginx/nginx.pid;
error_log $state/nginx/error.log;
events { worker_connections 4096; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  sendfile on; tcp_nopush on; tcp_nodelay on;
  keepalive_requests 1000000;
  http2_max_concurrent_streams 256;
  access_log $state/nginx/access.log;
  client_body_temp_path $state/nginx/tmp/body; proxy_temp_path $state/nginx/tmp/proxy;
  fastcgi_temp_path $state/nginx/tmp/fastcgi; uwsgi_temp_path $state/nginx/tmp/uwsgi;
  scgi_temp_path $state/nginx/tmp/scgi;
  server {
    listen $THERE:$HTTP_PORT;
    listen $THERE:$HTTPS_PORT ssl http2;
    ssl_protocols TLSv1.2 TLSv1.3;  # 1.3 as servers offer it today: a one-round-trip handshake
    ssl_certificate $state/server.pem;
    ssl_certificate_key $state/server.key;
    root $docroot;
    autoindex on;
  }
}
EOF
  ip netns exec "$NETNS" nginx -p "$state/nginx" -c "$state/nginx/nginx.conf" -e "$state/nginx/error.log"
  for _ in $(seq 50); do [ -s "$state/nginx/nginx.pid" ] && break; sleep 0.1; done
  [ -s "$state/nginx/nginx.pid" ] || die "nginx did not start: $(cat "$state/nginx/error.log")"
  cat >"$state/env" <<EOF
WAN_HTTP_URL=http://$THERE:$HTTP_PORT
WAN_HTTPS_URL=https://$THERE:$HTTPS_PORT
WAN_CA=$state/ca.pem
WAN_ACCESS_LOG=$state/nginx/access.log
WAN_RTT_MS=$rtt
WAN_RATE=$rate
EOF
  echo "wan.sh: $HERE <-> $THERE, RTT $rtt ms, rate $rate; serving $docroot on" \
    "http://$THERE:$HTTP_PORT/ and https://$THERE:$HTTPS_PORT/" >&2
}

probe() {
  local state=$1
  . "$state/env"
  for _ in 1 2 3 4 5; do
    curl -s -o /dev/null --cacert "$WAN_CA" \
      -w 'connect %{time_connect} s  first byte %{time_starttransfer} s\n' "$WAN_HTTP_URL/"
  done
}

stop_pid() {  # PIDFILE NAME: TERM the process if it is still the one named
  local pid
  [ -s "$1" ] || return 0
  pid=$(cat "$1")
  if grep -qs "$2" "/proc/$pid/cmdline"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$1"
}

down() {
  local state=$1
  stop_pid "$state/nginx/nginx.pid" nginx
  stop_pid "$state/delayline.pid" delayline.py
  [ ! -s "$state/delayline.log" ] || cat "$state/delayline.log" >&2
  ip link del mvwan0 2>/dev/null || true
  if [ -e "/run/netns/$NETNS" ]; then
    ip -n "$NETNS" link del mvwan1 2>/dev/null || true
    ip netns del "$NETNS"
  fi
}

case "${1:-}" in
  up) [ $# -eq 5 ] || die "usage: wan.sh up STATE RTT_MS RATE DOCROOT"; up "$2" "$3" "$4" "$5" ;;
  probe) [ $# -eq 2 ] || die "usage: wan.sh probe STATE"; probe "$2" ;;
  down) [ $# -eq 2 ] || die "usage: wan.sh down STATE"; down "$2" ;;
  *) sed -n '2,/^set /{/^set /d;s/^# \{0,1\}//;p}' "$0" >&2; exit 2 ;;
esac
