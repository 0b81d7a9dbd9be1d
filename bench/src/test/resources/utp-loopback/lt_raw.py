#!/usr/bin/python3
"""libtorrent 2.0.8's uTP moving SIZE_MIB over 127.0.0.1, as close to a raw transfer as its Python
bindings allow: the reference beside natswarm in bench/run utp-loopback.

usage: lt_raw.py SIZE_MIB PIECE_MIB WORK_DIR TIMEOUT_S

WORK_DIR should be on tmpfs (/dev/shm): storage then does no disk I/O, only memory copies through
libtorrent's mmap storage (the 2.0.8 bindings do not expose disabled_disk_io).
One seeding session is made and its torrent checked once (SHA-1 of every piece, before any run);
then, for each line "run" read from stdin, a fresh leeching session (hash checks disabled) dials it
over uTP only. Both sessions start from lt.high_performance_seed(). The rate is payload from the
first block received (block_finished_alert) to torrent_finished_alert; Python only waits for alerts.
Prints {"ready": true} once, then one JSON line per run:
  {"run": i, "mibps": R, "seconds": S, "cpu_seconds": C}   C: this process's CPU (both sessions)
or {"run": i, "error": "..."}. Exits on stdin EOF or a line that is not "run".
Nothing but 127.0.0.1 is ever contacted (no DHT, LSD, UPnP, NAT-PMP, trackers).
"""
import json
import os
import shutil
import sys
import time

import libtorrent as lt


def settings():
    s = lt.high_performance_seed()
    s.update({
        "listen_interfaces": "127.0.0.1:0",
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "dht_bootstrap_nodes": "",
        "enable_outgoing_tcp": False,
        "enable_incoming_tcp": False,
        "enable_outgoing_utp": True,
        "enable_incoming_utp": True,
        "allow_multiple_connections_per_ip": True,
        "recv_socket_buffer_size": 4194304,
        "send_socket_buffer_size": 4194304,
        "out_enc_policy": lt.enc_policy.disabled,
        "in_enc_policy": lt.enc_policy.enabled,
        "alert_mask": lt.alert.category_t.error_notification | lt.alert.category_t.status_notification,
    })
    return s


def make_torrent(data_file, piece_length):
    fs = lt.file_storage()
    lt.add_files(fs, data_file)
    ct = lt.create_torrent(fs, piece_length, flags=lt.create_torrent.v1_only)
    lt.set_piece_hashes(ct, os.path.dirname(os.path.abspath(data_file)))
    return lt.torrent_info(ct.generate())


def wait_for(ses, kinds, deadline):
    """Pops alerts until one of the given types arrives; returns (alert, time.monotonic())."""
    while time.monotonic() < deadline:
        if ses.wait_for_alert(500) is None:
            continue
        for a in ses.pop_alerts():
            if isinstance(a, kinds):
                return a, time.monotonic()
            if isinstance(a, (lt.torrent_error_alert, lt.file_error_alert)):
                raise RuntimeError(a.message())
    raise RuntimeError("timed out waiting for " + " or ".join(k.__name__ for k in kinds))


def one_run(run, ti, seed_port, work, timeout_s):
    leech_dir = os.path.join(work, "leech%d" % run)
    os.makedirs(leech_dir, exist_ok=True)
    s = settings()
    s["disable_hash_checks"] = True
    s["alert_mask"] = s["alert_mask"] | lt.alert.category_t.block_progress_notification
    leecher = lt.session(s)
    deadline = time.monotonic() + timeout_s
    try:
        h = leecher.add_torrent({"ti": ti, "save_path": leech_dir})
        c0 = sum(os.times()[:2])
        h.connect_peer(("127.0.0.1", seed_port))
        _, t_first = wait_for(leecher, (lt.block_finished_alert,), deadline)
        # From here only the finish matters: no alert per block.
        leecher.apply_settings({"alert_mask": settings()["alert_mask"]})
        if not h.status().is_seeding:
            wait_for(leecher, (lt.torrent_finished_alert,), deadline)
        t_end = time.monotonic()
        c1 = sum(os.times()[:2])
        got = h.status().total_wanted_done
        if got != ti.total_size():
            raise RuntimeError("finished with %d of %d bytes" % (got, ti.total_size()))
    finally:
        del leecher
        shutil.rmtree(leech_dir, ignore_errors=True)
    secs = t_end - t_first
    return {"run": run, "mibps": ti.total_size() / (1 << 20) / secs, "seconds": secs,
            "cpu_seconds": c1 - c0}


def main():
    size_mib, piece_mib, work, timeout_s = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
    seed_dir = os.path.join(work, "seed")
    os.makedirs(seed_dir, exist_ok=True)
    data = os.path.join(seed_dir, "payload.bin")
    with open(data, "wb") as f:
        for _ in range(size_mib):
            f.write(os.urandom(1 << 20))
    ti = make_torrent(data, piece_mib << 20)
    seeder = lt.session(settings())
    h = seeder.add_torrent({"ti": ti, "save_path": seed_dir})
    deadline = time.monotonic() + timeout_s
    while not h.status().is_seeding:
        if time.monotonic() > deadline:
            print(json.dumps({"error": "the seeder did not finish checking"}), flush=True)
            return 1
        time.sleep(0.05)
    port = seeder.listen_port()
    print(json.dumps({"ready": True}), flush=True)
    run = 0
    for line in sys.stdin:
        if line.strip() != "run":
            break
        try:
            print(json.dumps(one_run(run, ti, port, work, timeout_s)), flush=True)
        except Exception as e:  # reported to the caller, which fails the benchmark
            print(json.dumps({"run": run, "error": str(e)}), flush=True)
        run += 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
