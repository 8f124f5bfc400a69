#!/usr/bin/env python3
"""The peer of bench/jobs on SQLite: WORKERS processes run the queue's two statements bare (claim
one available row with UPDATE ... RETURNING, then mark it done), through Python's sqlite3 module,
over JOBS rows in a fresh database file with WAL and synchronous=NORMAL as mirrorvault opens its
catalog. Prints claims_per_s.

    sqlite_claim_peer.py DB_FILE WORKERS JOBS
"""
import multiprocessing
import sqlite3
import sys
import time

CLAIM = ("UPDATE peer_jobs SET state = 'running', lease_holder = ?, lease_expires_ms = ? "
         "WHERE id = (SELECT id FROM peer_jobs WHERE state = 'available' ORDER BY run_after_ms, id "
         "LIMIT 1) RETURNING id")
DONE = ("UPDATE peer_jobs SET state = 'succeeded', finished_ms = ?, lease_holder = NULL "
        "WHERE id = ? AND lease_holder = ? AND state = 'running'")


def connect(path):
    c = sqlite3.connect(path, timeout=10, isolation_level=None)
    c.execute("PRAGMA journal_mode = WAL")
    c.execute("PRAGMA synchronous = NORMAL")
    return c


def work(path, me, start, counts):
    c = connect(path)
    start.wait()
    n = 0
    while True:
        now = int(time.time() * 1000)
        row = c.execute(CLAIM, (me, now + 60000)).fetchone()
        if row is None:
            break
        c.execute(DONE, (now, row[0], me))
        n += 1
    counts.put(n)


def main():
    path, workers, jobs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    c = connect(path)
    c.execute("CREATE TABLE peer_jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, state TEXT NOT NULL, "
              "run_after_ms BIGINT NOT NULL, lease_holder TEXT, lease_expires_ms BIGINT, "
              "finished_ms BIGINT)")
    c.execute("CREATE INDEX peer_by_state ON peer_jobs(state, run_after_ms)")
    c.execute("BEGIN")
    c.executemany("INSERT INTO peer_jobs(state, run_after_ms) VALUES ('available', ?)",
                  [(i,) for i in range(jobs)])
    c.execute("COMMIT")
    start = multiprocessing.Event()
    counts = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=work, args=(path, f"peer/{w}", start, counts))
             for w in range(workers)]
    for p in procs:
        p.start()
    time.sleep(0.5)
    t0 = time.monotonic()
    start.set()
    for p in procs:
        p.join()
    elapsed = time.monotonic() - t0
    done = sum(counts.get() for _ in procs)
    print(f"workers={workers} jobs={jobs} claims_per_s={done / elapsed:.0f} claimed={done}")
    sys.exit(0 if done == jobs else 1)


if __name__ == "__main__":
    main()
