#!/usr/bin/env python3
"""Clients and log readers for bench/soak (python3 standard library only).

  soak_clients.py slow HOST PORT PATH COUNT RATE SECONDS
      COUNT connections each GET PATH and read the answer at RATE bytes/s (1/10 of RATE every
      100 ms, a small receive buffer so that the server feels the back-pressure) for SECONDS.
      Prints one line: "slow: COUNT clients, N still open, M closed by the server, E errors,
      B bytes read (min X, max Y per client), statuses {...}".
  soak_clients.py slowloris HOST PORT LIMIT
      Sends the start of a request, then one header byte every 0.5 s, never ending the headers;
      prints "closed SECONDS" when the server closes the connection (or resets it), or
      "open LIMIT" if it is still open after LIMIT seconds.
  soak_clients.py probe HOST PORT PATH RANGE_SPAN SIZE LOG
      Until SIGTERM: every 100 ms (not waiting for earlier answers) a new connection GETs PATH with a Range of RANGE_SPAN bytes at a
      random offset below SIZE (timeout 30 s); one JSON line per request into LOG:
      {"t0": start, "t1": end, "status": code or 0 on a socket error, "error": text}.
  soak_clients.py probe-report LOG T_DOWN T_UP [T_END]
      From a probe log and the epoch times the store went down and came back: the requests
      started while it was down (statuses, the longest), and the time from T_UP to the end of the
      first 200/206 started after T_UP. Prints "key=value" lines.
  soak_clients.py access-log FILE OFFSET END [WINDOW_FROM WINDOW_TO]
      Checks the access log lines between byte OFFSET and END: a path under /missing/ must answer
      404, a path of a large file (large.bin) 206 (200 for the slow clients, user agent mv-soak-slow),
      anything else 200; lines timed within
      [WINDOW_FROM, WINDOW_TO] (epoch seconds; the store's outage) may also answer 503. Prints
      "lines=N unexpected=M statuses=..." and up to 5 unexpected lines.
"""
import json
import random
import re
import signal
import socket
import sys
import threading
import time
from datetime import datetime


def request_bytes(host, port, path, agent, extra=""):
    return (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: {agent}\r\n{extra}"
            "Connection: close\r\n\r\n").encode()


def slow(host, port, path, count, rate, seconds):
    count, rate, seconds = int(count), int(rate), float(seconds)
    chunk = max(1, rate // 10)
    results = [None] * count
    stop_at = time.time() + seconds

    def reader(i):
        got, status, state = 0, 0, "open"
        try:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
            s.settimeout(30)
            s.connect((host, port))
            s.sendall(request_bytes(host, port, path, "mv-soak-slow"))
            head = b""
            while time.time() < stop_at:
                data = s.recv(chunk)
                if not data:
                    state = "closed"
                    break
                got += len(data)
                if not status:
                    head += data
                    m = re.match(rb"HTTP/1\.[01] (\d{3})", head)
                    if m:
                        status = int(m.group(1))
                time.sleep(0.1)
            s.close()
        except OSError as e:
            state = "error: " + str(e)
        results[i] = (got, status, state)

    threads = [threading.Thread(target=reader, args=(i,), daemon=True) for i in range(count)]
    for t in threads:
        t.start()
        time.sleep(0.01)
    for t in threads:
        t.join(seconds + 60)
    done = [r for r in results if r]
    still = sum(1 for r in done if r[2] == "open")
    closed = sum(1 for r in done if r[2] == "closed")
    errors = len(done) - still - closed + (count - len(done))
    statuses = {}
    for r in done:
        statuses[r[1]] = statuses.get(r[1], 0) + 1
    got = [r[0] for r in done] or [0]
    print(f"slow: {count} clients, {still} still open, {closed} closed by the server, {errors} errors, "
          f"{sum(got)} bytes read (min {min(got)}, max {max(got)} per client), statuses {statuses}")
    for r in done:
        if r[2].startswith("error"):
            print("slow: first error:", r[2])
            break


def slowloris(host, port, limit):
    limit = float(limit)
    s = socket.create_connection((host, port), timeout=5)
    s.sendall(f"GET /healthz HTTP/1.1\r\nHost: {host}\r\nX-Slow: ".encode())
    start = time.time()
    s.settimeout(0.5)
    while time.time() - start < limit:
        try:
            data = s.recv(100)
            if not data:
                print("closed %.1f" % (time.time() - start))
                return
            print("answered %.1f %r" % (time.time() - start, data[:40]))
            return
        except socket.timeout:
            pass
        except OSError:
            print("closed %.1f" % (time.time() - start))
            return
        try:
            s.sendall(b"a")
        except OSError:
            print("closed %.1f" % (time.time() - start))
            return
    print("open %.1f" % limit)


def probe(host, port, path, span, size, log):
    span, size = int(span), int(size)
    running = [True]
    signal.signal(signal.SIGTERM, lambda *_: running.__setitem__(0, False))
    lock = threading.Lock()
    out = open(log, "a", buffering=1)

    def one():
        off = random.randrange(0, max(1, size - span))
        t0 = time.time()
        status, err = 0, ""
        try:
            s = socket.create_connection((host, port), timeout=30)
            s.settimeout(30)
            s.sendall(request_bytes(host, port, path, "mv-soak-probe", f"Range: bytes={off}-{off + span - 1}\r\n"))
            buf = b""
            while True:
                data = s.recv(65536)
                if not data:
                    break
                buf += data
            m = re.match(rb"HTTP/1\.[01] (\d{3})", buf)
            status = int(m.group(1)) if m else 0
            if status == 206:
                head, _, body = buf.partition(b"\r\n\r\n")
                if len(body) != span:
                    status, err = 0, f"short body: {len(body)} of {span} bytes"
            elif not m:
                err = f"no status line ({len(buf)} bytes)"
            s.close()
        except OSError as e:
            err = str(e) or type(e).__name__
        with lock:
            out.write(json.dumps({"t0": t0, "t1": time.time(), "status": status, "error": err}) + "\n")

    # A new request every 100 ms whether or not the earlier ones have answered (at most 500 at
    # once), so that a request the server holds does not hide when it answers again.
    while running[0]:
        if threading.active_count() < 500:
            threading.Thread(target=one, daemon=True).start()
        time.sleep(0.1)
    out.flush()


def probe_report(log, t_down, t_up, t_end=None):
    t_down, t_up = float(t_down), float(t_up)
    rows = [json.loads(l) for l in open(log) if l.strip()]
    # Every request in flight while the store was down (started before it came back, ended after
    # it went away): one started just before the outage and held until the return counts too.
    during = [r for r in rows if r["t0"] < t_up and r["t1"] > t_down]
    statuses = {}
    for r in during:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    longest = max((r["t1"] - r["t0"] for r in during), default=0)
    first_ok = next((r for r in rows if r["t0"] >= t_up and r["status"] in (200, 206)), None)
    print(f"outage_requests={len(during)}")
    print("outage_statuses=" + ",".join(f"{k}:{v}" for k, v in sorted(statuses.items())))
    print(f"outage_non503={sum(v for k, v in statuses.items() if k != 503)}")
    print("outage_max_latency=%.3f" % longest)
    print("recovery=" + ("%.3f" % (first_ok["t1"] - t_up) if first_ok else "none"))
    print("recovered_at=" + ("%.3f" % first_ok["t1"] if first_ok else "none"))
    errs = [r["error"] for r in during if r["error"]]
    if errs:
        print("outage_first_error=" + errs[0].replace(" ", "_"))


LINE = re.compile(r'\[([^\]]+)\] "(\S+) (\S+) [^"]*" (\d{3}) ')


def access_log(path, offset, end, win_from=None, win_to=None):
    offset, end = int(offset), int(end)
    win = (float(win_from), float(win_to)) if win_from is not None else None
    with open(path, "rb") as f:
        f.seek(offset)
        data = f.read(end - offset)
    lines = unexpected = 0
    statuses, shown = {}, []
    for raw in data.decode("utf-8", "replace").splitlines():
        m = LINE.search(raw)
        if not m:
            continue
        lines += 1
        when, method, target, status = m.group(1), m.group(2), m.group(3), int(m.group(4))
        statuses[status] = statuses.get(status, 0) + 1
        if target.startswith("/healthz") or method != "GET":
            continue
        if "/missing/" in target:
            want = 404
        elif target.endswith("/large.bin"):
            want = 200 if '"mv-soak-slow"' in raw else 206  # the slow clients read it whole
        else:
            want = 200
        if status == want:
            continue
        if win and status == 503:
            t = datetime.strptime(when, "%d/%b/%Y:%H:%M:%S %z").timestamp()
            if win[0] <= t <= win[1]:
                continue
        unexpected += 1
        if len(shown) < 5:
            shown.append(raw)
    print(f"lines={lines} unexpected={unexpected} statuses=" +
          ",".join(f"{k}:{v}" for k, v in sorted(statuses.items())))
    for s in shown:
        print("unexpected: " + s)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "slow":
        slow(args[0], int(args[1]), *args[2:])
    elif cmd == "slowloris":
        slowloris(args[0], int(args[1]), args[2])
    elif cmd == "probe":
        probe(args[0], int(args[1]), *args[2:])
    elif cmd == "probe-report":
        probe_report(*args)
    elif cmd == "access-log":
        access_log(*args)
    else:
        sys.exit(__doc__)
