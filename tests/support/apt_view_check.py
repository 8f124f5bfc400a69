#!/usr/bin/env python3
"""Checks what an apt client would see at BASE_URL right now: the suite's InRelease, every index
its SHA256 list names among Packages and Sources (by hash, as apt with by-hash reads them), and every pool file the Packages indexes name, present with the right size (and, with
--hashes, the right SHA-256). Exit 0 and one line "ok RUN-LABEL N files" when the view is
complete; exit 1 naming the first missing or wrong file otherwise.

    apt_view_check.py BASE_URL [--suite bookworm] [--hashes]"""
import argparse
import hashlib
import lzma
import sys
import urllib.error
import urllib.request

ap = argparse.ArgumentParser()
ap.add_argument("base")
ap.add_argument("--suite", default="bookworm")
ap.add_argument("--hashes", action="store_true")
args = ap.parse_args()
base = args.base.rstrip("/")


def get(path, method="GET"):
    req = urllib.request.Request(base + "/" + urllib.request.quote(path), method=method)
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.read() if method == "GET" else int(r.headers.get("Content-Length", "-1"))


def fail(msg):
    print("FAIL " + msg)
    sys.exit(1)


try:
    inrelease = get(f"dists/{args.suite}/InRelease").decode()
except urllib.error.HTTPError as e:
    fail(f"InRelease: HTTP {e.code}")
entries, in_sha256 = [], False
for line in inrelease.splitlines():
    if line.startswith("SHA256:"):
        in_sha256 = True
        continue
    if in_sha256:
        if line.startswith(" "):
            sha, size, name = line.split()
            entries.append((sha, int(size), name))
        else:
            in_sha256 = False
checked = 0
for sha, size, name in entries:
    # The indexes apt fetches (by hash): Packages and Sources in their variants.
    if name.rsplit("/", 1)[-1].split(".")[0] not in ("Packages", "Sources"):
        continue
    directory = name.rsplit("/", 1)[0] if "/" in name else ""
    path = f"dists/{args.suite}/{directory}/by-hash/SHA256/{sha}"
    try:
        data = get(path)
    except urllib.error.HTTPError as e:
        fail(f"{name} by hash ({path}): HTTP {e.code}")
    if len(data) != size or hashlib.sha256(data).hexdigest() != sha:
        fail(f"{name} by hash: {len(data)} bytes with another hash (hash sum mismatch)")
    checked += 1
    if name.endswith("Packages.xz"):
        for para in lzma.decompress(data).decode().split("\n\n"):
            fields = dict(l.split(": ", 1) for l in para.splitlines() if ": " in l and not l.startswith(" "))
            if "Filename" not in fields:
                continue
            try:
                if args.hashes:
                    body = get(fields["Filename"])
                    ok = len(body) == int(fields["Size"]) and hashlib.sha256(body).hexdigest() == fields["SHA256"]
                else:
                    ok = get(fields["Filename"], "HEAD") == int(fields["Size"])
            except urllib.error.HTTPError as e:
                fail(f"{fields['Filename']} (named by {name}): HTTP {e.code}")
            if not ok:
                fail(f"{fields['Filename']}: wrong size or hash")
            checked += 1
label = next((l.split(": ", 1)[1] for l in inrelease.splitlines() if l.startswith("Date: ")), "?")
print(f"ok {label} {checked} files")
