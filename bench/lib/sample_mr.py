#!/usr/bin/python3
"""Samples snapshot.debian.org API queries that have answers, for bench/scale.

  sample_mr.py URL COUNT SEED

Asks `mirrorvault serve` at URL for /mr/package/, then for COUNT random source packages their
versions and one version's binary packages, and prints "KIND PATH" lines (KIND: versions,
srcfiles, binpackages, binfiles, binary, fileinfo): queries a client of the API makes, each with an
answer in this archive. Sampled through a server of its own, so that the timed server starts
cold (bench/lib/url_client.py times them).
"""
import http.client
import json
import random
import sys
import urllib.parse


def get(conn, path):
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError("%s: HTTP %d" % (path, response.status))
    return json.loads(body)


def main(argv):
    if len(argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    url, count, seed = argv[1], int(argv[2]), int(argv[3])
    parsed = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
    q = urllib.parse.quote
    names = [p["package"] for p in get(conn, "/mr/package/")["result"]]
    if not names:
        raise RuntimeError("the package index is empty: nothing to ask /mr/ about")
    rng = random.Random(seed)
    for name in rng.sample(names, min(count, len(names))):
        versions = [v["version"] for v in get(conn, "/mr/package/%s/" % q(name))["result"]]
        version = rng.choice(versions)
        base = "/mr/package/%s/%s" % (q(name), q(version))
        print("versions /mr/package/%s/" % q(name))
        print("srcfiles %s/srcfiles?fileinfo=1" % base)
        print("binpackages %s/binpackages" % base)
        binaries = get(conn, base + "/binpackages")["result"]
        if binaries:
            b = rng.choice(binaries)
            print("binary /mr/binary/%s/" % q(b["name"]))
            print("binfiles /mr/binary/%s/%s/binfiles?fileinfo=1" % (q(b["name"]), q(b["version"])))
        files = get(conn, base + "/srcfiles")["result"]
        if files:
            f = rng.choice(files)
            print("fileinfo /mr/file/%s/info" % (f["hash"] or f["sha256"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
