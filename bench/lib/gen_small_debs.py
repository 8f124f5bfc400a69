#!/usr/bin/env python3
"""Writes a pool of many small real .deb files, and its churn, for bench/mirror --small.

    gen_small_debs.py DIR --count N [--generation G] [--change-percent P] [--seed S]

DIR/pool/main/<p>/<name>/<name>_<version>_all.deb as Debian lays a pool out (p: the name's first
letter, or its first four for lib*), one binary package per source, 1-7 KB each (a control member
and a data member holding /usr/share/doc/<name>/payload of incompressible bytes). Generation 0 is
the first state; each later generation gives P% of the packages a new version (a new file name;
the old file goes), so generation G is reached from G-1 by writing only the changed packages.
Deterministic: the same arguments give the same bytes. A .deb is an ar archive of debian-binary,
control.tar.gz and data.tar.gz (deb(5)); dpkg-deb and apt-ftparchive read these as any other.
"""
import argparse
import gzip
import io
import os
import random
import sys
import tarfile

EPOCH = 1700000000
SYLLABLES = ["ba", "ce", "di", "fo", "gu", "ha", "ke", "li", "mo", "nu", "pa", "re", "si", "to",
             "vu", "xa", "ze", "qo", "wi", "yo"]


def name_of(i):
    # Debian-like names: about one in six a lib*, the rest spread over the alphabet.
    r = random.Random(i * 7919 + 17)
    stem = "".join(r.choice(SYLLABLES) for _ in range(3))
    prefix = "lib" if i % 6 == 0 else ""
    return f"{prefix}{stem}{i}"


def pool_dir(name):
    p = name[:4] if name.startswith("lib") and len(name) > 3 else name[0]
    return f"pool/main/{p}/{name}"


def ar_member(name, data):
    header = f"{name:<16}{EPOCH:<12}{0:<6}{0:<6}{'100644':<8}{len(data):<10}`\n".encode()
    assert len(header) == 60
    return header + data + (b"\n" if len(data) % 2 else b"")


def tar_gz(files):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as t:
        dirs = set()
        for path, _ in files:
            parts = path.split("/")[:-1]
            for k in range(1, len(parts) + 1):
                dirs.add("/".join(parts[:k]))
        for d in sorted(dirs):
            info = tarfile.TarInfo("./" + d + "/")
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, EPOCH
            t.addfile(info)
        for path, data in files:
            info = tarfile.TarInfo("./" + path)
            info.size, info.mode, info.mtime = len(data), 0o644, EPOCH
            t.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), compresslevel=6, mtime=EPOCH)


def deb(name, version, seed):
    r = random.Random(seed)
    payload = r.randbytes(r.randint(700, 6500))
    control = (f"Package: {name}\nVersion: {version}\nArchitecture: all\n"
               f"Maintainer: mirrorvault bench <bench@mirrorvault.invalid>\n"
               f"Installed-Size: {len(payload) // 1024 + 1}\nSection: misc\nPriority: optional\n"
               f"Description: small package {name} for the mirror benchmark\n").encode()
    return (b"!<arch>\n" + ar_member("debian-binary", b"2.0\n")
            + ar_member("control.tar.gz", tar_gz([("control", control)]))
            + ar_member("data.tar.gz", tar_gz([(f"usr/share/doc/{name}/payload", payload)])))


def versions(count, generation, percent, seed):
    """Each package's revision at GENERATION, and the packages changed by it."""
    rev = [1] * count
    changed = []
    per = max(1, count * percent // 100)
    for g in range(1, generation + 1):
        changed = random.Random(seed * 1000003 + g).sample(range(count), per)
        for i in changed:
            rev[i] += 1
    return rev, set(changed)


def path_of(i, rev):
    name = name_of(i)
    return f"{pool_dir(name)}/{name}_1.0-{rev}_all.deb", name, f"1.0-{rev}"


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--generation", type=int, default=0)
    ap.add_argument("--change-percent", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if a.count < 1 or a.generation < 0 or not 0 < a.change_percent <= 100:
        sys.exit("gen_small_debs: --count >= 1, --generation >= 0, 0 < --change-percent <= 100")
    rev, changed = versions(a.count, a.generation, a.change_percent, a.seed)
    written = removed = 0
    for i in range(a.count):
        rel, name, version = path_of(i, rev[i])
        full = os.path.join(a.dir, rel)
        if not os.path.exists(full):
            write(full, deb(name, version, a.seed * 7 + i * 131 + rev[i]))
            written += 1
        if i in changed or rev[i] > 1:
            # Older revisions of this package left by an earlier generation go.
            for r in range(1, rev[i]):
                old = os.path.join(a.dir, path_of(i, r)[0])
                if os.path.exists(old):
                    os.remove(old)
                    removed += 1
    print(f"gen_small_debs: {a.dir}: {a.count} packages at generation {a.generation}: "
          f"{written} written, {removed} removed", file=sys.stderr)


if __name__ == "__main__":
    main()
