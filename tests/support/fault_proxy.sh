# Sourced by the shell tests that put tests/support/fault_proxy.py in front of a server.
#
# start_fault_proxy UPSTREAM(host:port) DIR: starts the proxy (its log in DIR/proxy.log) and waits
# for its ports; sets FP_PID, FP_PORT (the proxy) and FP_CONTROL (its control interface). Returns
# 1, showing the log, when it does not start.
# fault_proxy METHOD PATH [JSON]: a request to the control interface (POST /mode '{...}', GET
# /stats, POST /reset); its body on stdout.
start_fault_proxy() {
  local upstream=$1 dir=$2
  local here_support
  here_support=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  rm -f "$dir/proxy.port" "$dir/proxy.control"
  python3 "$here_support/fault_proxy.py" --listen 127.0.0.1:0 --upstream "$upstream" \
    --port-file "$dir/proxy.port" --control-port-file "$dir/proxy.control" 2>"$dir/proxy.log" &
  FP_PID=$!
  for _ in $(seq 100); do [ -s "$dir/proxy.port" ] && break; sleep 0.1; done
  if [ ! -s "$dir/proxy.port" ]; then
    cat "$dir/proxy.log"
    echo "FAIL the fault proxy did not start"
    return 1
  fi
  FP_PORT=$(cat "$dir/proxy.port")
  FP_CONTROL=$(cat "$dir/proxy.control")
}
fault_proxy() { curl -sf --max-time 10 -X "$1" ${3:+--data "$3"} "http://127.0.0.1:$FP_CONTROL$2"; }
