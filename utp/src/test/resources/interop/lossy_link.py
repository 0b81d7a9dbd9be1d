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
and when stdin reaches EOF logs the last 4000 (so a stall shows how the connection ended) and prints {"forwarded": N, "dropped": N, "to_peer": N, "to_java": N} and
exits. Nothing but 127.0.0.1 in these two namespaces is ever contacted.
"""
import ctypes
import collections
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


def ranges(seqs):
    """1,2,3,5 -> "1-3,5": a selective ACK's packets, short enough to log hundreds of them."""
    out = []
    for x in seqs:
        if out and x == (out[-1][1] + 1) & 0xFFFF:
            out[-1][1] = x
        else:
            out.append([x, x])
    return ",".join(str(a) if a == b else "%d-%d" % (a, b) for a, b in out)


def describe(d):
    if len(d) >= 20 and d[0] & 15 == 1 and d[0] >> 4 < 5:
        ack = int.from_bytes(d[18:20], "big")
        text = "%s id=%d seq=%d ack=%d wnd=%d len=%d" % (
            TYPES[d[0] >> 4], int.from_bytes(d[2:4], "big"), int.from_bytes(d[16:18], "big"), ack,
            int.from_bytes(d[12:16], "big"), len(d) - 20)
        if d[1] == 1 and len(d) >= 22:  # a selective ACK: name the packets it reports received
            n = d[21]
            mask = d[22:22 + n]
            got = [(ack + 2 + i) & 0xFFFF for i in range(8 * len(mask)) if mask[i // 8] >> (i % 8) & 1]
            text += " sack=%s" % ranges(got)
        return text
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
    tail = collections.deque(maxlen=4000)
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
                    if index > 40:
                        print("  ... the last %d of %d:" % (len(tail), index), file=sys.stderr)
                        for line in tail:
                            print(line, file=sys.stderr)
                        sys.stderr.flush()
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
                line = "%4d %.3f %-7s %s%s" % (i, time.monotonic(), direction, describe(d), " DROPPED" if dropped else "")
                if i < 40:
                    print(line, file=sys.stderr, flush=True)
                else:
                    tail.append(line)
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
