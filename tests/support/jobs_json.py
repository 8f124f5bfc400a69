#!/usr/bin/env python3
"""Queries over the JSON of `mirrorvault jobs ... --json`, for tests/integration/jobs_test.sh.

    jobs_json.py COMMAND FILE ARGS...

FILE holds the output of `jobs list --json` (an array of jobs), `jobs show ID --json` (one job
with "errors": [{attempt, at, class, message}]) or `jobs failures --json` (an array of groups).
Times are RFC 3339 UTC strings or null. Job ids are compared as strings.

Commands that check something print one line per problem and nothing when all is well (the
caller fails on any output); the others print a value. Exit status 2 on a usage error or a FILE
that is not the JSON expected.

  count FILE [KEY=VALUE...]          how many jobs have every KEY equal to VALUE
  only FILE KEY=VALUE...             problems: jobs that do not match (the filters of `jobs list`)
  length FILE                        the length of the array
  min-succeeded FILE ARCHIVE...      the fewest succeeded mirror jobs any ARCHIVE has
  ids FILE ARCHIVE STATE[,STATE...]  ids of ARCHIVE's jobs in those states, one a line
  newest FILE ARCHIVE [ID...]        id of ARCHIVE's newest mirror job whose id is not listed
  job FILE ID KEY                    KEY of job ID in a list ("null" for null, "" if no such job)
  get FILE KEY                       KEY of the one job in FILE (`jobs show`)
  classes FILE                       the classes of the job's "errors", comma-separated, in order
  busy FILE ARCHIVE...               how many of the ARCHIVEs' jobs are available/running/retryable
  steady FILE WORKERS ARCHIVE...     problems with a fault-free schedule (see steady())
  started-since FILE EPOCH ARCHIVE... problems: ARCHIVEs' jobs started at or after EPOCH
  transient FILE CLASS[|CLASS...]    problems: job not succeeded after retries of CLASS errors
  permanent FILE                     problems: job not parked as a permanent failure
  rescued FILE CLAIMED LEASE KILL_EPOCH  problems: job not rescued after its lease expired
  since-last-error FILE              seconds from the last error to the job's end
  failures FILE CLASS ARCHIVE...     problems: the groups of CLASS do not hold the ARCHIVEs' jobs
  paused FILE ARCHIVE                "yes"/"no" from `jobs archives --json`, "absent" if not listed
"""

import json
import math
import sys
from datetime import datetime, timezone

RUNNABLE = ("available", "running", "retryable")
TRANSIENT = {"connection", "timeout", "http_5xx", "http_429", "s3_slowdown", "busy", "lock_held",
             "lease_expired"}
PERMANENT = {"signature", "hash_mismatch", "malformed", "config", "not_found", "permission",
             "internal"}


class Usage(Exception):
    pass


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise Usage(f"{path}: not JSON: {e}") from None


def load_list(path):
    v = load(path)
    if not isinstance(v, list):
        raise Usage(f"{path}: not a JSON array")
    return v


def ts(s):
    """Seconds since the epoch of an RFC 3339 time (Z or an offset; fractions allowed)."""
    if s is None:
        return None
    return datetime.fromisoformat(s.replace("Z", "+00:00").replace("z", "+00:00")).timestamp()


def text(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def jid(j):
    return str(j["id"])


def mirror_jobs(jobs, archive):
    return [j for j in jobs if j["archive"] == archive and j["kind"] == "mirror"]


def short(j):
    return (f"job {jid(j)} ({j['archive']} {j['kind']} {j['state']} attempt {j['attempt']}, "
            f"rescues {j['rescues']}, started {j['started']}, finished {j['finished']}, "
            f"error {j['error_class']}: {j['error_message']})")


def matches(j, pairs):
    return all(text(j.get(k)) == v for k, v in pairs)


def pairs_of(args):
    out = []
    for a in args:
        k, sep, v = a.partition("=")
        if not sep:
            raise Usage(f"expected KEY=VALUE, got {a!r}")
        out.append((k, v))
    return out


def cmd_count(path, *args):
    pairs = pairs_of(args)
    print(sum(1 for j in load_list(path) if matches(j, pairs)))


def cmd_only(path, *args):
    pairs = pairs_of(args)
    for j in load_list(path):
        if not matches(j, pairs):
            print(f"does not match {' '.join(args)}: {short(j)}")


def cmd_length(path):
    print(len(load_list(path)))


def cmd_min_succeeded(path, *archives):
    jobs = load_list(path)
    print(min(sum(1 for j in mirror_jobs(jobs, a) if j["state"] == "succeeded") for a in archives))


def cmd_ids(path, archive, states):
    wanted = states.split(",")
    for j in load_list(path):
        if j["archive"] == archive and j["state"] in wanted:
            print(jid(j))


def cmd_newest(path, archive, *exclude):
    def order(j):
        i = jid(j)
        return (ts(j["created"]) or 0, int(i) if i.isdigit() else 0, i)

    left = [j for j in mirror_jobs(load_list(path), archive) if jid(j) not in exclude]
    if left:
        print(jid(max(left, key=order)))


def cmd_job(path, job_id, key):
    for j in load_list(path):
        if jid(j) == job_id:
            print(text(j.get(key)))
            return


def show(path):
    v = load(path)
    if not isinstance(v, dict) or "state" not in v or not isinstance(v.get("errors"), list):
        raise Usage(f"{path}: not the object of `jobs show --json` (with \"errors\")")
    return v


def cmd_get(path, key):
    print(text(show(path).get(key)))


def cmd_classes(path):
    print(",".join(text(e.get("class")) for e in show(path)["errors"]))


def cmd_busy(path, *archives):
    print(sum(1 for j in load_list(path) if j["archive"] in archives and j["state"] in RUNNABLE))


def cmd_steady(path, workers, *archives):
    """A fault-free schedule of mirror jobs every 20 s, stopped once every archive had three:
    per archive 3 or 4 jobs ran, each succeeded on its first attempt without a rescue or an error;
    at most one more job waits (scheduled or available), none is in any other state; the jobs'
    [started, finished] intervals do not overlap and consecutive starts are at least 10 s apart
    (two schedulers that both enqueued one tick would show as a pair of jobs a moment apart); lease
    holders, when finished jobs keep them, are among the WORKERS (comma-separated)."""
    jobs = load_list(path)
    names = set(workers.split(","))
    for j in jobs:
        if j["archive"] not in archives:
            print(f"a job of an archive not in the configuration: {short(j)}")
        elif j["kind"] != "mirror":
            print(f"a job that is not a mirror: {short(j)}")
        if j.get("lease_holder") is not None and worker_of(j["lease_holder"]) not in names:
            print(f"leased by {j['lease_holder']!r}, not one of {sorted(names)}: {short(j)}")
    for a in archives:
        mine = mirror_jobs(jobs, a)
        ran = sorted((j for j in mine if j["started"] is not None), key=lambda j: ts(j["started"]))
        waiting = [j for j in mine if j["started"] is None]
        if not 3 <= len(ran) <= 4:
            print(f"{a}: {len(ran)} mirror jobs ran, want 3 (or 4 if a tick came before the stop)")
        for j in ran:
            if (j["state"] != "succeeded" or j["attempt"] != 1 or j["rescues"] != 0
                    or j["error_class"] is not None or j["finished"] is None):
                print(f"{a}: not a first-attempt success: {short(j)}")
        if len(waiting) > 1:
            more = "; ..." if len(waiting) > 3 else ""
            print(f"{a}: {len(waiting)} jobs wait, at most one may: "
                  + "; ".join(short(j) for j in waiting[:3]) + more)
        for j in waiting:
            if j["state"] not in ("scheduled", "available"):
                print(f"{a}: a job that never started is {j['state']}: {short(j)}")
        for p, n in zip(ran, ran[1:]):
            if p["finished"] is not None and ts(n["started"]) < ts(p["finished"]):
                print(f"{a}: two mirror jobs overlap: {short(p)} and {short(n)}")
            if ts(n["started"]) - ts(p["started"]) < 10:
                print(f"{a}: two mirror jobs started "
                      f"{ts(n['started']) - ts(p['started']):.1f} s apart (every 20 s): "
                      f"{short(p)} and {short(n)}")


def worker_of(holder):
    """The worker of a lease holder: `mirrorvault worker --name W` leases as W/SLOT."""
    return holder.rsplit("/", 1)[0]


def cmd_started_since(path, epoch, *archives):
    t = float(epoch)
    for j in load_list(path):
        if j["archive"] in archives and j["started"] is not None and ts(j["started"]) >= t:
            print(f"started after {j['archive']} was paused: {short(j)}")


def cmd_transient(path, classes):
    j = show(path)
    wanted = set(classes.split("|"))
    seen = [e.get("class") for e in j["errors"]]
    if j["state"] != "succeeded":
        print(f"state {j['state']}, want succeeded: {short(j)}")
    if not isinstance(j["attempt"], int) or j["attempt"] < 2:
        print(f"attempt {j['attempt']}, want > 1 (a retry): {short(j)}")
    if not wanted & set(seen):
        print(f"errors {seen}: none of class {'|'.join(sorted(wanted))}")
    if set(seen) - TRANSIENT:
        print(f"errors {seen}: a class that is not transient")
    if len(seen) != j["attempt"] - 1:
        print(f"{len(seen)} errors recorded for {j['attempt']} attempts (want one per failed one)")
    for e in j["errors"]:
        if not e.get("message") or e.get("at") is None:
            print(f"an error without a message or a time: {e}")


def cmd_permanent(path):
    j = show(path)
    if j["state"] != "failed":
        print(f"state {j['state']}, want failed: {short(j)}")
    if j["error_class"] not in ("signature", "hash_mismatch"):
        print(f"error_class {j['error_class']}, want signature or hash_mismatch: {short(j)}")
    if j["attempt"] != 1:
        print(f"attempt {j['attempt']}: a permanent error must not be retried: {short(j)}")
    if not j.get("error_message"):
        print(f"no error_message: {short(j)}")
    if [e.get("class") for e in j["errors"]] != [j["error_class"]]:
        print(f"errors {j['errors']}: want the one {j['error_class']} error")


def cmd_rescued(path, claimed, lease, kill_epoch):
    """The job was claimed at CLAIMED (its "started", whole seconds) with a lease of LEASE
    seconds; its worker was SIGKILLed at KILL_EPOCH (sub-second). Times in the JSON are whole
    seconds, rounded down."""
    j = show(path)
    t_claim = ts(claimed)
    t_kill = float(kill_epoch)
    expired = [e for e in j["errors"] if e.get("class") == "lease_expired"]
    if j["state"] != "succeeded":
        print(f"state {j['state']}, want succeeded: {short(j)}")
    if not isinstance(j["rescues"], int) or j["rescues"] < 1:
        print(f"rescues {j['rescues']}, want >= 1: {short(j)}")
    if not isinstance(j["attempt"], int) or j["attempt"] < 2:
        print(f"attempt {j['attempt']}: a rescue counts as an attempt: {short(j)}")
    if not expired:
        print(f"no lease_expired error in {j['errors']}")
    killed = datetime.fromtimestamp(t_kill, timezone.utc).isoformat()
    for e in expired:
        # The claim leased the job until claim + LEASE, and heartbeats only ever extend a lease:
        # no rescue before then. Exact with whole seconds (both rounded down, LEASE whole).
        if e.get("at") is None or ts(e["at"]) < t_claim + float(lease):
            print(f"rescued at {e.get('at')}, before the lease taken at the claim ({claimed}) "
                  f"ran out {lease} s later: the lease was still live")
        # The worker renewed its lease every third of it until the kill, so the lease outlived
        # the kill by about 2/3 of it (at the very least unless a heartbeat came 2/3 of the lease
        # late): a rescue in an earlier second than the kill took a live lease. (How much later
        # is not checked: heartbeats are late on a loaded machine, and `at` is whole seconds.)
        elif ts(e["at"]) < math.floor(t_kill):
            print(f"rescued at {e['at']}, before the kill at {killed}: the lease was still live")


def cmd_since_last_error(path):
    j = show(path)
    if not j["errors"] or j["finished"] is None:
        print("n/a")
        return
    print(f"{ts(j['finished']) - ts(j['errors'][-1]['at']):.1f}")


def count_of(v):
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, list):
        return len(v)
    if isinstance(v, str) and v.isdigit():
        return int(v)
    return None


def names_of(v):
    if isinstance(v, list):
        return {str(x) for x in v}
    if isinstance(v, str) and not v.isdigit():
        return {x.strip() for x in v.replace(",", " ").split()}
    return None


def cmd_failures(path, cls, *archives):
    """Groups of `jobs failures --json`: those of error class CLS hold at least one job per
    ARCHIVE and, where they list archives by name, name every ARCHIVE; each group has a signature
    and an example."""
    groups = load_list(path)
    mine = [g for g in groups if isinstance(g, dict) and g.get("error_class") == cls]
    if not mine:
        print(f"no group of class {cls}: {json.dumps(groups)}")
        return
    for g in mine:
        for key in ("signature", "example"):
            if not g.get(key):
                print(f"a group without {key!r}: {json.dumps(g)}")
        if count_of(g.get("jobs")) is None:
            print(f"\"jobs\" is neither a count nor a list: {json.dumps(g)}")
    jobs = sum(count_of(g.get("jobs")) or 0 for g in mine)
    if jobs < len(archives):
        print(f"the {cls} groups hold {jobs} jobs, want >= {len(archives)}: {json.dumps(mine)}")
    named = [names_of(g.get("archives")) for g in mine]
    if all(n is not None for n in named):
        missing = set(archives) - set().union(*named)
        if missing:
            print(f"the {cls} groups do not name {sorted(missing)}: {json.dumps(mine)}")
    elif sum(count_of(g.get("archives")) or 0 for g in mine) < len(archives):
        print(f"the {cls} groups count fewer than {len(archives)} archives: {json.dumps(mine)}")


def cmd_paused(path, archive):
    for a in load_list(path):
        if not isinstance(a, dict):
            raise Usage(f"{path}: an archive that is not an object: {a!r}")
        if archive not in (a.get("name"), a.get("archive")):
            continue
        flagged = any(v is True for k, v in a.items() if "paus" in k.lower()) or \
            any(isinstance(v, str) and v.lower() == "paused" for v in a.values())
        print("yes" if flagged else "no")
        return
    print("absent")


COMMANDS = {name[4:].replace("_", "-"): f for name, f in globals().items()
            if name.startswith("cmd_")}

if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    try:
        COMMANDS[sys.argv[1]](*sys.argv[2:])
    except (Usage, TypeError, KeyError) as e:
        print(f"jobs_json.py {sys.argv[1]}: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(2)
