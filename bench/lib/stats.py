"""Statistics shared by the bench/ helpers."""
import time


def percentile(values, p):
    """The p-th percentile of `values` by nearest rank, as every bench/ figure is given."""
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100.0 * len(values)))]


class RequestTimes:
    """Times GET requests on one keep-alive connection, by kind, and prints them as bench/ does:
    a line per kind with the count, p50 and p99 in ms, and the statuses seen."""

    def __init__(self, conn):
        self.conn = conn
        self.times = {}
        self.statuses = {}

    def get(self, kind, target):
        self.times.setdefault(kind, [])
        self.statuses.setdefault(kind, {})
        t0 = time.perf_counter()
        self.conn.request("GET", target)
        response = self.conn.getresponse()
        response.read()
        self.times[kind].append(time.perf_counter() - t0)
        self.statuses[kind][response.status] = self.statuses[kind].get(response.status, 0) + 1

    def report(self, kinds=None):
        for kind in kinds or list(self.times):
            t = self.times.get(kind, [])
            if not t:
                continue
            seen = " ".join("%d:%d" % kv for kv in sorted(self.statuses[kind].items()))
            print("%s %d p50 %.3f p99 %.3f statuses %s" % (kind, len(t), percentile(t, 50) * 1000,
                                                           percentile(t, 99) * 1000, seen))
