#!/usr/bin/python3
"""A Debian-shaped synthetic archive and Debian-unstable churn, for bench/scale (issue 19).

  gen_debian.py init DIR FILES SEED [--packages]          the first run: about FILES files
  gen_debian.py churn DIR RUN UPLOADS SEED [--packages]   one run of churn (RUN numbers the run)

The shape is the main archive's: pool/main/<prefix>/<source>/ with the prefixes Debian uses (one
letter, and lib<letter> for lib* sources, which are the widest), source folders of 3 source files
(.dsc, .orig.tar.xz, .debian.tar.xz) plus 1 to 8 binary packages built for 1 or 10 architectures
(42 files a folder on average), and dists/sid/ with 599 indexes (Release, InRelease,
Release.gpg; per component Packages in three compressions for 11 architectures, Contents,
debian-installer Packages, Sources, and Translation files for 70 languages).

A run of churn is UPLOADS uploads (a new version of a source: every file of its folder is replaced
by files of new names; one upload in 20 is a new source folder and one in 20 removes a folder) and
every index rewritten. Contents are small (tens of bytes) and all distinct, so every file is its
own blob: what is measured is the per-file cost of the archive's metadata, not of hashing bytes.
Deterministic for a given SEED. Prints the counts of files written and removed.

The indexes are placeholders of a few bytes unless --packages: then main/binary-<arch>/Packages
(the 10 architectures and all) and main/source/Sources are real, one paragraph per .deb and per
source folder with the pool files' true sizes and SHA-256, and dists/sid/Release lists every index
with its size and SHA-256 (the compressed variants of those Packages and Sources stay
placeholders, not listed), so that the package index and /mr/ have a Debian-shaped archive to
index: the time to write them grows with the archive (a few seconds a run at 1.5M files).
"""
import hashlib
import os
import random
import sys

ARCHES = ["amd64", "arm64", "armel", "armhf", "i386", "mips64el", "mipsel", "ppc64el", "riscv64",
          "s390x"]
COMPONENTS = ["main", "contrib", "non-free", "non-free-firmware"]
LANGS = ["%s%s" % (a, b) for a in "abcdefghij" for b in "klmnopq"][:70]
# Prefixes and their relative widths: lib* sources are a quarter of the archive, libx and libg
# the widest of them; letters as in Debian (few under q, x, y, z).
LETTER_WEIGHT = {c: 3.0 for c in "abcdefghijklmnoprstuvw"}
LETTER_WEIGHT.update({"q": 0.3, "x": 1.0, "y": 0.5, "z": 0.6, "0": 0.1, "2": 0.1, "3": 0.1,
                      "4": 0.1, "6": 0.1, "9": 0.1})
LIB_WEIGHT = {"lib" + c: 0.6 for c in "abcdefghijklmnopqrstuvwxyz"}
LIB_WEIGHT.update({"libx": 2.5, "libg": 2.0, "libp": 1.6, "libs": 1.4})
PREFIXES = sorted(list(LETTER_WEIGHT.items()) + list(LIB_WEIGHT.items()))


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def source_name(prefix, i):
    # lib* sources start with their prefix; one-letter prefixes with the letter.
    return "%s%s%d" % (prefix, "pkg"[: 1 + i % 3], i)


def folder_files(name, version, rng):
    """The file names of one upload of source `name` at `version`."""
    files = ["%s_%s.dsc" % (name, version), "%s_%s.orig.tar.xz" % (name, version.split("-")[0]),
             "%s_%s.debian.tar.xz" % (name, version)]
    binaries = rng.randint(1, 8)
    arches = ["all"] if rng.random() < 0.1 else ARCHES
    for b in range(binaries):
        for arch in arches:
            files.append("%s%s_%s_%s.deb" % (name, "" if b == 0 else "-b%d" % b, version, arch))
    return files


def write_upload(folder, name, version, rng, stamp):
    os.makedirs(folder, exist_ok=True)
    names = folder_files(name, version, rng)
    for n in names:
        write(os.path.join(folder, n), ("%s/%s %s\n" % (folder, n, stamp)).encode())
    return len(names)


def indexes():
    out = ["dists/sid/Release", "dists/sid/InRelease", "dists/sid/Release.gpg"]
    for comp in COMPONENTS:
        base = "dists/sid/%s/" % comp
        for arch in ARCHES + ["all"]:
            for ext in ("", ".gz", ".xz"):
                out.append(base + "binary-%s/Packages%s" % (arch, ext))
            out.append(base + "Contents-%s.gz" % arch)
        for arch in ARCHES:
            out.append(base + "debian-installer/binary-%s/Packages.gz" % arch)
            out.append(base + "debian-installer/binary-%s/Packages.xz" % arch)
            out.append(base + "Contents-udeb-%s.gz" % arch)
        out.append(base + "source/Sources.gz")
        out.append(base + "source/Sources.xz")
        for lang in LANGS:
            out.append(base + "i18n/Translation-%s.bz2" % lang)
    return out


def stamp_of(name, version):
    """The stamp write_upload wrote into an upload's files, from its source name and version."""
    if version == "1.0-1":
        return "run 1"
    if version == "0.1-1":  # a new source: "<name>-new<run>"
        return "run %s" % name.rsplit("-new", 1)[1]
    return "run %s" % version.split(".", 1)[0]


def real_indexes(root):
    """{index path under dists/sid/: bytes} of main's Packages per architecture and Sources."""
    packages = {arch: [] for arch in ARCHES + ["all"]}
    sources = []
    for prefix, source in pool_folders(root):
        folder = os.path.join(root, "pool", "main", prefix, source)
        rel = "pool/main/%s/%s" % (prefix, source)
        names = sorted(os.listdir(folder))
        dsc = [n for n in names if n.endswith(".dsc")][0]
        version = dsc[len(source) + 1:-len(".dsc")]
        stamp = stamp_of(source, version)
        checksums = []
        for n in names:
            data = ("%s/%s %s\n" % (folder, n, stamp)).encode()
            digest = hashlib.sha256(data).hexdigest()
            if n.endswith(".deb"):
                binary, bversion, arch = n[:-len(".deb")].split("_")
                packages[arch].append(
                    "Package: %s\nSource: %s\nVersion: %s\nArchitecture: %s\n"
                    "Description: synthetic package %s\nFilename: %s/%s\nSize: %d\nSHA256: %s\n"
                    % (binary, source, bversion, arch, binary, rel, n, len(data), digest))
            else:
                checksums.append(" %s %d %s\n" % (digest, len(data), n))
        sources.append("Package: %s\nVersion: %s\nDirectory: %s\nChecksums-Sha256:\n%s"
                       % (source, version, rel, "".join(checksums)))
    out = {}
    for comp in COMPONENTS:  # the other components' indexes: real, and empty
        for arch in ARCHES + ["all"]:
            out["%s/binary-%s/Packages" % (comp, arch)] = (
                "\n".join(packages[arch]).encode() if comp == "main" else b"")
        out["%s/source/Sources" % comp] = "\n".join(sources).encode() if comp == "main" else b""
    return out


def write_indexes(root, run, real):
    made = set()
    listed = {}
    actual = real_indexes(root) if real else {}
    extra = ["dists/sid/" + p for p in actual if "dists/sid/" + p not in indexes()]
    for rel in indexes() + extra:
        d = os.path.dirname(rel)
        if d not in made:
            os.makedirs(os.path.join(root, d), exist_ok=True)
            made.add(d)
        if rel == "dists/sid/Release":
            continue
        under = rel[len("dists/sid/"):]
        data = actual.get(under, ("%s run %d\n" % (rel, run)).encode())
        write(os.path.join(root, rel), data)
        compressed_twin = under.rsplit(".", 1)[0] in actual and under not in actual
        if real and rel not in ("dists/sid/InRelease", "dists/sid/Release.gpg") and not compressed_twin:
            listed[under] = data
    release = "Suite: sid\nCodename: sid\nDate: Sat, 01 Jan 2000 00:00:00 UTC\n"
    release += "Architectures: %s\nComponents: %s\n" % (" ".join(ARCHES + ["all"]),
                                                          " ".join(COMPONENTS))
    if real:
        release += "SHA256:\n" + "".join(
            " %s %d %s\n" % (hashlib.sha256(data).hexdigest(), len(data), path)
            for path, data in sorted(listed.items()))
    else:
        release = "dists/sid/Release run %d\n" % run
    write(os.path.join(root, "dists/sid/Release"), release.encode())
    return len(indexes())


def pool_folders(root):
    """[(prefix, source)] of the pool as it is on disk, sorted."""
    pool = os.path.join(root, "pool", "main")
    out = []
    for prefix in sorted(os.listdir(pool)):
        for source in sorted(os.listdir(os.path.join(pool, prefix))):
            out.append((prefix, source))
    return out


def init(root, files, seed, real):
    rng = random.Random(seed)
    folders = max(1, round(files / 42))
    total = sum(w for _, w in PREFIXES)
    written = 0
    i = 0
    for prefix, weight in PREFIXES:
        for _ in range(max(1, round(folders * weight / total))):
            name = source_name(prefix, i)
            i += 1
            folder = os.path.join(root, "pool", "main", prefix, name)
            written += write_upload(folder, name, "1.0-1", rng, "run 1")
    written += write_indexes(root, 1, real)
    print("written %d removed 0 folders %d" % (written, i))


def churn(root, run, uploads, seed, real):
    rng = random.Random(seed * 1000003 + run)
    folders = pool_folders(root)
    written = removed = 0
    picked = rng.sample(range(len(folders)), min(uploads, len(folders)))
    for k, idx in enumerate(picked):
        prefix, name = folders[idx]
        folder = os.path.join(root, "pool", "main", prefix, name)
        roll = k % 20
        if roll == 19:  # a new source beside this one
            new = "%s-new%d" % (name, run)
            written += write_upload(os.path.join(root, "pool", "main", prefix, new), new, "0.1-1",
                                    rng, "run %d" % run)
            continue
        old = os.listdir(folder)
        for n in old:
            os.unlink(os.path.join(folder, n))
        removed += len(old)
        if roll == 18:  # the source is removed from the archive
            os.rmdir(folder)
            continue
        written += write_upload(folder, name, "%d.0-1" % run, rng, "run %d" % run)
    written += write_indexes(root, run, real)
    print("written %d removed %d" % (written, removed))


def main(argv):
    real = "--packages" in argv
    argv = [a for a in argv if a != "--packages"]
    if len(argv) == 5 and argv[1] == "init":
        init(argv[2], int(argv[3]), int(argv[4]), real)
    elif len(argv) == 6 and argv[1] == "churn":
        churn(argv[2], int(argv[3]), int(argv[4]), int(argv[5]), real)
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
