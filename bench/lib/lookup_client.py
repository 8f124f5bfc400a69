#!/usr/bin/python3
"""Times path lookups and folder listings through `mirrorvault serve`, for bench/scale.

  lookup_client.py URL ARCHIVE PAIRS_FILE COUNT SEED

PAIRS_FILE holds "RUN PATH" lines: files that exist at those runs (bench/lib/sample_paths.py).
COUNT requests on one keep-alive connection, each for a random pair: half GET
/archive/ARCHIVE/RUN/PATH, half the listing of the path's folder at the run (redirects are not
followed: a redirect is a lookup's answer too). The same SEED asks the same requests in the same order (the harness runs it on a fresh
server, cold, then again, warm). Prints one line per kind: count, p50 and p99 in ms, and the
statuses seen.
"""
import http.client
import random
import sys
import urllib.parse

from stats import RequestTimes


def main(argv):
    if len(argv) != 6:
        sys.stderr.write(__doc__)
        return 2
    url, archive, pairs_file, count, seed = argv[1:]
    pairs = [line.split(None, 1) for line in open(pairs_file) if line.strip()]
    rng = random.Random(int(seed))
    parsed = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    timed = RequestTimes(conn)
    for i in range(int(count)):
        run, path = rng.choice(pairs)
        path = path.strip()
        kind = "file" if i % 2 == 0 else "listing"
        if kind == "listing":
            path = path.rsplit("/", 1)[0] + "/"
        target = "/archive/%s/%s/%s" % (archive, run, urllib.parse.quote(path))
        timed.get(kind, target)
    timed.report(["file", "listing"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
