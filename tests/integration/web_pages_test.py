#!/usr/bin/env python3
"""The web pages in headless Chromium (tests/support/cdp_browser.py): from the home page, click
through to an archive, its newest run, down the tree to a Release file; search a package, open
its page, follow a file link; the removals and a withdrawn file's 451; check each page on a phone
viewport (no horizontal scrolling, the
viewport meta honoured), and that no page made a request off the server, failed a request or
logged a console error. Screenshots go to SHOTS_DIR.

    web_pages_test.py BASE_URL SHOTS_DIR"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from cdp_browser import Browser  # noqa: E402

base, shots = sys.argv[1].rstrip("/"), sys.argv[2]
failures = 0


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures += 1


def on_phone(b, name):
    b.set_viewport(390, 844)
    problems = b.phone_problems()
    check(not problems, f"{name} reads on a phone (390 px): {problems or 'no horizontal scroll'}")
    b.screenshot(os.path.join(shots, name + "-phone.png"), full_page=True)
    b.reset_viewport()


with Browser() as b:
    check(b.goto(base + "/") == 200, "home page loads")
    check("debian" in b.text("table"), "home lists the archive")
    b.screenshot(os.path.join(shots, "home.png"))
    on_phone(b, "home")

    check(b.click("a.archive") == 200 and b.url() == base + "/archive/debian/", "click the archive: its runs")
    check(b.count("a.run") == 2 and b.count("h2") == 1, "two runs, grouped under their year")
    b.click("a.run")  # the newest comes first
    check("/archive/debian/2" in b.url() and b.url().endswith("Z/"), f"newest run's root listing: {b.url()}")
    run_url = b.url()
    b.click('a[href$="/dists/"]')
    b.click('a[href$="/bookworm/"]')
    check(b.url() == run_url + "dists/bookworm/", "down to dists/bookworm/")
    on_phone(b, "listing")
    status = b.click('a[href$="/bookworm/Release"]')
    check(status == 200 and "Suite: bookworm" in b.text("body"), "a click on Release shows the file")
    b.screenshot(os.path.join(shots, "release.png"))

    b.goto(base + "/")
    b.evaluate("document.querySelector('input[name=q]').value = 'mvs'")
    b.click("header button")
    check(b.url() == base + "/package/?q=mvs" and b.count('a[href="/package/mvsrc/"]') == 1,
          "the search box finds mvsrc by its first letters")
    b.click('a[href="/package/mvsrc/"]')
    check(b.text("h1") == "mvsrc" and b.count("h2") == 2, "the package page shows both versions")
    check(b.count("table.presence") == 2, "and when each was present")
    on_phone(b, "package")
    b.screenshot(os.path.join(shots, "package.png"), full_page=True)
    status = b.click("a.file")
    check(status == 200 and "/file/" in b.url(), f"a file link of the package page serves the file: {b.url()}")

    check(b.goto(base + "/removal/") == 200 and b.count('a[href^="/removal/2"]') == 1,
          "/removal/ lists the one removal")
    check("a test removal" in b.text("table"), "with its reason")
    on_phone(b, "removals")
    check(b.click('a[href^="/removal/2"]') == 200 and b.count("tbody tr") == 1,
          "a click on it: the removal's page lists its file")
    on_phone(b, "removal")
    withdrawn = b.text("tbody td code")
    status = b.goto(base + "/file/" + withdrawn)
    check(status == 451 and b.count('a[href^="/removal/2"]') == 1,
          f"the withdrawn file answers 451 with a link to its removal ({status})")
    b.screenshot(os.path.join(shots, "withdrawn.png"))

    b.goto(base + "/archive/debian/now/no/such/path")
    check("no file or directory" in b.text("body"), "a missing path says so")

    outside = b.requests_outside(base)
    check(not outside, f"no request left the server: {outside[:3]}")
    failed = [f for f in b.failed_requests
              if "/no/such/path" not in f["url"] and not f["url"].endswith("/file/" + withdrawn)]
    check(not failed, f"no failed request: {failed[:3]}")
    check(not b.console_errors, f"no console error: {b.console_errors[:3]}")

sys.exit(1 if failures else 0)
