#!/usr/bin/env bash
# Withdrawing files end to end (`mirrorvault remove`), on a local store or the test RGW, with a
# SQLite or PostgreSQL catalog:
#   - a signed fixture repository with a package "secret" beside "keep", imported; a run of it
#     published to a target; a region copy of the .deb made through /redirect/ (the target and
#     the region on the same backend as the store: folders, or prefixes of the test bucket);
#   - `remove --package secret --reason ...`: every route that served it answers 451 with a Link to
#     /removal/<id> (/archive/..., /file/<sha256>, /file/<sha1>, /redirect/.../file/ and
#     /redirect/.../archive/...), /mr/file/<sha1>/info marks it, /removal/ and /removal/<id> list
#     it (HTML and JSON); the blob is gone from the store, the region copy and the target's file
#     too; apt-get update still works against the run, `keep` downloads and `secret` does not;
#     the audit log names who; `removals` lists it;
#   - a new import of the same tree commits (the path in its tree, the content withdrawn) and
#     does not store the blob again; fsck --full --deep is clean; rebuild-catalog into a fresh
#     catalog restores the removal;
#   - `remove` killed (SIGKILL) at random moments, ROUNDS times, beside an import loop of another
#     archive, each round's victim published to the target and copied to the region first: after
#     each, fsck finds no problem, and `remove` again leaves exactly one removal of the content,
#     its blob, its region copy and its target file gone, and only the unfinished removals
#     withdrawn from the region and target (not every removal ever made).
#
#   removal_test.sh PATH/TO/mirrorvault local|s3 sqlite|pg ROUNDS
#     (needs scripts/test-services' environment: MV_TEST_S3_* for s3, MV_TEST_POSTGRES_* for pg)

# `A && pass || fail` is meant: pass and fail always return 0.
# shellcheck disable=SC2015
set -uo pipefail
mv=$1 backend=$2 catalog_kind=$3 rounds=${4:-10}
here=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/support/apt_helpers.sh
. "$here/tests/support/apt_helpers.sh"
# shellcheck source=tests/support/serve_helpers.sh
. "$here/tests/support/serve_helpers.sh"
# shellcheck source=tests/support/store_helpers.sh
. "$here/tests/support/store_helpers.sh"
# shellcheck source=tests/support/catalog_helpers.sh
. "$here/tests/support/catalog_helpers.sh"
work=$(mktemp -d)
pgdb="" SERVE_PID="" loop_pid=""
cleanup() {
  [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null
  [ -n "$loop_pid" ] && kill "$loop_pid" 2>/dev/null
  [ -n "$pgdb" ] && mv_drop_catalogs "$pgdb" "${pgdb}_rebuilt"
  rm -rf "$work"
}
trap cleanup EXIT

failures=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

mv_test_store "$backend" "$work" removal
new_catalog() { mv_new_catalog "$catalog_kind" "$work" "$1"; }
case $catalog_kind in
  pg) pgdb=mv_removal_$$_$RANDOM; catalog=$(new_catalog "$pgdb") ;;
  sqlite) catalog=$(new_catalog catalog) ;;
  *) echo "usage: $0 MIRRORVAULT local|s3 sqlite|pg ROUNDS"; exit 2 ;;
esac
config=$work/mirrorvault.toml
up=$work/upstream
if [ "$backend" = local ]; then
  mkdir -p "$work/region" "$work/target"
  region_url="file://$work/region" target_url="file://$work/target"
else
  # Beside the store's prefix in the test bucket: s3://BUCKET/PREFIX?QUERY -> PREFIX-region?QUERY.
  region_url="${store%%\?*}-region?${store#*\?}" target_url="${store%%\?*}-target?${store#*\?}"
fi
cat >"$config" <<EOF
[[target]]
name = "the-target"
url = "$target_url"

[[region]]
name = "eu"
store = "$region_url"
redirect = "public"
public_base = "http://127.0.0.1:9/region/"
EOF
mvc() { timeout --kill-after=5 120 "$mv" --config "$config" --store "$store" --catalog "$catalog" "$@"; }
objects() { mvc store ls "$store" --recursive 2>/dev/null; }
# region_copies SHA256: how many objects of the region hold that content; target_has PATH.
region_copies() { mvc store ls "$region_url" --recursive 2>/dev/null | grep -c "$1"; }
# (`store ls` prints date, time, size and the key; grep reads it all: no SIGPIPE under pipefail.)
target_has() { mvc store ls "$target_url" --recursive 2>/dev/null | grep -E "[ /]$1\$" >/dev/null; }
code_of() { curl -s -o "$work/body" -D "$work/headers" -w '%{http_code}' "$@"; }

"$here/tests/fixtures/make-upstream" "$up" --key-dir "$work/key" --tiny keep=1.0 --tiny secret=1.0 \
  >"$work/make.log" 2>&1 || { cat "$work/make.log"; echo "FAIL make-upstream"; exit 1; }
mvc import arch "$up" --run-id 20240101T000000Z --no-progress >"$work/import.log" 2>&1 ||
  { echo "FAIL import: $(tail -3 "$work/import.log")"; exit 1; }
deb=$(cd "$up" && find pool -name 'secret_1.0_all.deb')
sha256=$(sha256sum "$up/$deb" | cut -d' ' -f1)
sha1=$(sha1sum "$up/$deb" | cut -d' ' -f1)
keep_deb=$(cd "$up" && find pool -name 'keep_1.0_all.deb')
keep_sha256=$(sha256sum "$up/$keep_deb" | cut -d' ' -f1)
mvc publish arch@20240101T000000Z --to the-target >"$work/publish.log" 2>&1 ||
  fail "publish: $(tail -3 "$work/publish.log")"
target_has "$deb" && pass "published to the target" || fail "no $deb in the target"

mv_start_serve "$mv" "$work/serve.out" --config "$config" --store "$store" --catalog "$catalog" || exit 1
base=http://127.0.0.1:$SERVE_PORT
code=$(code_of "$base/redirect/v1/eu/file/$sha256")
copies=$(region_copies "$sha256")
[ "$code" = 302 ] && [ "$copies" -ge 1 ] && pass "a region copy of the .deb was made ($code)" ||
  fail "region copy: $code, $copies files: $(cat "$work/body")"
code=$(code_of "$base/file/$sha1")
[ "$code" = 200 ] && pass "/file/<sha1> serves it before the removal" || fail "/file/<sha1> before: $code"

# ---- the removal ----
out=$(mvc remove --package secret 2>&1)
[ $? -eq 2 ] && grep -q "reason" <<<"$out" && pass "remove needs --reason" || fail "no reason: $out"
out=$(mvc remove --package nosuchpackage --reason x 2>&1)
[ $? -ne 0 ] && grep -q "nosuchpackage" <<<"$out" && pass "an unknown package is named, nothing removed" ||
  fail "unknown package: $out"
out=$(mvc remove --package secret --reason "court order 7" --dry-run 2>&1)
grep -q "would remove $sha256" <<<"$out" && grep -q "$sha256" <<<"$(objects)" &&
  pass "remove --dry-run names the file and deletes nothing" || fail "dry run: $out"
USER=alice mvc remove --package secret --reason "court order 7" >"$work/remove.out" 2>&1 ||
  fail "remove: $(cat "$work/remove.out")"
id=$(grep -o 'removal [0-9T]*Z-[0-9a-f]*' "$work/remove.out" | head -1 | cut -d' ' -f2)
[ -n "$id" ] && grep -q "removed $sha256" "$work/remove.out" && pass "removed as $id" ||
  fail "remove output: $(cat "$work/remove.out")"
listing=$(objects)
grep -q "removals/$id.json" <<<"$listing" && ! grep -q "blobs/.*$sha256" <<<"$listing" &&
  grep -q "$keep_sha256" <<<"$listing" &&
  pass "the removal record is in the store, the blob is gone, keep's blob stays" ||
  fail "store after remove: $(grep -v '^blobs\|trees' <<<"$listing" | head)"
copies=$(region_copies "$sha256")
[ "$copies" = 0 ] && pass "the region copy was purged" || fail "region copies left: $copies"
! target_has "$deb" && target_has "$keep_deb" &&
  grep -q "target the-target: deleted $deb" "$work/remove.out" &&
  pass "the target's copy was deleted, the rest of the target stays" ||
  fail "target: $(mvc store ls "$target_url" --recursive | grep pool/ | head) / $(cat "$work/remove.out")"
audit=$(mvc jobs audit)
grep -q "alice@.*remove *$id" <<<"$audit" && pass "the audit log names who removed it" || fail "audit: $audit"
removals=$(mvc removals)
grep -q "^$id .* 1 files  by alice@.*: court order 7" <<<"$removals" && pass "removals lists it" ||
  fail "removals: $removals"

# Every route (the running server learns of the removal within a second).
sleep 1.2
check451() {  # WHAT URL [curl args]
  local what=$1 url=$2
  shift 2
  local code
  code=$(code_of "$@" "$url")
  if [ "$code" = 451 ] && grep -qi "^link: </removal/$id>; rel=\"blocked-by\"" "$work/headers" &&
    grep -q "$id" "$work/body"; then
    pass "$what answers 451 with a link to /removal/$id"
  else
    fail "$what: $code $(head -c 300 "$work/body")"
  fi
}
check451 "/archive/ by run id" "$base/archive/arch/20240101T000000Z/$deb"
check451 "/archive/ by a moment" "$base/archive/arch/20240105/$deb"
check451 "/archive/ as JSON" "$base/archive/arch/20240101T000000Z/$deb" -H "Accept: application/json"
check451 "/file/<sha256>" "$base/file/$sha256"
check451 "/file/<sha1>" "$base/file/$sha1"
check451 "/redirect/ by hash" "$base/redirect/v1/eu/file/$sha256"
check451 "/redirect/ by path" "$base/redirect/v1/eu/archive/arch/20240101T000000Z/$deb"
[ "$(region_copies "$sha256")" = 0 ] &&
  pass "no region copy was made again" || fail "a region copy came back"
info=$(curl -fsS "$base/mr/file/$sha1/info")
grep -q "\"removal\":\"$id\"" <<<"$info" && grep -q "secret_1.0_all.deb" <<<"$info" &&
  pass "/mr/file/<sha1>/info marks the removal and keeps where it was" || fail "/mr info: $info"
page=$(curl -fsS "$base/removal/")
grep -q "href=\"/removal/$id\"" <<<"$page" && grep -q "court order 7" <<<"$page" &&
  pass "/removal/ lists it" || fail "/removal/: $page"
page=$(curl -fsS "$base/removal/$id")
grep -q "$sha256" <<<"$page" && grep -q "/mr/file/$sha1/info" <<<"$page" &&
  pass "/removal/<id> names its files" || fail "/removal/$id: $page"
json=$(curl -fsS -H "Accept: application/json" "$base/removal/$id")
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["files"][0]["sha256"]==sys.argv[2] and d["reason"]=="court order 7"' \
  "$json" "$sha256" && pass "/removal/<id> as JSON" || fail "/removal/$id JSON: $json"
code=$(code_of "$base/removal/20240101T000000Z-00000000")
[ "$code" = 404 ] && pass "an unknown removal is 404" || fail "unknown removal: $code"
code=$(code_of "$base/file/$keep_sha256")
[ "$code" = 200 ] && pass "other files are served as before" || fail "keep: $code"
aptdir=$work/apt
apt_setup "$base/archive/arch/20240101T000000Z/" "$work/key/keyring.gpg"
if apt_run update >"$work/apt.log" 2>&1 && ! grep -q "^[WE]:" "$work/apt.log" &&
  apt_run download keep >>"$work/apt.log" 2>&1 && [ -f "$aptdir/dl/keep_1.0_all.deb" ]; then
  pass "apt-get update and download of another package still work"
else
  fail "apt: $(grep -E '^(W|E):' "$work/apt.log" | head -3)"
fi
if apt_run download secret >"$work/apt-secret.log" 2>&1; then
  fail "apt downloaded the withdrawn package"
else
  grep -q "451" "$work/apt-secret.log" && pass "apt cannot download the withdrawn package (451)" ||
    fail "apt secret: $(tail -3 "$work/apt-secret.log")"
fi
kill "$SERVE_PID" 2>/dev/null; wait "$SERVE_PID" 2>/dev/null; SERVE_PID=""

# ---- a publish of a run holding the withdrawn content, to a fresh target: left out ----
out=$(mvc publish arch@20240101T000000Z --to "$work/fresh-target" 2>&1)
[ $? -eq 0 ] && grep -q "1 withdrawn (removed) left out" <<<"$out" && [ ! -e "$work/fresh-target/$deb" ] &&
  [ -f "$work/fresh-target/$keep_deb" ] && [ -f "$work/fresh-target/dists/bookworm/InRelease" ] &&
  pass "a publish of the run leaves the withdrawn file out and writes the rest" ||
  fail "publish after the removal: $out / $(find "$work/fresh-target" -name '*.deb')"

# ---- a new import of the same tree: the path stays, the content is never stored again ----
touch "$up/$deb"  # a changed stat: the file is read and hashed again
out=$(mvc import arch "$up" --run-id 20240102T000000Z --no-progress 2>&1)
[ $? -eq 0 ] && ! grep -q "blobs/.*$sha256" <<<"$(objects)" &&
  grep -q "secret_1.0_all.deb" <<<"$(mvc ls arch@20240102T000000Z "$(dirname "$deb")" 2>&1)" &&
  pass "a new import names the path and does not store the removed content" ||
  fail "import after removal: $out / $(objects | grep "$sha256")"
out=$(mvc fsck --full --deep --no-progress 2>&1)
grep -q ": 0 problems" <<<"$out" && grep -q "1 removals" <<<"$out" &&
  pass "fsck --full --deep: the withdrawn blob is expected absent ($(tail -1 <<<"$out"))" ||
  fail "fsck: $out"
if [ "$catalog_kind" = pg ]; then rebuilt=$(new_catalog "${pgdb}_rebuilt"); else rebuilt=$(new_catalog rebuilt); fi
"$mv" --config "$config" --store "$store" --catalog "$rebuilt" rebuild-catalog --no-progress >"$work/rebuild.out" 2>&1 ||
  fail "rebuild-catalog: $(cat "$work/rebuild.out")"
[ "$("$mv" --store "$store" --catalog "$rebuilt" removals 2>&1)" = "$removals" ] &&
  pass "rebuild-catalog restores the removal" || fail "rebuilt removals: $("$mv" --store "$store" --catalog "$rebuilt" removals 2>&1)"

# ---- SIGKILL at random moments, beside imports of another archive ----
other=$work/other
mkdir -p "$other"
(
  n=0
  while [ ! -e "$work/stop-loop" ]; do  # stopped between imports: none is left half-way
    n=$((n + 1))
    echo "other content $n" >"$other/file-$n"
    "$mv" --config "$config" --store "$store" --catalog "$catalog" import other "$other" --no-progress \
      --wait 60s >>"$work/loop.log" 2>&1 || echo "import $n failed" >>"$work/loop.errors"
  done
) &
loop_pid=$!
mv_start_serve "$mv" "$work/serve2.out" --config "$config" --store "$store" --catalog "$catalog" || exit 1
base=http://127.0.0.1:$SERVE_PORT
killed=0
for round in $(seq 1 "$rounds"); do
  echo "victim $round $RANDOM" >"$up/victim-$round"
  run_id=202402$(printf '%02d' "$round")T000000Z
  mvc import arch "$up" --run-id "$run_id" --no-progress --wait 60s >"$work/import.log" 2>&1 ||
    { fail "round $round: import: $(tail -3 "$work/import.log")"; continue; }
  victim=$(sha256sum "$up/victim-$round" | cut -d' ' -f1)
  # The victim in the target and in the region before it is removed.
  mvc publish "arch@$run_id" --to the-target >"$work/publish.log" 2>&1 ||
    fail "round $round: publish: $(tail -3 "$work/publish.log")"
  code=$(code_of "$base/redirect/v1/eu/file/$victim")
  { [ "$code" = 302 ] && target_has "victim-$round" && [ "$(region_copies "$victim")" -ge 1 ]; } ||
    fail "round $round: the victim is not in the target and the region before its removal ($code, $(region_copies "$victim") copies, target: $(mvc store ls "$target_url" --recursive | grep -c victim))"
  if [ "$backend" = local ]; then delay=$((RANDOM % 60)); else delay=$((RANDOM % 200)); fi
  "$mv" --config "$config" --store "$store" --catalog "$catalog" remove "$victim" \
    --reason "round $round" >"$work/kill.out" 2>&1 &
  pid=$!
  sleep "0.$(printf '%03d' "$delay")"
  if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); fi
  wait "$pid" 2>/dev/null
  out=$(mvc fsck --no-progress 2>&1)
  grep -q ": 0 problems" <<<"$out" || fail "round $round: fsck after the kill: $out"
  mvc remove "$victim" --reason "round $round" >"$work/again.out" 2>&1 ||
    fail "round $round: remove again: $(cat "$work/again.out")"
  n=$(grep -c "round $round\$" <<<"$(mvc removals)")
  [ "$n" = 1 ] || fail "round $round: $n removals of the victim"
  grep -q "blobs/.*$victim" <<<"$(objects)" && fail "round $round: the victim's blob is still there"
  [ "$(region_copies "$victim")" = 0 ] || fail "round $round: the victim's region copy is still there"
  target_has "victim-$round" && fail "round $round: the victim is still in the target"
  # Only what the kill left unfinished (this round's victim at most) is withdrawn again, not
  # every removal ever made.
  purged=$(grep -o "region eu: purged [0-9]* contents" "$work/again.out" | grep -o "[0-9]*")
  [ -z "$purged" ] || [ "$purged" = 1 ] ||
    fail "round $round: remove again purged $purged contents: finished removals were redone"
done
# The loop ends after its current import: killing it would leave that import running (or cut its
# commit short), and fsck below would note a run in the store not yet in the catalog.
touch "$work/stop-loop"; wait "$loop_pid" 2>/dev/null; loop_pid=""
kill "$SERVE_PID" 2>/dev/null; wait "$SERVE_PID" 2>/dev/null; SERVE_PID=""
pass "remove killed at random moments: $killed of $rounds killed, each finished by removing again (blob, region copy and target file gone)"
[ -s "$work/loop.errors" ] && fail "imports beside the removals: $(cat "$work/loop.errors") $(tail -5 "$work/loop.log")"
out=$(mvc fsck --full --deep --no-progress 2>&1)
grep -q ": 0 problems" <<<"$out" && ! grep -q "^note" <<<"$out" &&
  pass "fsck --full --deep clean after every removal: $(tail -1 <<<"$out")" || fail "fsck --deep: $out"

echo "$failures failures"
[ "$failures" -eq 0 ]
