#!/usr/bin/python3
"""libtorrent 2.0.8 peer for natswarm's swarm-node interop tests. Loopback only.

usage: lt_swarm_peer.py seed  DATA_FILE PIECE_LENGTH TORRENT_OUT TRANSPORT ENCRYPTION TIMEOUT_S [high-performance]
       lt_swarm_peer.py leech TORRENT_FILE SAVE_DIR JAVA_PORT TRANSPORT ENCRYPTION TIMEOUT_S

TRANSPORT is tcp, utp or both; ENCRYPTION is plain (RC4 and MSE refused), encrypted (MSE with RC4
required both ways) or any (libtorrent's defaults).
seed:  makes a v1-only torrent of DATA_FILE, writes it to TORRENT_OUT, seeds DATA_FILE (seed mode)
       and prints {"port": P, "info_hash": HEX}. With high-performance, the session starts from
       lt.high_performance_seed() (the loopback settings below still apply on top).
leech: downloads TORRENT_FILE into SAVE_DIR from 127.0.0.1:JAVA_PORT only, dialling it again while
       it has no peer, prints {"port": P, "info_hash": HEX} at once and at the end
       {"finished": true|false, "seconds": S, "first_byte_seconds": S, "bytes": N, "peers_seen": N}.
The process exits when stdin reaches EOF (the test closed it or died), on TIMEOUT_S, or (leech) when
the download finished. No DHT, LSD, UPnP, NAT-PMP: nothing but 127.0.0.1 is ever contacted.
"""
import json
import os
import sys
import threading
import time

import libtorrent as lt


def settings(transport, encryption, high_performance=False):
    s = lt.high_performance_seed() if high_performance else {}
    s.update({
        "listen_interfaces": "127.0.0.1:0",
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "dht_bootstrap_nodes": "",
        "enable_outgoing_tcp": transport in ("tcp", "both"),
        "enable_incoming_tcp": transport in ("tcp", "both"),
        "enable_outgoing_utp": transport in ("utp", "both"),
        "enable_incoming_utp": transport in ("utp", "both"),
        "allow_multiple_connections_per_ip": True,
        "recv_socket_buffer_size": 4194304,
        "send_socket_buffer_size": 4194304,
        "alert_mask": lt.alert.category_t.error_notification | lt.alert.category_t.status_notification,
    })
    if encryption == "plain":
        s["out_enc_policy"] = lt.enc_policy.disabled
        s["in_enc_policy"] = lt.enc_policy.disabled
    elif encryption == "encrypted":
        s["out_enc_policy"] = lt.enc_policy.forced
        s["in_enc_policy"] = lt.enc_policy.forced
        s["allowed_enc_level"] = lt.enc_level.rc4
        s["prefer_rc4"] = True
    return s


def watch_stdin(stop):
    try:
        sys.stdin.read()
    finally:
        stop.set()


def seed(args, stop):
    data_file, piece_length, torrent_out, transport, encryption, timeout_s = args[:6]
    high_performance = args[6:] == ["high-performance"]
    fs = lt.file_storage()
    lt.add_files(fs, data_file)
    ct = lt.create_torrent(fs, int(piece_length), flags=lt.create_torrent.v1_only)
    save_path = os.path.dirname(os.path.abspath(data_file))
    lt.set_piece_hashes(ct, save_path)
    encoded = lt.bencode(ct.generate())
    with open(torrent_out, "wb") as f:
        f.write(encoded)
    ti = lt.torrent_info(torrent_out)
    ses = lt.session(settings(transport, encryption, high_performance))
    ses.add_torrent({"ti": ti, "save_path": save_path, "flags": lt.torrent_flags.seed_mode})
    print(json.dumps({"port": ses.listen_port(), "info_hash": str(ti.info_hashes().v1)}), flush=True)
    deadline = time.monotonic() + float(timeout_s)
    while not stop.is_set() and time.monotonic() < deadline:
        time.sleep(0.05)
    return 0


def leech(args, stop):
    torrent_file, save_dir, java_port, transport, encryption, timeout_s = args
    ti = lt.torrent_info(torrent_file)
    ses = lt.session(settings(transport, encryption))
    h = ses.add_torrent({"ti": ti, "save_path": save_dir})
    print(json.dumps({"port": ses.listen_port(), "info_hash": str(ti.info_hashes().v1)}), flush=True)
    start = time.monotonic()
    deadline = start + float(timeout_s)
    first_byte = None
    last_connect = 0.0
    peers_seen = 0
    while not stop.is_set() and time.monotonic() < deadline:
        st = h.status()
        peers_seen = max(peers_seen, st.num_peers)
        if first_byte is None and st.total_payload_download > 0:
            first_byte = time.monotonic()
        if st.is_seeding:
            now = time.monotonic()
            print(json.dumps({"finished": True, "seconds": now - start,
                              "first_byte_seconds": now - (first_byte or start),
                              "bytes": st.total_wanted_done, "peers_seen": peers_seen}), flush=True)
            return 0
        if st.num_peers == 0 and time.monotonic() - last_connect > 1.0 \
                and st.state != lt.torrent_status.checking_files:
            h.connect_peer(("127.0.0.1", int(java_port)))
            last_connect = time.monotonic()
        time.sleep(0.01)
    st = h.status()
    print(json.dumps({"finished": False, "seconds": time.monotonic() - start, "first_byte_seconds": 0,
                      "bytes": st.total_wanted_done, "peers_seen": peers_seen,
                      "state": str(st.state), "error": str(st.errc.message()) if st.errc else ""}), flush=True)
    return 1


def main():
    stop = threading.Event()
    threading.Thread(target=watch_stdin, args=(stop,), daemon=True).start()
    if sys.argv[1] == "seed":
        return seed(sys.argv[2:], stop)
    return leech(sys.argv[2:], stop)


if __name__ == "__main__":
    sys.exit(main())
