#!/usr/bin/python3
"""libtorrent 2.0.8 peer for natswarm's uTP interop tests (loopback only, uTP only).

usage: lt_peer.py seed  DATA_FILE PIECE_LENGTH TIMEOUT_S
       lt_peer.py leech DATA_FILE PIECE_LENGTH TIMEOUT_S SAVE_DIR JAVA_PORT

Both modes make a v1-only torrent of DATA_FILE and print one JSON line:
  {"port": P, "info_hash": HEX, "piece_length": N, "total_size": N, "pieces": [HEX, ...]}
seed:  seeds DATA_FILE (from its directory) and waits to be connected to.
leech: downloads into SAVE_DIR from the peer at 127.0.0.1:JAVA_PORT only, then prints
  {"finished": true, "seconds": S, "bytes": N, "peers_seen": N}  (or {"finished": false, ...}).
The process exits when stdin reaches EOF (the test closed it or died), on TIMEOUT_S, or (leech)
when the download finished. Nothing but 127.0.0.1 is ever contacted.
"""
import json
import os
import sys
import threading
import time

import libtorrent as lt


def settings(port_spec):
    return {
        "listen_interfaces": port_spec,
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
    }


def make_torrent(data_file, piece_length):
    fs = lt.file_storage()
    lt.add_files(fs, data_file)
    ct = lt.create_torrent(fs, piece_length, flags=lt.create_torrent.v1_only)
    lt.set_piece_hashes(ct, os.path.dirname(os.path.abspath(data_file)))
    return lt.torrent_info(ct.generate())


def describe(port, ti):
    pieces = [ti.hash_for_piece(i).hex() for i in range(ti.num_pieces())]
    return {
        "port": port,
        "info_hash": str(ti.info_hashes().v1),
        "piece_length": ti.piece_length(),
        "total_size": ti.total_size(),
        "pieces": pieces,
    }


def describe_peers(h):
    """The seed's view of each peer on stderr, for the Java test's failure message."""
    for p in h.get_peer_info():
        print("seed's peer %s: choked=%s interested=%s upload_queue=%d used_send_buffer=%d"
              " total_upload=%d" % (p.ip, bool(p.flags & p.choked), bool(p.flags & p.remote_interested),
                                    p.upload_queue_length, p.used_send_buffer, p.total_upload),
              file=sys.stderr, flush=True)


def watch_stdin(stop):
    try:
        sys.stdin.read()
    finally:
        stop.set()


def main():
    mode, data_file, piece_length, timeout_s = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    stop = threading.Event()
    threading.Thread(target=watch_stdin, args=(stop,), daemon=True).start()
    ti = make_torrent(data_file, piece_length)
    ses = lt.session(settings("127.0.0.1:0"))
    deadline = time.monotonic() + timeout_s
    if mode == "seed":
        h = ses.add_torrent({"ti": ti, "save_path": os.path.dirname(os.path.abspath(data_file)),
                             "flags": lt.torrent_flags.seed_mode})
        print(json.dumps(describe(ses.listen_port(), ti)), flush=True)
        while not stop.is_set() and time.monotonic() < deadline:
            time.sleep(0.05)
        describe_peers(h)
        return 0
    save_dir, java_port = sys.argv[5], int(sys.argv[6])
    h = ses.add_torrent({"ti": ti, "save_path": save_dir})
    print(json.dumps(describe(ses.listen_port(), ti)), flush=True)
    start = time.monotonic()
    last_connect = 0.0
    peers_seen = 0
    while not stop.is_set() and time.monotonic() < deadline:
        st = h.status()
        peers_seen = max(peers_seen, st.num_peers)
        if st.is_seeding:
            print(json.dumps({"finished": True, "seconds": time.monotonic() - start,
                              "bytes": st.total_wanted_done, "peers_seen": peers_seen}), flush=True)
            return 0
        if st.num_peers == 0 and time.monotonic() - last_connect > 1.0 and st.state != lt.torrent_status.checking_files:
            h.connect_peer(("127.0.0.1", java_port))
            last_connect = time.monotonic()
        time.sleep(0.02)
    st = h.status()
    print(json.dumps({"finished": False, "seconds": time.monotonic() - start,
                      "bytes": st.total_wanted_done, "peers_seen": peers_seen,
                      "state": str(st.state), "error": str(st.errc.message()) if st.errc else ""}), flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main())
