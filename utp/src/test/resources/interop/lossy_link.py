#!/usr/bin/python3
"""A userspace UDP link between the test JVM and a libtorrent peer in a network namespace.

usage: lossy_link.py NETNS JAVA_PORT PEER_PORT DELAY_MS JITTER_MS DROP

One socket, A, is bound to 127.0.0.1 in the namespace this process starts in (the test JVM's);
then the process enters the network namespace NETNS (a name under /var/run/netns, as `ip netns
add` makes it) and binds socket B to 127.0.0.1 there. Datagrams the JVM sends to A leave B for
127.0.0.1:PEER_PORT in NETNS (PEER_PORT 0: whoever sent to B first); datagrams arriving on B leave
A for 127.0.0.1:JAVA_PORT. Each is held DELAY_MS plus up to JITTER_MS (never reordered within a
direction). DROP is a comma-separated list of datagram indexes (0 = the first datagram to cross, in
either direction) to drop here, or "-" for none. Random loss is not done here: the test puts an
nftables input-hook rule in NETNS, where every datagram crosses loopback exactly once.

Prints {"java_side_port": A, "peer_side_port": B} once ready, logs the first 40 datagrams to stderr,
and when stdin reaches EOF prints {"forwarded": N, "dropped": N, "to_peer": N, "to_java": N} and
exits. Nothing but 127.0.0.1 in these two namespaces is ever contacted.
"""
import ctypes
import heapq
import json
import os
import random
import selectors
import socket
import sys
import time

CLONE_NEWNET = 0x40000000
TYPES = ["DATA", "FIN", "STATE", "RESET", "SYN"]


def enter_netns(name):
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open("/var/run/netns/" + name, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, "setns(%s): %s" % (name, os.strerror(err)))
    finally:
        os.close(fd)


def udp_socket():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    s.bind(("127.0.0.1", 0))
    s.setblocking(False)
    return s


def describe(d):
    if len(d) >= 20 and d[0] & 15 == 1 and d[0] >> 4 < 5:
        return "%s id=%d seq=%d ack=%d len=%d" % (
            TYPES[d[0] >> 4], int.from_bytes(d[2:4], "big"), int.from_bytes(d[16:18], "big"),
            int.from_bytes(d[18:20], "big"), len(d) - 20)
    return "%d bytes" % len(d)


def main():
    netns, java_port, peer_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    delay, jitter = float(sys.argv[4]) / 1000, float(sys.argv[5]) / 1000
    drop = set() if sys.argv[6] == "-" else {int(x) for x in sys.argv[6].split(",")}
    a = udp_socket()
    enter_netns(netns)
    b = udp_socket()
    java = ("127.0.0.1", java_port)
    peer = ("127.0.0.1", peer_port) if peer_port else None
    print(json.dumps({"java_side_port": a.getsockname()[1], "peer_side_port": b.getsockname()[1]}),
          flush=True)

    sel = selectors.DefaultSelector()
    sel.register(a, selectors.EVENT_READ, "to_peer")
    sel.register(b, selectors.EVENT_READ, "to_java")
    sel.register(sys.stdin, selectors.EVENT_READ, "stdin")
    queue = []  # (release time, order, socket, destination, datagram)
    last = {"to_peer": 0.0, "to_java": 0.0}
    counts = {"forwarded": 0, "dropped": 0, "to_peer": 0, "to_java": 0}
    index = 0
    order = 0
    rng = random.Random(29)
    while True:
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, sock, dest, d = heapq.heappop(queue)
            try:
                sock.sendto(d, dest)
                counts["forwarded"] += 1
            except OSError:
                counts["dropped"] += 1
        timeout = max(0.0, queue[0][0] - now) if queue else None
        for key, _ in sel.select(timeout):
            if key.data == "stdin":
                if not os.read(sys.stdin.fileno(), 4096):
                    print(json.dumps(counts), flush=True)
                    return 0
                continue
            sock = key.fileobj
            while True:
                try:
                    d, src = sock.recvfrom(65536)
                except BlockingIOError:
                    break
                direction = key.data
                if direction == "to_java" and peer is None:
                    peer = src
                if direction == "to_peer" and peer is None:
                    continue  # nobody to send to yet
                i = index
                index += 1
                dropped = i in drop
                if i < 40:
                    print("%4d %-7s %s%s" % (i, direction, describe(d), " DROPPED" if dropped else ""),
                          file=sys.stderr, flush=True)
                if dropped:
                    counts["dropped"] += 1
                    continue
                counts[direction] += 1
                out, dest = (b, peer) if direction == "to_peer" else (a, java)
                release = max(last[direction], time.monotonic() + delay + rng.random() * jitter)
                last[direction] = release
                order += 1
                heapq.heappush(queue, (release, order, out, dest, d))


if __name__ == "__main__":
    sys.exit(main())
