#!/usr/bin/python3
"""Samples files that exist at random runs, through `mirrorvault serve`, for bench/scale.

  sample_paths.py URL ARCHIVE RUNS_FILE START COUNT SEED > PAIRS_FILE

RUNS_FILE holds run ids (one a line). Each of COUNT samples picks a run at random and walks down
from the folder START (e.g. "pool/") through JSON listings, choosing each entry with a weight of
the files under it, so that every file of the run's START is equally likely. Prints "RUN PATH"
lines. The walk warms the server it asks: bench/scale runs it on a server of its own, before the
server it measures starts cold.
"""
import http.client
import json
import random
import sys
import urllib.parse


def listing(conn, archive, run, folder):
    conn.request("GET", "/archive/%s/%s/%s" % (archive, run, urllib.parse.quote(folder)),
                 headers={"Accept": "application/json"})
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError("listing of %s at %s: HTTP %d" % (folder, run, response.status))
    return json.loads(body)["entries"]


def main(argv):
    if len(argv) != 7:
        sys.stderr.write(__doc__)
        return 2
    url, archive, runs_file, start, count, seed = argv[1:]
    runs = [line.strip() for line in open(runs_file) if line.strip()]
    rng = random.Random(int(seed))
    parsed = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    made = 0
    while made < int(count):
        run = rng.choice(runs)
        folder = start
        while True:
            entries = [e for e in listing(conn, archive, run, folder)
                       if e["type"] == "file" or e.get("files", 0) > 0]
            if not entries:
                break  # an empty folder: try another run
            weights = [1 if e["type"] == "file" else e["files"] for e in entries]
            e = rng.choices(entries, weights)[0]
            if e["type"] == "file":
                print(run, folder + e["name"])
                made += 1
                break
            folder = folder + e["name"] + "/"
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
