#!/usr/bin/python3
"""Synthetic mirror trees for bench/import.

  gen_tree.py small DIR COUNT SEED          COUNT small files (0.5-4 KB) in folders of 10,
                                            like dists/ and i18n indexes
  gen_tree.py pool DIR FILES DIRS SEED      FILES files of 4-400 KB (log-uniform) in DIRS folders
                                            pool/main/<x>/<source>/, plus a dists/ subtree
  gen_tree.py churn DIR FRACTION SEED       replaces every file of FRACTION of the pool folders
                                            (new names, new contents) and rewrites every index
                                            under dists/
Contents are random bytes (incompressible, all distinct). Prints the bytes written.
"""
import math
import os
import random
import sys

LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789"


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return len(data)


def pool_dir(root, i):
    return os.path.join(root, "pool", "main", LETTERS[i % len(LETTERS)], "src%06d" % i)


def rand_size(rng):
    return int(math.exp(rng.uniform(math.log(4 << 10), math.log(400 << 10))))


def write_pool_dir(root, i, generation, rng):
    d = pool_dir(root, i)
    total = 0
    for j in range(5):
        total += write(os.path.join(d, "src%06d_%d-%d_amd64.deb" % (i, generation, j)),
                       rng.randbytes(rand_size(rng)))
    return total


def write_dists(root, dirs, rng):
    """Indexes that all change each run: Packages (plain, and a compressed-looking copy),
    Sources, Contents and a Translation file, sized like a 20,000-source archive's."""
    base = os.path.join(root, "dists", "stable")
    total = 0
    stamp = rng.randbytes(16).hex()
    lines = "".join("Package: src%06d\nVersion: %s\nFilename: %s\n\n" % (i, stamp, pool_dir("", i))
                    for i in range(dirs))
    total += write(os.path.join(base, "main", "binary-amd64", "Packages"), lines.encode())
    total += write(os.path.join(base, "main", "binary-amd64", "Packages.xz"),
                   rng.randbytes(len(lines) // 8))
    total += write(os.path.join(base, "main", "source", "Sources.xz"), rng.randbytes(len(lines) // 10))
    total += write(os.path.join(base, "main", "Contents-amd64.gz"), rng.randbytes(len(lines) // 4))
    total += write(os.path.join(base, "main", "i18n", "Translation-en.bz2"), rng.randbytes(len(lines) // 20))
    total += write(os.path.join(base, "Release"), ("Date: %s\n" % stamp).encode())
    return total


def main():
    kind, root = sys.argv[1], sys.argv[2]
    if kind == "small":
        count, seed = int(sys.argv[3]), int(sys.argv[4])
        rng = random.Random(seed)
        total = 0
        for i in range(count):
            total += write(os.path.join(root, "dists", "idx%05d" % (i // 10), "f%d" % (i % 10)),
                           rng.randbytes(rng.randint(512, 4096)))
    elif kind == "pool":
        files, dirs, seed = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
        assert files == dirs * 5, "pool folders hold 5 files each"
        rng = random.Random(seed)
        total = sum(write_pool_dir(root, i, 0, rng) for i in range(dirs))
        total += write_dists(root, dirs, rng)
    elif kind == "churn":
        fraction, seed = float(sys.argv[3]), int(sys.argv[4])
        rng = random.Random(seed)
        dirs = sum(len(os.listdir(os.path.join(root, "pool", "main", x)))
                   for x in os.listdir(os.path.join(root, "pool", "main")))
        total = 0
        for i in rng.sample(range(dirs), max(1, int(dirs * fraction))):
            d = pool_dir(root, i)
            for name in os.listdir(d):
                os.unlink(os.path.join(d, name))
            total += write_pool_dir(root, i, seed, rng)
        total += write_dists(root, dirs, rng)
    else:
        sys.exit(__doc__)
    print(total)


if __name__ == "__main__":
    main()
