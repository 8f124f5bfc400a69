#!/usr/bin/python3
"""The disk's bound for a cold lookup, for bench/scale: reads of store objects that miss the page
cache.

  cold_read_bound.py STORE_DIR COUNT SEED

Picks COUNT random objects under STORE_DIR/blobs/ (a random blobs/<xx>/<yy>/ folder, then a random
file in it) and reads the first 4 KiB of each with O_DIRECT, past the page cache, one after the
other: what a lookup whose blob (or tree node) is not cached must wait for at least once. Prints
"cold reads N p50 MS p99 MS", or "cold reads: not measured (REASON)" where O_DIRECT is refused
(tmpfs, some overlay filesystems) or the store is not a local folder.
"""
import mmap
import os
import random
import sys
import time

from stats import percentile


def main(argv):
    if len(argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    root, count, seed = argv[1], int(argv[2]), int(argv[3])
    blobs = os.path.join(root, "blobs")
    if not os.path.isdir(blobs):
        print("cold reads: not measured (no blobs/ folder under %s)" % root)
        return 0
    rng = random.Random(seed)
    tops = sorted(os.listdir(blobs))
    buf = mmap.mmap(-1, 4096)  # page-aligned, as O_DIRECT needs
    times = []
    tries = 0
    while len(times) < count and tries < count * 20:
        tries += 1
        top = os.path.join(blobs, rng.choice(tops))
        subs = os.listdir(top)
        if not subs:
            continue
        folder = os.path.join(top, rng.choice(subs))
        files = [f for f in os.listdir(folder) if not f.startswith(".")]
        if not files:
            continue
        path = os.path.join(folder, rng.choice(files))
        try:
            fd = os.open(path, os.O_RDONLY | os.O_DIRECT)
        except OSError as e:
            print("cold reads: not measured (O_DIRECT refused: %s)" % e.strerror)
            return 0
        try:
            t0 = time.perf_counter()
            os.readv(fd, [buf])
            times.append(time.perf_counter() - t0)
        except OSError as e:
            print("cold reads: not measured (O_DIRECT read failed: %s)" % e.strerror)
            return 0
        finally:
            os.close(fd)
    if not times:
        print("cold reads: not measured (no objects found)")
        return 0
    print("cold reads %d p50 %.3f p99 %.3f" % (len(times), percentile(times, 50) * 1000,
                                                percentile(times, 99) * 1000))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
