#!/usr/bin/env bash
# The web pages in headless Chromium: an archive of two runs of a fixture repository (real .debs
# and a source package in two versions, imported from local trees; one package version withdrawn
# by `mirrorvault remove`), served by `mirrorvault serve`,
# clicked through by tests/integration/web_pages_test.py. Screenshots are kept in
# $MV_TEST_ARTIFACTS (default: the temporary folder, removed at the end).
#
#   web_pages_test.sh PATH/TO/mirrorvault
set -uo pipefail
mv=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
mvc() { "$mv" "$@" --store "file://$work/store" --catalog "sqlite://$work/catalog.db"; }
up=$work/upstream
for state in "--tiny mvtiny=1.0 --source-pkg mvsrc=1.0" "--tiny mvtiny=2.0 --source-pkg mvsrc=1.1"; do
  # shellcheck disable=SC2086
  "$here/tests/fixtures/make-upstream" "$up" --arch amd64 --key-dir "$work/key" \
    --debs-from "$here/tests/fixtures/small-packages.txt" $state >"$work/make.log" 2>&1 ||
    { cat "$work/make.log"; echo "FAIL make-upstream"; exit 1; }
  mvc import debian "$up" --no-progress >/dev/null || { echo "FAIL import"; exit 1; }
  sleep 1
done
# One withdrawn file (the first run's mvtiny), for /removal/ and the 451 page.
mvc remove --package mvtiny=1.0 --reason "a test removal" >"$work/remove.log" 2>&1 ||
  { cat "$work/remove.log"; echo "FAIL remove"; exit 1; }
. "$here/tests/support/serve_helpers.sh"
mv_start_serve "$mv" "$work/serve.out" --store "file://$work/store" --catalog "sqlite://$work/catalog.db" || exit 1
server_pid=$SERVE_PID port=$SERVE_PORT
shots=${MV_TEST_ARTIFACTS:-$work}/web-pages
mkdir -p "$shots"
/usr/bin/python3 "$here/tests/integration/web_pages_test.py" "http://127.0.0.1:$port" "$shots"
rc=$?
n=$(ls "$shots"/*.png 2>/dev/null | wc -l)
for f in "$shots"/*.png; do
  [ "$(head -c 8 "$f" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || { echo "FAIL $f is not a PNG"; rc=1; }
done
echo "$n screenshots in $shots"
exit $rc
