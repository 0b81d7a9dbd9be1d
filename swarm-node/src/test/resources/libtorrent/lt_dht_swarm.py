#!/usr/bin/python3
"""A small DHT of libtorrent 2.0.8 sessions with one seeder in it, for natswarm's magnet test.

usage: lt_dht_swarm.py DATA_FILE PIECE_LENGTH NODES TIMEOUT_S

Starts NODES DHT-only sessions and one seeding session, all on 127.0.0.1 (literal listen
addresses, LAB.md's DHT settings: dht_restrict_* off, a high dht_block_ratelimit, nodes added with
add_dht_node), makes a v1-only torrent of DATA_FILE and seeds it (seed mode) from the seeder, which
announces it in that DHT (by adding the torrent: session.dht_announce is broken in the binding).
When a DHT-only node's get_peers finds the seeder, prints one JSON line:
  {"nodes": [PORT...], "seeder_port": P, "info_hash": HEX, "pieces": N, "seconds": S}
Then, for every line "status" read on stdin, prints
  {"uploaded": BYTES, "peers": N, "metadata_requests": N, "dht_nodes": [N...]}
Exits on EOF on stdin or after TIMEOUT_S. Nothing but 127.0.0.1 is ever contacted: no public
bootstrap node, LSD, UPnP, NAT-PMP.
"""
import json
import warnings
import os
import sys
import threading
import time

import libtorrent as lt

warnings.simplefilter("ignore", DeprecationWarning)  # session.status(): still the simplest count


def settings():
    return {
        "listen_interfaces": "127.0.0.1:0",
        "enable_dht": True,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "dht_bootstrap_nodes": "",
        "dht_restrict_routing_ips": False,
        "dht_restrict_search_ips": False,
        "dht_ignore_dark_internet": False,
        "dht_block_ratelimit": 100000,
        "dht_upload_rate_limit": 1000000,
        "dht_announce_interval": 5,
        "allow_multiple_connections_per_ip": True,
        "alert_mask": lt.alert.category_t.error_notification
        | lt.alert.category_t.status_notification
        | lt.alert.category_t.dht_notification
        | lt.alert.category_t.dht_operation_notification,
    }


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def main():
    data_file, piece_length, n_nodes, timeout_s = sys.argv[1:5]
    deadline = time.monotonic() + float(timeout_s)
    stop = threading.Event()
    commands = []
    lock = threading.Lock()

    def read_stdin():
        try:
            for line in sys.stdin:
                with lock:
                    commands.append(line.strip())
        finally:
            stop.set()

    threading.Thread(target=read_stdin, daemon=True).start()

    fs = lt.file_storage()
    lt.add_files(fs, data_file)
    ct = lt.create_torrent(fs, int(piece_length), flags=lt.create_torrent.v1_only)
    save_path = os.path.dirname(os.path.abspath(data_file))
    lt.set_piece_hashes(ct, save_path)
    ti = lt.torrent_info(lt.bencode(ct.generate()))
    info_hash = ti.info_hashes().v1

    start = time.monotonic()
    nodes = [lt.session(settings()) for _ in range(int(n_nodes))]
    seeder = lt.session(settings())
    everyone = nodes + [seeder]
    ports = [s.listen_port() for s in nodes]
    for s in everyone:
        for p in ports:
            if p != s.listen_port():
                s.add_dht_node(("127.0.0.1", p))

    # The seeder adds its torrent (and so announces it) once its routing table has nodes.
    while seeder.status().dht_nodes == 0 and time.monotonic() < deadline and not stop.is_set():
        time.sleep(0.05)
    handle = seeder.add_torrent({"ti": ti, "save_path": save_path, "flags": lt.torrent_flags.seed_mode})
    seeder_port = seeder.listen_port()

    # Ready when a DHT-only node finds the seeder with get_peers.
    found = False
    last_query = 0.0
    while not found and time.monotonic() < deadline and not stop.is_set():
        if time.monotonic() - last_query > 1.0:
            nodes[-1].dht_get_peers(info_hash)
            last_query = time.monotonic()
        for a in nodes[-1].pop_alerts():
            if isinstance(a, lt.dht_get_peers_reply_alert) and a.info_hash == info_hash:
                if any(p[1] == seeder_port for p in a.peers()):
                    found = True
        for s in everyone[:-1]:
            s.pop_alerts()
        time.sleep(0.02)
    if not found:
        log("the seeder was not found in the DHT before the deadline")
        return 1
    print(json.dumps({"nodes": ports, "seeder_port": seeder_port, "info_hash": str(info_hash),
                      "pieces": ti.num_pieces(), "seconds": time.monotonic() - start}), flush=True)

    metadata_requests = 0
    max_peers = 0
    while time.monotonic() < deadline and not stop.is_set():
        for a in seeder.pop_alerts():
            if isinstance(a, lt.torrent_error_alert):
                log("seeder: " + a.message())
        for s in nodes:
            s.pop_alerts()
        st = handle.status()
        max_peers = max(max_peers, st.num_peers)
        with lock:
            pending, commands[:] = list(commands), []
        for c in pending:
            if c == "status":
                print(json.dumps({"uploaded": st.total_payload_upload, "peers": max_peers,
                                  "dht_nodes": [s.status().dht_nodes for s in everyone]}), flush=True)
        time.sleep(0.02)
    return 0


if __name__ == "__main__":
    sys.exit(main())
