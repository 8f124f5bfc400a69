#!/usr/bin/env bash
# The archive commands end to end, through the binary: import, runs, ls, cat, diff, fsck (which
# must catch a missing and a corrupt blob), rebuild-catalog, clear errors with exit codes for bad
# input (an unreadable file, imported as an unprivileged user; a special file; a bad archive name;
# a run that does not exist), and two imports of one archive at once.
#   cli_archive_test.sh PATH/TO/mirrorvault
set -uo pipefail
mv=$1
work=$(mktemp -d)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
store="file://$work/store"
catalog="sqlite://$work/catalog.db"
mvc() { "$mv" "$@" --store "$store" --catalog "$catalog"; }  # global flags after the subcommand
failures=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
# expect_error WHAT EXIT_CODE PATTERN -- COMMAND...
expect_error() {
  local what=$1 code=$2 pattern=$3; shift 4
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" -ne "$code" ]; then fail "$what: exit $rc, want $code: $out"; return; fi
  if ! grep -qE -- "$pattern" <<<"$out"; then fail "$what: message does not match /$pattern/: $out"; return; fi
  if grep -qE -- "(NotFound|AlreadyExists|PreconditionFailed|InvalidArgument|PermissionDenied|Unavailable|Corruption|Internal):" <<<"$out"; then
    fail "$what: the message starts with a code name instead of words: $out"; return
  fi
  pass "$what ($(head -c 160 <<<"$out" | tr '\n' ' '))"
}

m=$work/mirror
mkdir -p "$m/dists/bookworm/main" "$m/pool/main/h/hello" "$m/empty"
echo "Suite: bookworm" >"$m/dists/bookworm/Release"
head -c 100000 /dev/urandom >"$m/pool/main/h/hello/hello_1_amd64.deb"
cp "$m/pool/main/h/hello/hello_1_amd64.deb" "$m/pool/main/h/hello/copy.deb"
ln -s bookworm "$m/dists/stable"

out=$(mvc import deb "$m" --run-id 20240101T000000Z --no-progress) || fail "first import: $out"
grep -q "imported deb@20240101T000000Z: 3 files" <<<"$out" && pass "first import: $out" || fail "first import summary: $out"
echo "Suite: bookworm (2)" >"$m/dists/bookworm/Release"
rm "$m/pool/main/h/hello/copy.deb"
head -c 5000 /dev/urandom >"$m/pool/main/h/hello/hello_2_amd64.deb"
mvc import deb "$m" --run-id 20240201T000000Z --no-progress >/dev/null || fail "second import"

runs=$(mvc runs deb)
[ "$(grep -c '^2024' <<<"$runs")" -eq 2 ] && pass "runs lists two runs" || fail "runs: $runs"
ls_out=$(mvc ls deb@20240115 pool/main/h/hello)
grep -q "hello_1_amd64.deb" <<<"$ls_out" && grep -q "copy.deb" <<<"$ls_out" &&
  ! grep -q hello_2 <<<"$ls_out" && pass "ls of the run at or before a day" || fail "ls: $ls_out"
ls_root=$(mvc ls deb@now)
grep -q "^d .* empty/" <<<"$ls_root" && pass "empty folders are kept" || fail "ls root: $ls_root"
grep -q "^l .* stable -> bookworm" <<<"$(mvc ls deb@now dists)" && pass "symlinks are kept" || fail "ls dists"
[ "$(mvc cat deb@20240101T000000Z dists/stable/Release)" = "Suite: bookworm" ] &&
  pass "cat of the older run through a symlink" || fail "cat old Release"
[ "$(mvc cat deb@now dists/bookworm/Release)" = "Suite: bookworm (2)" ] && pass "cat of now" || fail "cat now"
diff_out=$(mvc diff deb@20240101T000000Z deb@20240201T000000Z)
grep -q "^D pool/main/h/hello/copy.deb$" <<<"$diff_out" && grep -q "^A pool/main/h/hello/hello_2_amd64.deb$" <<<"$diff_out" &&
  grep -q "^M dists/bookworm/Release$" <<<"$diff_out" && ! grep -q "hello_1" <<<"$diff_out" &&
  pass "diff" || fail "diff: $diff_out"
expect_error "a day before the first run" 1 "no run at or before 20231231T235959Z; its earliest run is 20240101T000000Z" -- mvc ls deb@20231231
expect_error "a missing path" 1 "does not exist" -- mvc cat deb@now pool/nothing
expect_error "a bad archive name" 2 "archive name" -- mvc import ../evil "$m"
expect_error "a bad timestamp" 2 "after '@'" -- mvc ls deb@yesterday

# What a newcomer mistypes: the command word, the catalog's folder, the log level.
expect_error "an unknown command is named" 2 "unknown command 'bogus'" -- "$mv" bogus
expect_error "a near miss with --help is not the top-level help" 2 "unknown command 'lss'; did you mean 'ls'" -- "$mv" lss --help
expect_error "global options before an unknown command" 2 "unknown command 'rnus'; did you mean 'runs'" -- "$mv" --store "$store" rnus deb
nowhere=$work/no-such-folder/sub
expect_error "a catalog in a missing folder is refused" 1 "folder $nowhere does not exist" -- \
  "$mv" --store "$store" --catalog "sqlite://$nowhere/c.db" runs deb
[ ! -e "$work/no-such-folder" ] && pass "the refused catalog's folder was not made" || fail "the refused catalog's folder was made"
expect_error "runs of an unknown archive lists the archives" 1 "archive 'debb' has no runs in catalog .*; its archives: (.*, )?deb(,|$)" -- mvc runs debb
expect_error "ls of an unknown archive says the same" 1 "archive 'debb' has no runs in catalog .*; its archives: (.*, )?deb(,|$)" -- mvc ls debb@now
expect_error "a bad log level lists the levels" 2 "expected trace, debug, info, warn, error or off" -- mvc runs deb --log-level loud
"$mv" --help | grep -q -- "--log-level.*trace, debug, info, warn, error or off" &&
  pass "--help lists the same log levels" || fail "--help does not list the log levels: $("$mv" --help | grep -- --log-level)"
mvc fsck --no-progress >/dev/null && pass "fsck of a healthy store" || fail "fsck healthy"

# rebuild-catalog answers as the original did.
before=$(mvc runs deb; mvc ls -l deb@20240101 pool/main/h/hello)
mvc rebuild-catalog --no-progress >/dev/null || fail "rebuild-catalog"
after=$(mvc runs deb; mvc ls -l deb@20240101 pool/main/h/hello)
[ "$before" = "$after" ] && pass "rebuild-catalog answers as before" || fail "rebuild-catalog changed answers"
rm "$work/catalog.db"*
[ "$(mvc runs deb)" = "$(head -n 3 <<<"$before")" ] && pass "a lost catalog comes back from the store" ||
  fail "recovery into an empty catalog"

# Special files and unreadable files are refused, naming them; nothing is committed.
mkfifo "$m/pipe"
expect_error "a fifo" 2 "pipe is a fifo" -- mvc import deb "$m" --no-progress
rm "$m/pipe"
if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
  u=$work/unpriv
  mkdir -p "$u/mirror/pool"
  echo fine >"$u/mirror/pool/ok"
  echo secret >"$u/mirror/pool/unreadable"
  chmod 600 "$u/mirror/pool/unreadable"  # owned by root: nobody cannot read it
  chown -R nobody "$u"
  chown root "$u/mirror/pool/unreadable"
  expect_error "an unreadable file" 1 "reading $u/mirror/pool/unreadable.*Permission denied|reading $u/mirror/pool/unreadable.*permission" -- \
    setpriv --reuid=nobody --regid=nogroup --clear-groups "$mv" import u "$u/mirror" --no-progress \
    --store "file://$u/store" --catalog "sqlite://$u/catalog.db"
  [ -z "$(ls "$u/store/runs" 2>/dev/null)" ] && pass "nothing committed after the unreadable file" || fail "a run was committed"
else
  fail "cannot run the unreadable-file case: no user nobody or no setpriv"
fi

# Two imports of one archive at once: the second fails at once naming the first.
big=$work/big
mkdir -p "$big"
for i in $(seq 1 40); do head -c 2000000 /dev/urandom >"$big/f$i"; done
"$mv" import slow "$big" --store "$store" --catalog "$catalog" --no-progress --concurrency 1 >"$work/slow.out" 2>&1 &
slow=$!
for _ in $(seq 1 100); do
  if sqlite3 "$work/catalog.db" "SELECT 1 FROM archive_locks WHERE archive='slow'" 2>/dev/null | grep -q 1; then break; fi
  sleep 0.02
done
expect_error "a second import of the same archive" 1 "archive 'slow' is being written by mirrorvault.*; wait for it to finish, or pass --wait DURATION" -- mvc import slow "$big" --no-progress
wait "$slow" && pass "the first import finished" || fail "the first import: $(cat "$work/slow.out")"

# fsck catches a missing blob and (deep) a corrupt one, naming the path.
blob=$(find "$work/store/blobs" -type f -size +100c | head -n 1)
mv "$blob" "$work/saved"
expect_error "fsck: a missing blob" 1 "PROBLEM .*blob blobs/.* is missing" -- mvc fsck --no-progress
mv "$work/saved" "$blob"
chmod u+w "$blob"
# Flip a byte (writing a fixed byte left a random blob unchanged once in 256 runs).
python3 -c 'import sys; f = open(sys.argv[1], "r+b"); f.seek(10); b = f.read(1); f.seek(10); f.write(bytes([b[0] ^ 0xff]))' "$blob"
mvc fsck --no-progress >/dev/null && pass "fsck without --deep does not read contents" || fail "plain fsck failed on same-size corruption"
expect_error "fsck --deep: a corrupt blob" 1 "PROBLEM .*has contents hashing to" -- mvc fsck --deep --no-progress
python3 -c 'import sys; f = open(sys.argv[1], "r+b"); f.seek(10); b = f.read(1); f.seek(10); f.write(bytes([b[0] ^ 0xff]))' "$blob"

# fsck is incremental: a clean pass is remembered, the next checks only what is new.
out=$(mvc fsck --full --no-progress) && grep -q ": 0 problems" <<<"$out" &&
  pass "fsck --full of the repaired store is clean" || fail "fsck --full: $out"
out=$(mvc fsck --no-progress)
grep -q "^checked 0 runs (and [1-9][0-9]* verified by an earlier pass.*, 0 tree nodes, 0 blobs: 0 problems" <<<"$out" &&
  pass "a second fsck checks nothing again: $out" || fail "a second fsck: $out"
mv "$blob" "$work/saved"
mvc fsck --no-progress >/dev/null && pass "an incremental fsck does not look again at verified runs" ||
  fail "an incremental fsck read verified runs again"
expect_error "fsck --full: a blob lost behind mirrorvault's back" 1 "PROBLEM .*blob blobs/.* is missing" -- mvc fsck --full --no-progress
mv "$work/saved" "$blob"
mvc fsck --full --no-progress >/dev/null || fail "fsck --full after the blob came back"
# A new run is checked, only it, and a blob it alone names is found missing.
echo "new in the last run" >"$m/pool/incremental-new.txt"
mvc import deb "$m" --no-progress >/dev/null || fail "import of the run with a new file"
h=$(sha256sum "$m/pool/incremental-new.txt" | cut -d' ' -f1)
new_blob=$work/store/blobs/${h:0:2}/${h:2:2}/$h
[ -f "$new_blob" ] || fail "the new file's blob is not at $new_blob"
mv "$new_blob" "$work/saved-new"
out=$(mvc fsck --no-progress 2>&1)
grep -q "PROBLEM deb@[0-9TZ]*:/pool/incremental-new.txt: blob .* is missing" <<<"$out" &&
  grep -q "^checked 1 runs (and " <<<"$out" &&
  pass "an incremental fsck checks the new run and finds its missing blob" || fail "incremental fsck of a new run: $out"
mv "$work/saved-new" "$new_blob"
out=$(mvc fsck --no-progress) && grep -q "^checked 1 runs .*: 0 problems" <<<"$out" &&
  pass "a failed pass is not remembered: the new run is checked again" || fail "after the blob came back: $out"

echo "$failures failures"
[ "$failures" -eq 0 ]
