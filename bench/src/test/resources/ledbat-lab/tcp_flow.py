#!/usr/bin/python3
"""A Linux TCP bulk flow for bench/run utp-ledbat-lab.

usage: tcp_flow.py recv ADDRESS PORT      accept one connection, read it, print
                                          "bytes MONOTONIC_NS TOTAL" every 100 ms
       tcp_flow.py send ADDRESS PORT CC   connect with congestion control CC (cubic, reno; set
                                          per socket: a namespace's default cannot be changed
                                          here), write zeros until killed
"""
import socket
import sys
import threading
import time


def recv(address, port):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((address, port))
    srv.listen(1)
    print("ready", flush=True)
    conn, _ = srv.accept()
    total = [0]

    def report():
        while True:
            print("bytes %d %d" % (time.monotonic_ns(), total[0]), flush=True)
            time.sleep(0.1)

    threading.Thread(target=report, daemon=True).start()
    buf = bytearray(1 << 20)
    view = memoryview(buf)
    while True:
        n = conn.recv_into(view)
        if n == 0:
            return
        total[0] += n


def send(address, port, cc):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, cc.encode())
    s.connect((address, port))
    used = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, 16).rstrip(b"\0").decode()
    if used != cc:
        print("congestion control is %s, not %s" % (used, cc), file=sys.stderr, flush=True)
        sys.exit(1)
    print("sending %s" % used, flush=True)
    data = bytes(1 << 20)
    while True:
        s.sendall(data)


if __name__ == "__main__":
    if sys.argv[1] == "recv":
        recv(sys.argv[2], int(sys.argv[3]))
    else:
        send(sys.argv[2], int(sys.argv[3]), sys.argv[4])
