#!/usr/bin/env python3
"""A client of snapshot.debian.org's machine-readable API, written to its published JSON shapes
(the API document of the snapshot project), used to check that mirrorvault's
/mr/ answers what such clients expect. It walks package -> versions -> srcfiles (with fileinfo)
-> /file/HASH, binpackages -> binfiles -> /file/HASH, and /mr/file/HASH/info, and checks every
downloaded file against its SHA-1 (the API's "hash"), its SHA-256 (mirrorvault's addition) and
the size fileinfo gives.

    mr_client.py BASE_URL PACKAGE BINARY [EXPECTED_VERSION ...]

Prints one line per check; exits 1 on the first mismatch."""
import hashlib
import json
import sys
import urllib.error
import urllib.request

base = sys.argv[1].rstrip("/")
package = sys.argv[2]
binary = sys.argv[3]
expected_versions = sys.argv[4:]
checked_files = 0


def get(path):
    with urllib.request.urlopen(base + path, timeout=30) as r:
        return r.status, r.headers, r.read()


def get_json(path):
    status, headers, body = get(path)
    if status != 200 or not headers.get("Content-Type", "").startswith("application/json"):
        fail(f"{path}: status {status}, type {headers.get('Content-Type')}")
    return json.loads(body)


def fail(msg):
    print("FAIL " + msg)
    sys.exit(1)


def check_file(entry, info):
    global checked_files
    sha1, sha256 = entry["hash"], entry["sha256"]
    if len(sha1) != 40 or len(sha256) != 64:
        fail(f"hash shapes: {entry}")
    for h in (sha1, sha256):
        _, _, body = get("/file/" + h)
        if hashlib.sha1(body).hexdigest() != sha1 or hashlib.sha256(body).hexdigest() != sha256:
            fail(f"/file/{h}: the bytes do not have the hashes the API gave")
        places = info.get(sha1) if info is not None else None
        if places is not None:
            if not places:
                fail(f"fileinfo of {sha1} is empty")
            for p in places:
                for key in ("archive_name", "name", "path", "size", "first_seen"):
                    if key not in p:
                        fail(f"fileinfo of {sha1} lacks {key}: {p}")
                if p["size"] != len(body):
                    fail(f"fileinfo size {p['size']} != {len(body)} bytes served")
                if not (len(p["first_seen"]) == 16 and p["first_seen"][8] == "T"):
                    fail(f"first_seen is not a run id: {p['first_seen']}")
    file_info = get_json(f"/mr/file/{sha1}/info")
    if file_info["hash"] != sha1 or not file_info["result"]:
        fail(f"/mr/file/{sha1}/info: {file_info}")
    checked_files += 1


packages = [p["package"] for p in get_json("/mr/package/")["result"]]
if package not in packages:
    fail(f"{package} not in /mr/package/ ({len(packages)} packages)")
print(f"ok   /mr/package/ lists {len(packages)} source packages, {package} among them")

doc = get_json(f"/mr/package/{package}/")
versions = [v["version"] for v in doc["result"]]
if doc["package"] != package or not versions:
    fail(f"/mr/package/{package}/: {doc}")
if expected_versions and versions != expected_versions:
    fail(f"versions {versions}, expected {expected_versions} (newest first)")
print(f"ok   /mr/package/{package}/ versions newest first: {' '.join(versions)}")

for v in versions:
    src = get_json(f"/mr/package/{package}/{v}/srcfiles?fileinfo=1")
    if src["package"] != package or src["version"] != v or not src["result"]:
        fail(f"srcfiles of {v}: {src}")
    for entry in src["result"]:
        check_file(entry, src["fileinfo"])
    bins = get_json(f"/mr/package/{package}/{v}/binpackages")
    for b in bins["result"]:
        bf = get_json(f"/mr/package/{package}/{v}/binfiles/{b['name']}/{b['version']}?fileinfo=1")
        if bf["binary"] != b["name"] or bf["binary_version"] != b["version"]:
            fail(f"binfiles of {b}: {bf}")
        for entry in bf["result"]:
            if not entry.get("architecture"):
                fail(f"binfiles entry without architecture: {entry}")
            check_file(entry, bf["fileinfo"])
    allfiles = get_json(f"/mr/package/{package}/{v}/allfiles")
    if len(allfiles["result"]["source"]) != len(src["result"]):
        fail(f"allfiles of {v} disagrees with srcfiles")
    print(f"ok   {package} {v}: {len(src['result'])} source files, {len(bins['result'])} binaries")

doc = get_json(f"/mr/binary/{binary}/")
if doc["binary"] != binary or not doc["result"]:
    fail(f"/mr/binary/{binary}/: {doc}")
for b in doc["result"]:
    for key in ("name", "binary_version", "source", "version"):
        if key not in b:
            fail(f"/mr/binary/{binary}/ entry lacks {key}: {b}")
    bf = get_json(f"/mr/binary/{binary}/{b['binary_version']}/binfiles?fileinfo=1")
    if not bf["result"]:
        fail(f"no files for {binary} {b['binary_version']}")
    for entry in bf["result"]:
        check_file(entry, bf["fileinfo"])
print(f"ok   /mr/binary/{binary}/: {len(doc['result'])} version(s), built from {doc['result'][0]['source']}")

try:
    get(f"/mr/package/{package}/0.no-such-version/srcfiles")
    fail("an unknown version was not 404")
except urllib.error.HTTPError as e:
    if e.code != 404 or "error" not in json.loads(e.read()):
        fail(f"unknown version: {e.code}")
print(f"ok   every file ({checked_files}) fetched by SHA-1 and SHA-256 has both hashes and its size")
