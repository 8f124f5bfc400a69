#!/usr/bin/env bash
# A short bench/soak as a test (issue 18): the mix on 256 connections, 50 slow clients, a slowloris
# cut by --read-timeout, and radosgw stopped and started again under load, against a local store
# and an S3 store on a Ceph RGW that bench/soak starts for itself (so stopping its radosgw never
# disturbs the RGW of other tests). About 20 s of load in all; it fails on errors, a descriptor
# leak, a slowloris not cut, no recovery after the store's return, or the server dying. No
# throughput, latency or memory thresholds: those are benchmark figures, printed only.
#
#   soak_test.sh PATH/TO/mirrorvault   (needs wrk, python3 and Ceph: scripts/install-deps)
set -euo pipefail
mv=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/mv-soak-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
export MV_SOAK_SECONDS=${MV_SOAK_SECONDS:-6} MV_SOAK_PHASE_SECONDS=${MV_SOAK_PHASE_SECONDS:-3}
export MV_SOAK_OUTAGE_SECONDS=${MV_SOAK_OUTAGE_SECONDS:-3} MV_SOAK_READ_TIMEOUT=${MV_SOAK_READ_TIMEOUT:-2}
export MV_SOAK_LARGE_MIB=${MV_SOAK_LARGE_MIB:-20} MV_SOAK_SETTLE=0 MV_BENCH_DIR=$work
rc=0
"$here/bench/soak" "$mv" --store both || rc=$?
if [ "$rc" = 0 ]; then
  echo "soak_test: passed"
else
  echo "FAIL soak_test: bench/soak exited $rc"
fi
exit "$rc"
