#!/usr/bin/python3
"""libtorrent 2.0.8's uTP as the reference flow for bench/run utp-ledbat-lab.

usage: lt_utp_flow.py seed  WORK_DIR ADDRESS PORT   make a 256 MiB v1 torrent of zeros (sparse file),
                                                    write WORK_DIR/flow.torrent, seed it (seed mode)
       lt_utp_flow.py leech WORK_DIR ADDRESS PORT   download it from ADDRESS:PORT into
                                                    WORK_DIR/leech, print "bytes MONOTONIC_NS TOTAL"
                                                    (payload downloaded) every 100 ms
uTP only (TCP off), default uTP settings (target delay 100 ms), no DHT/LSD/UPnP/NAT-PMP; the only
address ever contacted is ADDRESS. Runs until killed.
"""
import os
import sys
import time

import libtorrent as lt


def settings(listen):
    return {
        "listen_interfaces": listen,
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "dht_bootstrap_nodes": "",
        "enable_outgoing_tcp": False,
        "enable_incoming_tcp": False,
        "enable_outgoing_utp": True,
        "enable_incoming_utp": True,
        "out_enc_policy": lt.enc_policy.disabled,
        "in_enc_policy": lt.enc_policy.enabled,
    }


def seed(work, address, port):
    data_dir = os.path.join(work, "seed")
    os.makedirs(data_dir, exist_ok=True)
    data = os.path.join(data_dir, "zeros.bin")
    with open(data, "wb") as f:
        f.truncate(1 << 28)
    fs = lt.file_storage()
    lt.add_files(fs, data)
    ct = lt.create_torrent(fs, 1 << 22, flags=lt.create_torrent.v1_only)
    lt.set_piece_hashes(ct, data_dir)
    tmp = os.path.join(work, "flow.torrent.tmp")
    with open(tmp, "wb") as f:
        f.write(lt.bencode(ct.generate()))
    ses = lt.session(settings("%s:%d" % (address, port)))
    ti = lt.torrent_info(tmp)
    ses.add_torrent({"ti": ti, "save_path": data_dir, "flags": lt.torrent_flags.seed_mode})
    os.rename(tmp, os.path.join(work, "flow.torrent"))
    print("ready", flush=True)
    while True:
        time.sleep(1)


def leech(work, address, port):
    path = os.path.join(work, "flow.torrent")
    ses = lt.session(settings("0.0.0.0:0"))
    h = ses.add_torrent({"ti": lt.torrent_info(path), "save_path": os.path.join(work, "leech")})
    h.connect_peer((address, port))
    print("ready", flush=True)
    last_dial = time.monotonic()
    while True:
        st = h.status()
        print("bytes %d %d" % (time.monotonic_ns(), st.total_payload_download), flush=True)
        if st.num_peers == 0 and time.monotonic() - last_dial > 1:
            h.connect_peer((address, port))
            last_dial = time.monotonic()
        time.sleep(0.1)


if __name__ == "__main__":
    role, work, address, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    seed(work, address, port) if role == "seed" else leech(work, address, port)
