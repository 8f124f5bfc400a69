# Sourced by the shell tests that run `mirrorvault serve`.
#
# mv_start_serve MV OUT ARGS...: starts `MV serve --listen 127.0.0.1:0 ARGS...` in the background
# (stdout in OUT, stderr in OUT.err) and waits until it prints the URL it serves on; sets
# SERVE_PID and SERVE_PORT. Returns 1, showing the server's output, when it does not start.
mv_start_serve() {
  local mv=$1 out=$2
  shift 2
  "$mv" serve --listen 127.0.0.1:0 "$@" >"$out" 2>"$out.err" &
  SERVE_PID=$!
  SERVE_PORT=""
  for _ in $(seq 100); do
    SERVE_PORT=$(grep -o 'http://127.0.0.1:[0-9]*/' "$out" 2>/dev/null | grep -o '[0-9]*/$' | tr -d /)
    [ -n "$SERVE_PORT" ] && return 0
    kill -0 "$SERVE_PID" 2>/dev/null || break
    sleep 0.1
  done
  cat "$out" "$out.err"
  echo "FAIL mirrorvault serve did not start"
  return 1
}
