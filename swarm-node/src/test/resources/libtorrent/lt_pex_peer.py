#!/usr/bin/python3
"""libtorrent 2.0.8 peer for natswarm's PEX interop test (BEP 11). Loopback only.

usage: lt_pex_peer.py HOST TORRENT_FILE SAVE_DIR SEED WAYS CONNECT TIMEOUT_S [DATA_FILE]

HOST is the literal address to listen on (127.0.0.1 or ::1), TCP and uTP both; SEED is 1 to seed
the data already in SAVE_DIR (seed mode, uploading at 512 KiB/s), 0 to download into it, or slow to download at 64 KiB/s
(a leecher that stays one: libtorrent disconnects two seeds, so a seed's PEX would lose it);
WAYS is both, accept (never dials: a connection with it was made by the other side) or dial
(accepts nothing: a connection with it was made by it); CONNECT is HOST:PORT
([::1]:PORT for IPv6) of the one peer to dial (again every 3 s while it is not in the peer list),
or -.
With DATA_FILE (in SAVE_DIR), first writes a v1-only torrent of it (256 KiB pieces) to
TORRENT_FILE. Prints {"port": P} once, then {"peers": [{"ip": A, "port": P, "pex": bool, "incoming": bool, "connected": bool}]}
whenever the set of connected peers changes. Exits when stdin reaches EOF or on TIMEOUT_S. No DHT,
LSD, UPnP, NAT-PMP, no trackers: only the addresses given and those PEX names are contacted.
"""
import json
import sys
import threading
import time

import libtorrent as lt

PEX_SOURCE = 4  # peer_info.source bit: learned through peer exchange
OUTGOING = 0x20  # peer_info.flags: we made this connection
CONNECTING = 0x80 | 0x40  # peer_info.flags: connecting, in the BitTorrent handshake


def main():
    host, torrent_file, save_dir, seed, ways, connect, timeout_s = sys.argv[1:8]
    if len(sys.argv) > 8:
        fs = lt.file_storage()
        lt.add_files(fs, sys.argv[8])
        ct = lt.create_torrent(fs, 262144, flags=lt.create_torrent.v1_only)
        lt.set_piece_hashes(ct, save_dir)
        with open(torrent_file, "wb") as f:
            f.write(lt.bencode(ct.generate()))
    listen = ("[%s]" % host if ":" in host else host) + ":0"
    ses = lt.session({
        "listen_interfaces": listen,
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "dht_bootstrap_nodes": "",
        "allow_multiple_connections_per_ip": True,
        "enable_outgoing_tcp": ways != "accept",
        "enable_outgoing_utp": ways != "accept",
        "enable_incoming_tcp": ways != "dial",
        "enable_incoming_utp": ways != "dial",
        "alert_mask": lt.alert.category_t.error_notification,
    })
    params = {"ti": lt.torrent_info(torrent_file), "save_path": save_dir}
    if seed == "1":
        params["flags"] = lt.torrent_flags.seed_mode
    h = ses.add_torrent(params)
    if seed == "slow":
        h.set_download_limit(65536)
    if seed == "1":
        # 512 KiB/s: a download from this seed lasts seconds, so the 0.1 s watch below sees the
        # connection (unlimited on loopback, a peer could connect, take everything and be dropped
        # as a fellow seed between two looks)
        h.set_upload_limit(524288)
    print(json.dumps({"port": ses.listen_port()}), flush=True)

    stop = threading.Event()

    def watch_stdin():
        try:
            sys.stdin.read()
        finally:
            stop.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    target = None
    if connect != "-":
        address, port = connect.rsplit(":", 1)
        target = (address.strip("[]"), int(port))
    deadline = time.monotonic() + float(timeout_s)
    last_dial = 0.0
    last = None
    while not stop.is_set() and time.monotonic() < deadline:
        peers = sorted(
            ({"ip": p.ip[0], "port": p.ip[1], "pex": bool(p.source & PEX_SOURCE),
              "incoming": not (p.flags & OUTGOING),
              "connected": not (p.flags & CONNECTING)} for p in h.get_peer_info()),
            key=lambda p: (p["ip"], p["port"]))
        if peers != last:
            print(json.dumps({"peers": peers}), flush=True)
            last = peers
        if target and time.monotonic() - last_dial > 3.0 \
                and not any(p["ip"] == target[0] and p["port"] == target[1] for p in peers):
            h.connect_peer(target)
            last_dial = time.monotonic()
        time.sleep(0.1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
