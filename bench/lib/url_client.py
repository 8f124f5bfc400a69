#!/usr/bin/python3
"""Times GET requests through one keep-alive connection, for bench/scale.

  url_client.py URL PATHS_FILE

PATHS_FILE holds "KIND PATH" lines (bench/lib/sample_mr.py); each path is asked once, in order.
Prints one line per kind: count, p50 and p99 in ms, and the statuses seen.
"""
import http.client
import sys
import urllib.parse

from stats import RequestTimes


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    url, paths_file = argv[1:]
    parsed = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
    timed = RequestTimes(conn)
    for line in open(paths_file):
        if not line.strip():
            continue
        kind, path = line.split(None, 1)
        timed.get(kind, path.strip())
    timed.report()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
