"""A small driver for headless Chromium over the Chrome DevTools Protocol, for web-page tests.

Needs only Debian packages: `chromium` and `python3-websocket` (the websocket-client module; run
with Debian's /usr/bin/python3, which sees it). No Playwright, Selenium or pip.

    from cdp_browser import Browser, CDPError
    with Browser() as b:
        assert b.goto("http://127.0.0.1:8080/") == 200      # HTTP status of the main document
        b.click("a#next")                                  # real mouse click; waits for the new page
        assert b.text("h1") == "Page two" and b.url().endswith("/two")
        b.set_viewport(375, 667)                           # a phone (mobile emulation, DPR 2)
        assert not b.needs_horizontal_scroll()
        b.screenshot("/tmp/two.png", full_page=True)
        assert b.console_errors == [] and b.failed_requests == []
        assert b.requests_outside("http://127.0.0.1:8080") == []

What it records (cumulative until clear_records()):
  requests         every request URL the page made (redirect hops included)
  failed_requests  dicts {url, type, status} for responses >= 400 and {url, type, error} for
                   Network.loadingFailed (requests cancelled by the page or by navigating away are
                   not failures and are left out; so is a missing /favicon.ico, which headless
                   Chromium asks for by itself after each page load, unless ignore_favicon=False)
  console_errors   console.error()/console.assert() texts and uncaught exceptions, "text (url:line)"
JavaScript dialogs (alert, confirm) are accepted at once and their texts kept in `dialogs`.

Chromium runs in its own process group with a fresh temporary profile ($TMPDIR); close() (also on
__exit__ and at interpreter exit) asks it to quit, then kills the group and removes the profile.
If this Python process dies without closing, the kernel sends chromium SIGTERM (PR_SET_PDEATHSIG).
Errors are CDPError, with chromium's stderr tail when chromium itself failed.
"""

import atexit
import base64
import ctypes
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from urllib.parse import urlsplit

try:
    import websocket  # Debian: python3-websocket
except ImportError as e:  # pragma: no cover
    raise ImportError("cdp_browser needs the websocket-client module: apt-get install python3-websocket, "
                      "and run with Debian's /usr/bin/python3") from e

try:
    _libc = ctypes.CDLL("libc.so.6", use_errno=True)
except OSError:  # pragma: no cover
    _libc = None


class CDPError(RuntimeError):
    pass


class CDPTimeout(CDPError):
    pass


def find_chromium():
    """$CDP_CHROMIUM, else `chromium` on PATH (Debian's wrapper script), else the real binary."""
    for cand in (os.environ.get("CDP_CHROMIUM"), shutil.which("chromium"), "/usr/lib/chromium/chromium"):
        if cand and os.access(cand, os.X_OK):
            return cand
    raise CDPError("chromium not found (apt-get install chromium, or set CDP_CHROMIUM)")


def _headless_flag(binary):
    """--headless=new from Chromium 112 on (where it is the real browser); plain --headless before."""
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10).stdout
        major = int(re.search(r"(\d+)\.\d+\.\d+", out).group(1))
    except Exception:
        return "--headless"
    return "--headless=new" if major >= 112 else "--headless"


def _die_with_parent():  # runs in the child between fork and exec
    if _libc is not None:
        _libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


_NAV_START = ("Page.frameRequestedNavigation", "Page.frameStartedNavigating", "Page.frameStartedLoading")


class Browser:
    nav_grace = 0.5  # seconds click() watches for a navigation to start, when not told whether one will

    def __init__(self, timeout=30.0, window=(1280, 800), chromium=None, extra_args=(), ignore_favicon=True):
        self.timeout, self.ignore_favicon = timeout, ignore_favicon
        self.requests, self.failed_requests, self.console_errors, self.dialogs = [], [], [], []
        self._events = []           # (method, params) of our page session, in arrival order
        self._req = {}              # requestId -> url
        self._next_id = 0
        self._ws = self._proc = self._session = None
        self._window, self._viewport_width = window, window[0]
        self._closed = False
        self._dir = tempfile.mkdtemp(prefix="cdp-browser-")
        atexit.register(self.close)
        try:
            self._launch(chromium or find_chromium(), window, list(extra_args))
            self._attach()
        except BaseException:
            self.close()
            raise

    # ---- lifecycle -------------------------------------------------------------------------
    def _launch(self, binary, window, extra):
        profile = os.path.join(self._dir, "profile")
        args = [binary, _headless_flag(binary), "--remote-debugging-port=0", f"--user-data-dir={profile}",
                "--disable-gpu", "--no-first-run", "--no-default-browser-check", "--disable-default-apps",
                "--disable-extensions", "--disable-component-update", "--disable-background-networking",
                "--disable-sync", "--disable-domain-reliability", "--disable-client-side-phishing-detection",
                "--disable-breakpad", "--no-pings", "--no-proxy-server", "--metrics-recording-only",
                "--password-store=basic", "--disable-dev-shm-usage", "--mute-audio",
                "--disable-features=Translate,MediaRouter,OptimizationHints,DialMediaRouteProvider",
                f"--window-size={window[0]},{window[1]}"]
        if os.geteuid() == 0:
            args.append("--no-sandbox")  # chromium refuses to start as root with its sandbox
        args += extra + ["about:blank"]
        self._log_path = os.path.join(self._dir, "chromium.log")
        with open(self._log_path, "wb") as log:
            self._proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                          start_new_session=True, preexec_fn=_die_with_parent)
        # Chromium writes "PORT\n/devtools/browser/ID" once its DevTools server listens.
        port_file, deadline = os.path.join(profile, "DevToolsActivePort"), time.monotonic() + self.timeout
        while True:
            if self._proc.poll() is not None:
                raise CDPError(f"chromium exited with status {self._proc.returncode} before DevTools "
                               f"started\n{self.stderr_tail()}")
            try:
                with open(port_file) as f:
                    head = f.read()
                if "\n" in head:
                    port = int(head.split("\n", 1)[0])
                    break
            except (OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise CDPError(f"no {port_file} after {self.timeout}s\n{self.stderr_tail()}")
            time.sleep(0.05)
        # The browser endpoint from /json/version, not from the file's 2nd line (which may be half
        # written); no proxy, whatever http_proxy says.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"http://127.0.0.1:{port}/json/version", timeout=self.timeout) as r:
            info = json.load(r)
        self.version = info.get("Browser", "")
        self._ws = websocket.create_connection(info["webSocketDebuggerUrl"], timeout=self.timeout,
                                               suppress_origin=True)

    def _attach(self):
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self._session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True},
                                  session=False)["sessionId"]
        for domain in ("Page", "Runtime", "Network"):
            self.send(f"{domain}.enable")
        self.send("Network.setCacheDisabled", {"cacheDisabled": True})
        self._frame = self.send("Page.getFrameTree")["frameTree"]["frame"]["id"]

    def close(self):
        """Quit chromium (Browser.close, then SIGTERM, then SIGKILL to its process group); remove the
        temporary profile. Safe to call more than once."""
        if self._closed:
            return
        self._closed = True
        if self._ws is not None:
            try:
                self.send("Browser.close", session=False, timeout=5)
            except Exception:
                pass
            try:
                self._ws.close()
            except Exception:
                pass
        if self._proc is not None:
            for sig in ((None,) if self._ws else ()) + (signal.SIGTERM, signal.SIGKILL):
                if sig is not None:
                    try:
                        os.killpg(self._proc.pid, sig)
                    except ProcessLookupError:
                        pass
                try:
                    self._proc.wait(5)
                    break
                except subprocess.TimeoutExpired:
                    continue
            try:  # helpers (zygote, renderers) left in the group once the browser process is gone
                os.killpg(self._proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def stderr_tail(self, chars=3000):
        """The end of chromium's stdout/stderr, without its harmless D-Bus complaints."""
        try:
            with open(self._log_path, errors="replace") as f:
                lines = [l for l in f if "dbus" not in l.lower()]
        except OSError:
            return "(no chromium output)"
        return "--- chromium output (tail):\n" + "".join(lines)[-chars:]

    # ---- protocol ----------------------------------------------------------------------------
    def send(self, method, params=None, session=True, timeout=None, wait=True):
        """Send one CDP command (to our page session unless session=False) and return its result."""
        if self._closed and method != "Browser.close":
            raise CDPError(f"{method}: browser is closed")
        self._next_id += 1
        msg = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self._session
        try:
            self._ws.send(json.dumps(msg))
        except (websocket.WebSocketException, OSError) as e:
            raise CDPError(f"{method}: lost the connection to chromium: {e!r}\n{self.stderr_tail()}") from None
        if not wait:
            return None
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            reply = self._recv(deadline, method)
            if reply.get("id") == msg["id"]:
                if "error" in reply:
                    err = reply["error"]
                    raise CDPError(f"{method}: {err.get('message')} {err.get('data', '')}".rstrip())
                return reply.get("result", {})

    def _recv(self, deadline, what):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise CDPTimeout(f"timed out waiting for {what}")
        self._ws.settimeout(remaining)
        try:
            msg = json.loads(self._ws.recv())
        except websocket.WebSocketTimeoutException:
            raise CDPTimeout(f"timed out waiting for {what}") from None
        except (websocket.WebSocketException, OSError) as e:
            raise CDPError(f"lost the connection to chromium while waiting for {what}: {e!r}\n"
                           f"{self.stderr_tail()}") from None
        if "method" in msg and self._session is not None and msg.get("sessionId") == self._session:
            self._on_event(msg["method"], msg.get("params", {}))
        return msg

    def _failed(self, url, p, **what):
        favicon = p.get("type") == "Other" and urlsplit(url or "").path == "/favicon.ico"
        if not (favicon and self.ignore_favicon):
            self.failed_requests.append({"url": url, "type": p.get("type"), **what})

    def _on_event(self, method, p):
        self._events.append((method, p))
        if method == "Network.requestWillBeSent":
            self._req[p["requestId"]] = p["request"]["url"]
            self.requests.append(p["request"]["url"])
        elif method == "Network.responseReceived" and p["response"]["status"] >= 400:
            self._failed(p["response"]["url"], p, status=p["response"]["status"])
        elif method == "Network.loadingFailed" and not (p.get("canceled") and not p.get("blockedReason")):
            self._failed(self._req.get(p["requestId"]), p, error=p.get("blockedReason") or p.get("errorText"))
        elif method == "Runtime.consoleAPICalled" and p["type"] in ("error", "assert"):
            text = " ".join(str(a.get("value", a.get("description", a.get("type")))) for a in p["args"])
            f = ((p.get("stackTrace") or {}).get("callFrames") or [{}])[0]
            self.console_errors.append(f"{text} ({f.get('url', '?')}:{f.get('lineNumber', 0) + 1})")
        elif method == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            text = (d.get("exception") or {}).get("description") or d.get("text")
            self.console_errors.append(f"{text} ({d.get('url', '?')}:{d.get('lineNumber', 0) + 1})")
        elif method == "Page.javascriptDialogOpening":
            self.dialogs.append(p.get("message"))
            self.send("Page.handleJavaScriptDialog", {"accept": True}, wait=False)

    def _wait_event(self, pred, since, timeout, what):
        """The index of the first event at or after `since` for which pred(method, params) holds;
        None on timeout when `what` is None, else CDPError naming `what`."""
        deadline, i = time.monotonic() + timeout, since
        while True:
            for i in range(i, len(self._events)):
                if pred(*self._events[i]):
                    return i
            i = len(self._events)
            try:
                self._recv(deadline, what)
            except CDPTimeout:
                if what is None:
                    return None
                raise

    def clear_records(self):
        """Forget the requests, failures, console errors and dialogs recorded so far."""
        for lst in (self.requests, self.failed_requests, self.console_errors, self.dialogs):
            lst.clear()

    def requests_outside(self, origin):
        """Recorded request URLs not under `origin` (e.g. "http://127.0.0.1:8080"); data:, blob: and
        about: URLs are never external."""
        origin = origin.rstrip("/")
        return [u for u in self.requests if not u.startswith(("data:", "blob:", "about:"))
                and u != origin and not u.startswith(origin + "/")]

    # ---- page --------------------------------------------------------------------------------
    def _status_since(self, since):
        """HTTP status of the last main-frame document response at or after event `since`."""
        status = None
        for method, p in self._events[since:]:
            if (method == "Network.responseReceived" and p.get("type") == "Document"
                    and p.get("frameId") == self._frame):
                status = p["response"]["status"]
        return status

    def goto(self, url, timeout=None):
        """Navigate, wait for the load event, and return the main document's HTTP status (None for
        URLs without one, e.g. about:, data:, or a same-document #fragment change)."""
        timeout = timeout or self.timeout
        mark, deadline = len(self._events), time.monotonic() + timeout
        try:
            res = self.send("Page.navigate", {"url": url}, timeout=timeout)
            if res.get("errorText") and self._status_since(mark) is None:
                raise CDPError(f"goto {url}: {res['errorText']}")
            if res.get("loaderId"):
                self._wait_event(lambda m, p: m == "Page.loadEventFired", mark,
                                 deadline - time.monotonic(), f"the load of {url}")
        except CDPTimeout:
            raise CDPTimeout(f"goto {url}: not loaded within {timeout} s") from None
        return self._status_since(mark)

    def wait_for_load(self, timeout=None):
        """Wait for the next page load event (one already received does not count), e.g. after a
        navigation that the page's own script starts."""
        self._wait_event(lambda m, p: m == "Page.loadEventFired", len(self._events), timeout or self.timeout,
                         "a page load")

    def evaluate(self, js, timeout=None):
        """Evaluate a JS expression in the page (awaiting a promise result); return its value as JSON
        data. A JS exception raises CDPError with the exception's text."""
        res = self.send("Runtime.evaluate", {"expression": js, "returnByValue": True, "awaitPromise": True,
                                             "userGesture": True}, timeout=timeout)
        if "exceptionDetails" in res:
            d = res["exceptionDetails"]
            raise CDPError(f"JS error: {(d.get('exception') or {}).get('description') or d.get('text')}")
        r = res["result"]
        return r.get("value", r.get("unserializableValue"))

    def click(self, selector, navigation=None, timeout=None):
        """Click the first element matching a CSS selector with a real mouse click at its centre
        (scrolled into view first). navigation=None: if a navigation starts within nav_grace seconds,
        wait for the new page's load; True: one must start (within the timeout); False: don't wait.
        Returns the new document's HTTP status after a navigation, else None."""
        timeout = timeout or self.timeout
        box = self.evaluate(f"""(() => {{
            const el = document.querySelector({json.dumps(selector)});
            if (!el) return null;
            el.scrollIntoView({{block: "center", inline: "center"}});
            const r = el.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
            const hit = document.elementFromPoint(x, y);
            return {{x, y, w: r.width, h: r.height,
                     covered: !hit ? "nothing (off screen)" : (el === hit || el.contains(hit)) ? "" :
                              hit.outerHTML.slice(0, 120)}};
        }})()""")
        where = f"click({selector!r}) on {self.url()}"
        if box is None:
            raise CDPError(f"{where}: no element matches")
        if box["w"] == 0 or box["h"] == 0:
            raise CDPError(f"{where}: the element has no size (hidden?)")
        if box["covered"]:
            raise CDPError(f"{where}: the element's centre is covered by {box['covered']}")
        mark = len(self._events)
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": box["x"], "y": box["y"],
                                                   "button": "left" if kind != "mouseMoved" else "none",
                                                   "buttons": 1 if kind == "mousePressed" else 0,
                                                   "clickCount": 1})
        if navigation is False:
            return None
        main = lambda p: p.get("frameId") == self._frame
        started = lambda m, p: (m in _NAV_START and main(p)) or m == "Page.navigatedWithinDocument"
        start = self._wait_event(started, mark, timeout if navigation else self.nav_grace,
                                 f"a navigation after {where}" if navigation else None)
        if start is None:
            return None
        self._wait_event(lambda m, p: m in ("Page.loadEventFired", "Page.navigatedWithinDocument"), start,
                         timeout, f"the page load after {where}")
        return self._status_since(mark)

    def url(self):
        return self.evaluate("location.href")

    def title(self):
        return self.evaluate("document.title")

    def text(self, selector="body"):
        """The rendered text (innerText) of the first element matching selector; CDPError if none."""
        t = self.evaluate(f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
                          f" return e ? e.innerText : null; }})()")
        if t is None:
            raise CDPError(f"text({selector!r}) on {self.url()}: no element matches")
        return t

    def count(self, selector):
        return self.evaluate(f"document.querySelectorAll({json.dumps(selector)}).length")

    def set_viewport(self, width, height, mobile=True, scale=None):
        """Emulate a screen of width x height CSS pixels; mobile=True also honours <meta name=viewport>
        and enables touch, as a phone does. scale: device pixel ratio (default 2 mobile, 1 desktop)."""
        self.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "mobile": mobile,
                                                         "deviceScaleFactor": scale or (2 if mobile else 1)})
        self.send("Emulation.setTouchEmulationEnabled", {"enabled": mobile})
        self._viewport_width = width

    def reset_viewport(self):
        """Back to the desktop window given to the constructor."""
        self.send("Emulation.clearDeviceMetricsOverride")
        self.send("Emulation.setTouchEmulationEnabled", {"enabled": False})
        self._viewport_width = self._window[0]

    def viewport_info(self):
        """Layout numbers for readability checks. On a mobile viewport a page without
        <meta name="viewport" content="width=device-width"> is laid out 980 px wide and shrunk to
        fit: it never scrolls sideways but its text is tiny, so check innerWidth too."""
        return self.evaluate("""({innerWidth: innerWidth, clientWidth: document.documentElement.clientWidth,
            scrollWidth: document.documentElement.scrollWidth, devicePixelRatio: devicePixelRatio,
            metaViewport: (document.querySelector('meta[name=viewport]') || {}).content || null})""")

    def phone_problems(self):
        """Why the page (under a mobile set_viewport) is not readable on a phone; [] when it is."""
        v, problems = self.viewport_info(), []
        if "width=device-width" not in (v["metaViewport"] or "").replace(" ", ""):
            problems.append(f"no <meta name=viewport content=width=device-width> (has {v['metaViewport']!r})")
        if v["innerWidth"] > self._viewport_width:
            problems.append(f"laid out {v['innerWidth']} px wide on a {self._viewport_width} px screen")
        if self.needs_horizontal_scroll():
            problems.append(f"scrolls sideways: content is {v['scrollWidth']} px wide, "
                            f"the viewport {v['clientWidth']} px")
        return problems

    def needs_horizontal_scroll(self):
        """True when the page is wider than the viewport (documentElement.scrollWidth beyond the
        visible width; clientWidth rather than innerWidth so a vertical scrollbar is not counted)."""
        v = self.viewport_info()
        return v["scrollWidth"] > min(v["clientWidth"], v["innerWidth"])

    def screenshot(self, path, full_page=False):
        """Write a PNG of the viewport (or of the whole page) to path; return path."""
        params = {"format": "png"}
        if full_page:
            m = self.send("Page.getLayoutMetrics")
            size = m.get("cssContentSize") or m["contentSize"]
            params.update(captureBeyondViewport=True,
                          clip={"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1})
        data = base64.b64decode(self.send("Page.captureScreenshot", params)["data"])
        with open(path, "wb") as f:
            f.write(data)
        return path
