#!/usr/bin/python3
"""libtorrent 2.0.8 uTP loopback throughput, the reference for bench/run utp-loopback.

usage: lt_bench.py SIZE_MIB RUNS TIMEOUT_S WORK_DIR

Makes one v1-only torrent of SIZE_MIB random bytes in WORK_DIR, then RUNS times (RUNS = 0: once
per line "run" read from stdin, so a caller can interleave runs with its own): a fresh seeding
session and a fresh leeching session (uTP only, 4 MiB socket buffers, 127.0.0.1), the leecher
dials the seeder, and the payload rate is measured from the first payload byte to finish.
In the interactive mode it first prints {"ready": true}. Prints one JSON line per run: {"run": i, "mibps": R, "seconds": S, "cpu_seconds": C} where C is
this process's CPU time (both sessions) during the run. Exits on TIMEOUT_S or stdin EOF.
"""
import json
import os
import shutil
import sys
import threading
import time

import libtorrent as lt

from lt_peer import make_torrent, settings


def main():
    size_mib, runs, timeout_s, work = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    stop = threading.Event()

    def watch():
        try:
            sys.stdin.read()
        finally:
            stop.set()

    if runs > 0:
        threading.Thread(target=watch, daemon=True).start()
    deadline = time.monotonic() + timeout_s
    seed_dir = os.path.join(work, "seed")
    os.makedirs(seed_dir, exist_ok=True)
    data = os.path.join(seed_dir, "payload.bin")
    with open(data, "wb") as f:
        for _ in range(size_mib):
            f.write(os.urandom(1 << 20))
    ti = make_torrent(data, 1 << 20)
    if runs > 0:
        for run in range(runs):
            if stop.is_set() or one_run(run, ti, seed_dir, work, deadline, stop) != 0:
                return 1
        return 0
    print(json.dumps({"ready": True}), flush=True)
    run = 0
    for line in sys.stdin:
        if line.strip() != "run":
            break
        if one_run(run, ti, seed_dir, work, deadline, stop) != 0:
            return 1
        run += 1
    return 0


def one_run(run, ti, seed_dir, work, deadline, stop):
    total = ti.total_size()
    leech_dir = os.path.join(work, "leech%d" % run)
    os.makedirs(leech_dir, exist_ok=True)
    seeder = lt.session(settings("127.0.0.1:0"))
    leecher = lt.session(settings("127.0.0.1:0"))
    seeder.add_torrent({"ti": ti, "save_path": seed_dir, "flags": lt.torrent_flags.seed_mode})
    h = leecher.add_torrent({"ti": ti, "save_path": leech_dir})
    port = seeder.listen_port()
    c0 = sum(os.times()[:2])
    h.connect_peer(("127.0.0.1", port))
    t_first = None
    last_dial = time.monotonic()
    ok = False
    while not stop.is_set() and time.monotonic() < deadline:
        st = h.status()
        now = time.monotonic()
        if t_first is None and st.total_payload_download > 0:
            t_first = now
        if st.is_seeding:
            ok = True
            break
        if st.num_peers == 0 and now - last_dial > 1.0:
            h.connect_peer(("127.0.0.1", port))
            last_dial = now
        time.sleep(0.002)
    t_end = time.monotonic()
    c1 = sum(os.times()[:2])
    del h
    del leecher
    del seeder
    shutil.rmtree(leech_dir, ignore_errors=True)
    if not ok or t_first is None:
        print(json.dumps({"run": run, "error": "did not finish"}), flush=True)
        return 1
    secs = t_end - t_first
    print(json.dumps({"run": run, "mibps": total / (1 << 20) / secs, "seconds": secs,
                      "cpu_seconds": c1 - c0}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
