#!/usr/bin/python3
"""Times GET requests through one keep-alive connection, for bench/scale.

  url_client.py URL PATHS_FILE

PATHS_FILE holds "KIND PATH" lines (bench/lib/sample_mr.py); each path is asked once, in order.
Prints one line per kind: count, p50 and p99 in ms, and the statuses seen.
"""
import http.client
import sys
import time
import urllib.parse

from stats import percentile


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    url, paths_file = argv[1:]
    parsed = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
    times, statuses, kinds = {}, {}, []
    for line in open(paths_file):
        if not line.strip():
            continue
        kind, path = line.split(None, 1)
        if kind not in times:
            times[kind], statuses[kind] = [], {}
            kinds.append(kind)
        t0 = time.perf_counter()
        conn.request("GET", path.strip())
        response = conn.getresponse()
        response.read()
        times[kind].append(time.perf_counter() - t0)
        statuses[kind][response.status] = statuses[kind].get(response.status, 0) + 1
    for kind in kinds:
        t = times[kind]
        seen = " ".join("%d:%d" % kv for kv in sorted(statuses[kind].items()))
        print("%s %d p50 %.3f p99 %.3f statuses %s" % (kind, len(t), percentile(t, 50) * 1000,
                                                       percentile(t, 99) * 1000, seen))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
