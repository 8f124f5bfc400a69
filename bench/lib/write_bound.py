#!/usr/bin/env python3
"""write_bound.py STORE DEST: the filesystem's bound for writing a store's objects.

Reads every file under STORE/blobs and STORE/trees into memory, then writes the same layout
(the same folders, the same file names and bytes) under DEST, one create, write and close a
file, and then syncs the filesystem. Prints, as `key=value` words on one line: files, folders,
bytes, `write` (seconds to create the folders and files) and `durable` (seconds until the sync
returned). Python's own cost per file makes this an upper bound of the filesystem's cost: a
store that writes the same objects cannot be faster than the filesystem lets it be, and this
tells how far from it it is (bench/mirror prints the ratio).
"""
import os
import sys
import time


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: write_bound.py STORE DEST")
    store, dest = sys.argv[1], sys.argv[2]
    objects = []
    for kind in ("blobs", "trees"):
        for root, _, names in os.walk(os.path.join(store, kind)):
            for name in names:
                if name.startswith("."):
                    continue
                path = os.path.join(root, name)
                with open(path, "rb") as f:
                    objects.append((os.path.relpath(path, store), f.read()))
    if os.path.exists(dest):
        sys.exit(f"write_bound.py: {dest} exists")
    os.makedirs(dest)
    made = set()
    size = 0
    t0 = time.monotonic()
    for rel, data in objects:
        folder = os.path.dirname(rel)
        if folder not in made:
            os.makedirs(os.path.join(dest, folder), exist_ok=True)
            made.add(folder)
        fd = os.open(os.path.join(dest, rel), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.write(fd, data)
        os.close(fd)
        size += len(data)
    t1 = time.monotonic()
    os.sync()
    t2 = time.monotonic()
    print(f"files={len(objects)} folders={len(made)} bytes={size} write={t1 - t0:.3f} "
          f"durable={t2 - t0:.3f}")


if __name__ == "__main__":
    main()
