#!/usr/bin/env bash
# debootstrap, Debian's own installer of a base system, bootstraps Debian 12 from a mirrored run.
#
#   - an upstream holding Debian 12's minbase set (the real .debs of
#     tests/fixtures/minbase-packages.txt, Priority/Section from tests/fixtures/minbase-override.txt
#     as Debian's archive sets them) is mirrored with `mirrorvault mirror` and its key;
#   - first stage from `mirrorvault serve`: `debootstrap --variant=minbase --foreign bookworm DIR
#     http://127.0.0.1:PORT/archive/deb/RUN/` with the upstream's keyring (it verifies InRelease,
#     resolves the base set from the run's Packages, downloads and checks every .deb, unpacks them):
#     exit 0, the 88 packages resolved, each .deb byte-identical to upstream's, /bin/sh -> dash on
#     merged /usr, DIR/debootstrap/ ready for the second stage; every request answered 200;
#   - the second stage, `chroot DIR /debootstrap/debootstrap --second-stage` (root; it mounts /proc
#     and /sys in DIR), in a private mount namespace (`unshare --mount`), so that its mounts are
#     gone with its last process even if it is killed: exit 0, 88 packages "install ok installed",
#     no mount left; then the new system's own apt-get update against the run is clean. When the
#     machine cannot run it (no chroot, no mount namespace, no proc mount) the test says why and
#     asserts the first stage only;
#   - first stage again from the run published to an S3 bucket (Ceph RGW, --public-read), read
#     anonymously over plain HTTP as a mirror: the same checks. (The second stage installs what the
#     first one downloaded and fetches nothing, so it is run once.)
#
# Whatever happens, the exit trap stops a debootstrap still running (long steps run in the
# background, so that a signal is handled at once), unmounts anything under the bootstrap folders
# (deepest first) before removing them with --one-file-system, stops serve and removes the bucket.
#
#   debootstrap_test.sh PATH/TO/mirrorvault   (root; needs the MV_TEST_HTTP_* and MV_TEST_S3_*
#                                               environment, and debootstrap installed)
set -uo pipefail
mv=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
for v in MV_TEST_HTTP_URL MV_TEST_HTTP_ROOT MV_TEST_S3_ENDPOINT MV_TEST_S3_ACCESS_KEY MV_TEST_S3_SECRET_KEY; do
  [ -n "${!v:-}" ] || { echo "FAIL: $v is not set (start scripts/test-services)"; exit 1; }
done
command -v debootstrap >/dev/null || { echo "FAIL: debootstrap is missing (scripts/install-deps installs it)"; exit 1; }
# The first stage makes device nodes and files owned by root: it cannot run as another user.
[ "$(id -u)" = 0 ] || { echo "FAIL: debootstrap needs root (uid $(id -u))"; exit 1; }

# The real path: mount points are matched against it in /proc/self/mountinfo.
work=$(realpath "$(mktemp -d "${TMPDIR:-/tmp}/mv-debootstrap.XXXXXX")")
name=debootstrap-test-$$-$RANDOM
up=$MV_TEST_HTTP_ROOT/$name
bucket=mvboot-$$-$RANDOM
export AWS_ACCESS_KEY_ID=$MV_TEST_S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$MV_TEST_S3_SECRET_KEY
export AWS_REGION=${MV_TEST_S3_REGION:-us-east-1}
awscli() { /usr/bin/aws --endpoint-url "$MV_TEST_S3_ENDPOINT" "$@"; }

# mounts_under DIR: the mount points at or below DIR, deepest first.
mounts_under() {
  awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r
}
# unmount_all DIR: unmounts everything at or below DIR (lazily if busy); 0 when nothing is left.
unmount_all() {
  local m _
  for _ in 1 2 3; do
    [ -n "$(mounts_under "$1")" ] || return 0
    while IFS= read -r m; do
      umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
    done < <(mounts_under "$1")
  done
  [ -z "$(mounts_under "$1")" ]
}
server_pid=""
step_pid=""
bucket_made=0
# step LOG CMD...: CMD under `timeout 300` in the background, its output in LOG; waits for it and
# returns its status. A signal to the test interrupts the wait at once; the exit trap stops CMD
# (timeout passes the signal on to it) and waits for it before unmounting anything.
step() {
  local log=$1 rc
  shift
  timeout 300 "$@" >"$log" 2>&1 &
  step_pid=$!
  wait "$step_pid"
  rc=$?
  step_pid=""
  return $rc
}
cleanup() {
  [ -n "$step_pid" ] && kill "$step_pid" 2>/dev/null && wait "$step_pid" 2>/dev/null
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  local d
  for d in "$work"/root-*; do
    [ -d "$d" ] || continue
    unmount_all "$d" || echo "WARN still mounted under $d: $(mounts_under "$d" | tr '\n' ' ')"
  done
  [ $bucket_made = 1 ] && awscli s3 rb --force "s3://$bucket" >/dev/null 2>&1
  # --one-file-system: never into a mount that could not be taken down (a bound /dev, /proc).
  rm -rf --one-file-system "$work" "$up"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

keydir=$work/key
keyring=$keydir/keyring.gpg
mvc() { "$mv" "$@" --store "file://$work/store" --catalog "sqlite://$work/catalog.db"; }
failures=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }
t_all=$(now)

# ---- the upstream: Debian 12's minbase set, mirrored ----
t=$(now)
"$here/tests/fixtures/make-upstream" "$up" --arch amd64 --key-dir "$keydir" \
  --debs-from "$here/tests/fixtures/minbase-packages.txt" \
  --override "$here/tests/fixtures/minbase-override.txt" >"$work/make-upstream.log" 2>&1 ||
  { cat "$work/make-upstream.log"; echo "FAIL make-upstream"; exit 1; }
grep -v '^#' "$here/tests/fixtures/minbase-packages.txt" | grep . | sort >"$work/names"
nnames=$(wc -l <"$work/names")
pass "upstream with Debian 12's minbase set: $nnames packages, $(du -sh "$up/pool" | cut -f1) ($(since "$t"))"
t=$(now)
out=$(mvc mirror deb --upstream "$MV_TEST_HTTP_URL/$name" --suites bookworm --archs amd64 \
  --keyring "$keyring" --no-progress 2>&1) || { echo "$out"; echo "FAIL mirror"; exit 1; }
run=$(sqlite3 "$work/catalog.db" "SELECT run_id FROM archive_runs WHERE archive = 'deb' ORDER BY run_id DESC LIMIT 1")
[ -n "$run" ] || { echo "FAIL no run after the mirror: $out"; exit 1; }
pass "mirrored as deb@$run ($(since "$t")): $(tail -1 <<<"$out")"

. "$here/tests/support/serve_helpers.sh"
mv_start_serve "$mv" "$work/serve.out" --store "file://$work/store" --catalog "sqlite://$work/catalog.db" \
  --access-log "$work/access.log" || exit 1
server_pid=$SERVE_PID
served=http://127.0.0.1:$SERVE_PORT/archive/deb/$run/

# first_stage LABEL URL DIR: debootstrap's first stage from URL into DIR, and its checks. 0 when
# debootstrap succeeded (DIR can go on to the second stage).
first_stage() {
  local label=$1 url=$2 dir=$3 t rc n f same=0 sh
  t=$(now)
  step "$work/first-$label.log" debootstrap --variant=minbase --foreign --arch=amd64 --keyring="$keyring" \
    bookworm "$dir" "$url"
  rc=$?
  if [ $rc != 0 ]; then
    fail "$label: debootstrap --foreign exited $rc: $(grep -E '^[EW]:' "$work/first-$label.log" | head -3 | tr '\n' ' ')"
    tail -15 "$work/first-$label.log"
    return 1
  fi
  pass "$label: debootstrap --variant=minbase --foreign bookworm from $url: exit 0 ($(since "$t"), $(du -sh "$dir" | cut -f1) unpacked)"
  # The base set it resolved from the run's Packages (Priority: required, apt, their dependencies).
  awk '{ print $1 }' "$dir/debootstrap/debpaths" | sort | diff - "$work/names" >"$work/names-$label.diff" &&
    pass "$label: it resolved the $nnames packages of Debian 12's minbase from the run's indexes" ||
    fail "$label: resolved set differs from minbase-packages.txt: $(head -5 "$work/names-$label.diff" | tr '\n' ' ')"
  n=0
  for f in "$dir"/var/cache/apt/archives/*.deb; do
    [ -e "$f" ] || continue
    n=$((n + 1))
    # debootstrap names them NAME_EPOCH%3aVERSION_ARCH.deb; the pool drops the epoch.
    cmp -s "$f" "$(find "$up/pool" -name "$(sed 's/_[0-9]*%3a/_/' <<<"${f##*/}")" | head -1)" && same=$((same + 1))
  done
  [ "$n" = "$nnames" ] && [ "$same" = "$n" ] &&
    pass "$label: the $n .debs it downloaded are byte-identical to upstream's" ||
    fail "$label: $same of $n downloaded .debs identical to upstream's (want $nnames)"
  sh=$(readlink "$dir/usr/bin/sh")
  [ "$(readlink "$dir/bin")" = usr/bin ] && [ "$sh" = dash ] && [ -x "$dir/usr/bin/dash" ] &&
    [ -x "$dir/usr/bin/dpkg" ] && [ -x "$dir/usr/bin/apt-get" ] &&
    pass "$label: unpacked on merged /usr: bin -> usr/bin, sh -> $sh, dash, dpkg and apt-get there" ||
    fail "$label: unpacked tree: bin -> $(readlink "$dir/bin"), sh -> $sh"
  [ -x "$dir/debootstrap/debootstrap" ] && [ -s "$dir/debootstrap/required" ] &&
    [ "$(cat "$dir/debootstrap/suite")" = bookworm ] && [ "$(cat "$dir/debootstrap/variant")" = minbase ] &&
    pass "$label: $dir/debootstrap/ holds the second stage (debootstrap, required, suite, variant)" ||
    fail "$label: $dir/debootstrap/ is incomplete: $(ls "$dir/debootstrap" 2>&1 | tr '\n' ' ')"
  return 0
}

# ---- first stage from `mirrorvault serve` ----
root_served=$work/root-served
first_stage served "$served" "$root_served"
ok_served=$?
sleep 1.5 # serve flushes its access log every second
reqs=$(grep -c 'Wget' "$work/access.log")
bad=$(grep 'Wget' "$work/access.log" | grep -vc '" 200 ')
[ "$reqs" -gt "$nnames" ] && [ "$bad" = 0 ] &&
  pass "served: serve answered debootstrap's $reqs requests, every one 200 (InRelease, Packages by hash, the .debs)" ||
  fail "served: $bad of $reqs requests of debootstrap not answered 200: $(grep Wget "$work/access.log" | grep -v '" 200 ' | head -3)"

# ---- the second stage, where the machine allows it ----
second_stage_blocker() { # prints why this machine cannot run the second stage; nothing if it can
  local err
  err=$(chroot "$root_served" /bin/sh -c 'exit 0' 2>&1) || { echo "chroot into the first stage fails: $err"; return; }
  mkdir -p "$work/proc-probe"
  err=$(unshare --mount --propagation private sh -c 'mount -t proc proc "$1" && umount "$1"' sh "$work/proc-probe" 2>&1) ||
    echo "a private mount namespace with /proc mounted in it is refused (the second stage mounts /proc in the chroot): $err"
}
if [ $ok_served != 0 ]; then
  fail "second stage: not run, the first stage failed"
elif blocker=$(second_stage_blocker) && [ -n "$blocker" ]; then
  echo "NOTE second stage NOT run on this machine: $blocker. The first stage was asserted above."
else
  t=$(now)
  # dpkg without fsync, as mmdebstrap and pbuilder set it: a throwaway tree need not survive a crash.
  echo force-unsafe-io >"$root_served/etc/dpkg/dpkg.cfg.d/mirrorvault-test-unsafe-io"
  step "$work/second.log" unshare --mount --propagation private chroot "$root_served" /debootstrap/debootstrap --second-stage
  rc=$?
  left=$(mounts_under "$root_served" | tr '\n' ' ')
  if [ $rc = 0 ] && grep -q '^I: Base system installed successfully' "$work/second.log"; then
    pass "second stage: unshare --mount chroot DIR /debootstrap/debootstrap --second-stage: exit 0 ($(since "$t"))"
  else
    fail "second stage exited $rc: $(grep -E '^[EW]:' "$work/second.log" | head -3 | tr '\n' ' ')"
    tail -15 "$work/second.log"
  fi
  [ -z "$left" ] && pass "second stage: no mount under DIR outside its namespace" || fail "second stage left mounts: $left"
  installed=$(chroot "$root_served" dpkg-query -W -f '${Package} ${Status}\n' 2>&1 | grep -c ' install ok installed$')
  [ "$installed" = "$nnames" ] && [ ! -e "$root_served/debootstrap" ] &&
    pass "second stage: dpkg in DIR knows $installed packages, each 'install ok installed'; DIR/debootstrap is gone" ||
    fail "second stage: $installed of $nnames packages installed: $(chroot "$root_served" dpkg-query -W -f '${Package} ${Status}\n' 2>&1 | grep -v ' install ok installed$' | head -3)"
  # The new system's own apt, against the run it was bootstrapped from.
  mkdir -p "$root_served/etc/apt/keyrings"
  cp "$keyring" "$root_served/etc/apt/keyrings/mirrorvault-test.gpg"
  echo "deb [signed-by=/etc/apt/keyrings/mirrorvault-test.gpg] $served bookworm main" >"$root_served/etc/apt/sources.list"
  if step "$work/apt-chroot.log" chroot "$root_served" apt-get -o Acquire::Check-Valid-Until=true update &&
    ! grep -qE '^(W|E):' "$work/apt-chroot.log"; then
    pass "second stage: the new system's apt-get update against deb@$run is clean"
  else
    fail "apt-get update in the new system: $(grep -E '^(W|E):' "$work/apt-chroot.log" | head -3 | tr '\n' ' ')"
  fi
  unmount_all "$root_served" || fail "mounts under $root_served remain after unmount_all"
fi
rm -rf --one-file-system "$root_served" # 150 MB: not kept while the bucket's stage runs

# ---- first stage from a published bucket, read anonymously ----
t=$(now)
if awscli s3 mb "s3://$bucket" >/dev/null; then
  bucket_made=1
  out=$(mvc publish "deb@$run" --to "s3://$bucket/debian?endpoint=$MV_TEST_S3_ENDPOINT" --public-read 2>&1) &&
    pass "published deb@$run to s3://$bucket/debian with --public-read ($(since "$t"))" || fail "publish: $out"
  first_stage bucket "$MV_TEST_S3_ENDPOINT/$bucket/debian/" "$work/root-bucket"
else
  fail "cannot make bucket $bucket"
fi

echo "debootstrap_test: $(since "$t_all") in all"
[ $failures = 0 ] && echo "debootstrap_test: all passed" || echo "debootstrap_test: $failures failure(s)"
[ $failures = 0 ]
