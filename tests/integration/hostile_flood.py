#!/usr/bin/env python3
"""hostile_flood.py - strangers at a job's listeners, for hostile_peers.sh.

Usage: hostile_flood.py STOPFILE CONNS HOST:PORT...

For each address, keeps about CONNS connections open, in four kinds taken
in turn: idle (connects and says nothing), garbage (1 KiB of random bytes at
once, then silence), slow (one byte every 0.3 s: the first bytes of a
plausible header, then zeros) and churn (connects and closes at once).
Whatever the listener closes is opened again, so the pressure lasts until
STOPFILE exists (or 150 s pass). With HOSTILE_FLOOD_READY set, creates
that file after its first round of connections. Prints a summary line and
exits 0; it never judges the job (the driver does).
"""
import os
import random
import selectors
import socket
import sys
import time

KINDS = ("idle", "garbage", "slow", "churn")
SLOW_EVERY_S = 0.3
CHURN_EVERY_S = 0.2  # a churn connection opens again after this
PASS_S = 0.05        # one pass over the connections at most this often
LIMIT_S = 150


class Conn:
    def __init__(self, addr, kind):
        self.addr = addr
        self.kind = kind
        self.sock = None
        self.sent = 0
        self.due = 0.0


def parse(addr):
    host, port = addr.rsplit(":", 1)
    return host.strip("[]"), int(port)


def main():
    if len(sys.argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    stopfile, per_addr = sys.argv[1], int(sys.argv[2])
    addrs = [parse(a) for a in sys.argv[3:]]
    sel = selectors.DefaultSelector()
    conns = [Conn(a, KINDS[i % len(KINDS)]) for a in addrs for i in range(per_addr)]
    stats = {"opened": 0, "refused": 0, "closed_by_peer": 0}
    start = time.monotonic()
    ready = os.environ.get("HOSTILE_FLOOD_READY")

    def close(c):
        if c.sock is not None:
            try:
                sel.unregister(c.sock)
            except (KeyError, ValueError):
                pass
            c.sock.close()
            c.sock = None

    def open_(c):
        s = socket.socket(socket.AF_INET6 if ":" in c.addr[0] else socket.AF_INET)
        s.setblocking(False)
        try:
            s.connect(c.addr)
        except BlockingIOError:
            pass
        except OSError:
            stats["refused"] += 1
            s.close()
            c.due = time.monotonic() + CHURN_EVERY_S
            return
        stats["opened"] += 1
        c.sock, c.sent = s, 0
        c.due = time.monotonic() + (CHURN_EVERY_S if c.kind == "churn" else SLOW_EVERY_S)
        if c.kind == "churn":
            close(c)
            return
        sel.register(s, selectors.EVENT_READ, c)
        if c.kind == "garbage":
            try:
                s.send(os.urandom(1024))
            except OSError:
                pass

    while not os.path.exists(stopfile) and time.monotonic() - start < LIMIT_S:
        now = time.monotonic()
        for c in conns:
            if c.sock is None and now >= c.due:
                open_(c)
            elif c.kind == "slow" and now >= c.due:
                byte = b"\x01" if c.sent == 0 else b"\x00"
                try:
                    c.sock.send(byte)
                    c.sent += 1
                except OSError:
                    close(c)
                c.due = now + SLOW_EVERY_S
        for key, _ in sel.select(timeout=PASS_S):
            c = key.data
            try:
                data = c.sock.recv(4096)
            except OSError:
                data = b""
            if not data:
                stats["closed_by_peer"] += 1
                close(c)
                c.due = time.monotonic() + PASS_S
        if ready:
            open(ready, "w").close()
            ready = None
        spent = time.monotonic() - now
        if spent < PASS_S:
            time.sleep(PASS_S - spent)
    for c in conns:
        close(c)
    print("hostile_flood: %d addresses, %d opened, %d refused, %d closed by the listener"
          % (len(addrs), stats["opened"], stats["refused"], stats["closed_by_peer"]))
    return 0


if __name__ == "__main__":
    random.seed()
    sys.exit(main())
