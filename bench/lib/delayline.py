#!/usr/bin/env python3
"""delayline.py NETNS DEV_HERE DEV_THERE DELAY_MS: a two-way IP delay line between TUN devices.

Used by bench/lib/wan.sh, because this machine's kernel has no netem qdisc. Attaches to the TUN
device DEV_HERE in the current network namespace and to DEV_THERE in namespace NETNS (both made
with `ip tuntap add ... mode tun` beforehand), and writes every packet read from one device into
the other DELAY_MS milliseconds later (one way; a round trip gets twice that), in order. On
SIGTERM it prints how many packets it moved each way and the longest queue, and exits.
"""
import ctypes
import fcntl
import os
import select
import signal
import struct
import sys
import time
from collections import deque

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
CLONE_NEWNET = 0x40000000


def open_tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def enter_namespace(netns):
    libc = ctypes.CDLL(None, use_errno=True)
    with open(f"/run/netns/{netns}") as ns:
        if libc.setns(ns.fileno(), CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {netns}")


def main():
    if len(sys.argv) != 5:
        sys.exit("usage: delayline.py NETNS DEV_HERE DEV_THERE DELAY_MS")
    netns, here, there, delay_ms = sys.argv[1:5]
    delay = float(delay_ms) / 1000
    near = open_tun(here)
    enter_namespace(netns)  # this process's only thread: the far device is opened in NETNS
    far = open_tun(there)
    peer = {near: far, far: near}
    queues = {near: deque(), far: deque()}  # (due, packet) read from a device, for its peer
    moved = {near: 0, far: 0}
    longest = {near: 0, far: 0}

    def stop(*_):
        print(f"delayline: {here}->{there} {moved[near]} packets (longest queue {longest[near]}), "
              f"{there}->{here} {moved[far]} packets (longest queue {longest[far]})",
              file=sys.stderr)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        now = time.monotonic()
        for fd, queue in queues.items():
            while queue and queue[0][0] <= now:
                packet = queue.popleft()[1]
                try:
                    os.write(peer[fd], packet)
                except OSError:
                    pass  # the other device went down: the packet is lost, as on a wire
        due = [queue[0][0] for queue in queues.values() if queue]
        wait = max(0.0, min(due) - now) if due else None
        readable, _, _ = select.select([near, far], [], [], wait)
        now = time.monotonic()
        for fd in readable:
            queue = queues[fd]
            try:
                while True:
                    queue.append((now + delay, os.read(fd, 65536)))
                    moved[fd] += 1
            except BlockingIOError:
                pass
            longest[fd] = max(longest[fd], len(queue))


if __name__ == "__main__":
    main()
