#!/usr/bin/env bash
# Self-test of tests/support/cdp_browser.py (headless Chromium over CDP): a tiny static site served by
# python3 -m http.server on a free loopback port, driven through load, clicks, texts, failure
# detection, a phone viewport and screenshots.
#   tests/support/cdp_browser_selftest.sh      (needs: chromium python3-websocket)
# Env: CDP_PYTHON, the Python that runs the driver (default Debian's /usr/bin/python3, which sees
# python3-websocket); CDP_CHROMIUM, a chromium binary (default: `chromium` on PATH).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
py=${CDP_PYTHON:-/usr/bin/python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/cdp-browser-selftest.XXXXXX")
export TMPDIR=$work # chromium's temporary profile lands here too, so cleanup removes it whatever happens
pids=()
failed=0

# Stop what this script started: SIGTERM (the driver then closes chromium), up to 10 s, then SIGKILL.
cleanup() {
  local p i
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for ((i = 0; i < 100; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  if [ "$failed" -ne 0 ] && [ -f "$work/server.log" ]; then
    echo "---- http.server log (tail)"; tail -n 20 "$work/server.log"
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() { echo "FAIL  $*"; failed=1; exit 1; }

command -v chromium >/dev/null || [ -x /usr/lib/chromium/chromium ] || [ -n "${CDP_CHROMIUM:-}" ] ||
  fail "chromium is not installed (apt-get install chromium)"
"$py" -c 'import websocket' 2>/dev/null ||
  fail "$py cannot import websocket (apt-get install python3-websocket; set CDP_PYTHON to Debian's python3)"

# ---- the site
site=$work/site
mkdir -p "$site"
cat >"$site/index.html" <<'EOF'
<!doctype html>
<html><head><meta charset="utf-8"><title>Index</title></head>
<body><h1>Welcome</h1><p><a id="to-page2" href="page2.html">Go to page two</a></p></body></html>
EOF
cat >"$site/page2.html" <<'EOF'
<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Page two</title><style>body { font: 16px sans-serif; margin: 1em; }</style></head>
<body><h1>Page two</h1><p id="greeting">Hello from page two</p>
<p>Some text that wraps on a narrow screen rather than pushing the page wider than the phone.</p>
<p><a id="to-notes" href="notes.txt">The notes</a></p></body></html>
EOF
printf 'plain text notes\n' >"$site/notes.txt"
# Failures to detect: a missing image (404), an image on another origin (a refused loopback port),
# a console.error() and an uncaught exception.
cat >"$site/broken.html" <<'EOF'
<!doctype html>
<html><head><meta charset="utf-8"><title>Broken</title></head>
<body><p>Broken page</p><img src="missing.png" alt="missing"><img src="http://127.0.0.2:9/far.png" alt="far">
<script>console.error("deliberate console error"); undefinedFunction();</script></body></html>
EOF
cat >"$site/wide.html" <<'EOF'
<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Wide</title></head><body><div style="width: 1200px">too wide for a phone</div></body></html>
EOF

# ---- the server: port 0, so the kernel picks a free port and http.server prints it. The log exists
# before the server starts (the background job opens it only once it runs).
: >"$work/server.log"
"$py" -u -m http.server --bind 127.0.0.1 --directory "$site" 0 >"$work/server.log" 2>&1 &
pids+=($!)
port=""
for ((i = 0; i < 100; i++)); do
  port=$(sed -n 's/.*port \([0-9][0-9]*\).*/\1/p' "$work/server.log" | head -n 1)
  [ -n "$port" ] && break
  kill -0 "${pids[0]}" 2>/dev/null || break
  sleep 0.1
done
[ -n "$port" ] || fail "http.server did not start: $(cat "$work/server.log")"
echo "ok    http.server on 127.0.0.1:$port"

# ---- the driver, run in the background so the traps fire at once on INT/TERM
shot=$work/page2-phone.png
full=$work/page2-full.png
SELFTEST_BASE=http://127.0.0.1:$port SELFTEST_SHOT=$shot SELFTEST_FULL=$full \
  "$py" - "$here" <<'EOF' &
import os, signal, sys, time
sys.path.insert(0, sys.argv[1])
from cdp_browser import Browser, CDPError

signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so `with` closes chromium
base = os.environ["SELFTEST_BASE"]

def check(what, cond, detail=""):
    if not cond:
        raise SystemExit(f"FAIL  {what}{': ' + str(detail) if detail else ''}")
    print(f"ok    {what}", flush=True)

def raises(what, fn, needle):
    try:
        fn()
    except CDPError as e:
        check(what, needle in str(e), f"error {e!s:.300} lacks {needle!r}")
    else:
        check(what, False, "no error raised")

t0 = time.monotonic()
with Browser() as b:
    st = b.goto(base + "/index.html")
    t1 = time.monotonic()
    print(f"info  {b.version}; launch + first page {t1 - t0:.2f} s", flush=True)
    check("goto index: status 200", st == 200, st)
    check("index title and text", b.title() == "Index" and "Welcome" in b.text(), b.text())
    check("count(a) on index", b.count("a") == 1, b.count("a"))
    st = b.click("#to-page2")
    check("click link: status 200", st == 200, st)
    check("click link: url is page2", b.url() == base + "/page2.html", b.url())
    check("text on page2", b.text("#greeting") == "Hello from page two", b.text("#greeting"))
    st = b.click("a#to-notes")
    check("click to the text file: status 200", st == 200, st)
    check("text file content", b.url().endswith("/notes.txt") and b.text().strip() == "plain text notes",
          (b.url(), b.text()))
    check("no failed requests or console errors so far", b.failed_requests == [] and b.console_errors == [],
          (b.failed_requests, b.console_errors))
    check("no request left the origin", b.requests_outside(base) == [], b.requests_outside(base))
    raises("click on a missing selector raises", lambda: b.click("#nope"), "no element matches")
    raises("text of a missing selector raises", lambda: b.text("#nope"), "no element matches")
    raises("a JS error raises with its text", lambda: b.evaluate("undefinedFunction()"), "undefinedFunction")
    check("evaluate returns JSON data", b.evaluate("({a: [1, 'x']})") == {"a": [1, "x"]})
    check("goto a missing page: status 404", b.goto(base + "/nope.html") == 404)
    b.clear_records()

    check("goto broken page: status 200", b.goto(base + "/broken.html") == 200)
    missing = [f for f in b.failed_requests if f["url"] == base + "/missing.png"]
    check("missing image reported as failed (404)", missing and missing[0].get("status") == 404, b.failed_requests)
    far = [f for f in b.failed_requests if f["url"] == "http://127.0.0.2:9/far.png"]
    check("refused image reported as failed (loadingFailed)", far and far[0].get("error"), b.failed_requests)
    check("external request detected", b.requests_outside(base) == ["http://127.0.0.2:9/far.png"],
          b.requests_outside(base))
    errs = b.console_errors
    check("console.error and uncaught exception reported",
          len(errs) == 2 and "deliberate console error" in errs[0] and "undefinedFunction" in errs[1], errs)
    b.clear_records()

    b.set_viewport(375, 667, mobile=True, scale=2)
    check("phone viewport: page2 loads", b.goto(base + "/page2.html") == 200)
    v = b.viewport_info()
    check("phone viewport: laid out 375 px wide", v["innerWidth"] == 375, v)
    check("phone viewport: page2 needs no horizontal scrolling", not b.needs_horizontal_scroll(), v)
    check("phone viewport: page2 has no phone problems", b.phone_problems() == [], b.phone_problems())
    b.goto(base + "/wide.html")
    check("phone viewport: a 1200 px page needs horizontal scrolling", b.needs_horizontal_scroll(),
          b.viewport_info())
    b.goto(base + "/index.html")
    check("phone viewport: index (no meta viewport) has phone problems", b.phone_problems() != [],
          b.viewport_info())
    b.goto(base + "/page2.html")
    b.screenshot(os.environ["SELFTEST_SHOT"])
    b.screenshot(os.environ["SELFTEST_FULL"], full_page=True)
    check("no failures on the phone pages", b.failed_requests == [] and b.console_errors == [],
          (b.failed_requests, b.console_errors))
print(f"info  driver run {time.monotonic() - t0:.2f} s", flush=True)
EOF
pids+=($!)
rc=0
wait "${pids[1]}" || rc=$?
[ "$rc" -eq 0 ] || fail "driver run exited with status $rc"

is_png() { [ -s "$1" ] && [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; }
is_png "$shot" || fail "screenshot $shot is not a non-empty PNG"
echo "ok    screenshot is a PNG ($(stat -c %s "$shot") bytes)"
is_png "$full" || fail "full-page screenshot $full is not a non-empty PNG"
echo "ok    full-page screenshot is a PNG ($(stat -c %s "$full") bytes)"
# The driver removed chromium's profile and left no chromium behind (its profile is under $work).
leftover=$(find "$work" -mindepth 1 -maxdepth 1 -name 'cdp-browser-*' | head -n 1)
[ -z "$leftover" ] || fail "chromium profile left behind: $leftover"
pgrep -f -- "--user-data-dir=$work/" >/dev/null && fail "chromium still running after close"
echo "ok    chromium closed, profile removed"
echo "cdp_browser selftest: all checks passed"
