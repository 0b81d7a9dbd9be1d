#!/usr/bin/python3
"""libtorrent 2.0.8 peer for natswarm's ut_holepunch (BEP 55) lab tests. Runs inside a lab namespace.

usage: lt_holepunch_peer.py PORT TORRENT_FILE SAVE_DIR MODE CONNECT TIMEOUT_S [OPTIONS]

Listens on 0.0.0.0:PORT, TCP and uTP. MODE is seed (the data is in SAVE_DIR: seed mode), or slow
(download into SAVE_DIR at 64 KiB/s: a leecher that stays one, since libtorrent disconnects two
seeds). CONNECT is HOST:PORT of one peer to dial (again every 3 s while it is not connected), or -.
Prints {"port": P} once, then {"peers": [...]} whenever the connected peers or their flags change:
ip, port, holepunched (peer_info flag bit 15), utp, incoming. Exits when stdin reaches EOF or on
TIMEOUT_S. No DHT, LSD, UPnP, NAT-PMP, trackers: only the address given and those PEX names.
OPTIONS is a comma-separated list: nopex runs without libtorrent's default plugins (no ut_pex: it
never learns peers, so it never dials a peer it is introduced to before the rendezvous); utp dials
over uTP only (libtorrent's relay matches endpoints
exactly, so a target linked to the rendezvous over TCP, from an ephemeral port, cannot be introduced;
see LAB.md); trace, below. Every line carries "t", the script's monotonic clock. With trace,
libtorrent's peer log is on: each
of its HOLEPUNCH lines goes to stderr, and each outgoing rendezvous is printed as
{"rendezvous": MESSAGE, "t": T}.
"""
import json
import sys
import threading
import time

import libtorrent as lt

OUTGOING = int(lt.peer_info.outgoing_connection)  # we made this connection
CONNECTING = int(lt.peer_info.connecting) | int(lt.peer_info.handshake)
HOLEPUNCHED = int(lt.peer_info.holepunched)  # made through a ut_holepunch rendezvous
UTP = 1 << 17  # peer_info::utp_socket, which the Python binding does not name


def main():
    port, torrent_file, save_dir, mode, connect, timeout_s = sys.argv[1:7]
    options = set(sys.argv[7].split(",")) if len(sys.argv) > 7 else set()
    trace = "trace" in options
    mask = lt.alert.category_t.error_notification
    if trace:
        mask |= lt.alert.category_t.peer_log_notification
    flags = lt.session_flags_t.start_default_features
    if "nopex" not in options:
        flags |= lt.session_flags_t.add_default_plugins
    ses = lt.session({
        "listen_interfaces": "0.0.0.0:%s" % port,
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "dht_bootstrap_nodes": "",
        "allow_multiple_connections_per_ip": True,
        "enable_outgoing_tcp": "utp" not in options,
        "alert_mask": mask,
    }, flags)
    params = {"ti": lt.torrent_info(torrent_file), "save_path": save_dir}
    if mode == "seed":
        params["flags"] = lt.torrent_flags.seed_mode
    h = ses.add_torrent(params)
    if mode == "slow":
        h.set_download_limit(65536)
    print(json.dumps({"port": ses.listen_port(), "t": time.monotonic()}), flush=True)

    stop = threading.Event()

    def watch_stdin():
        try:
            sys.stdin.read()
        finally:
            stop.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    target = None
    if connect != "-":
        address, p = connect.rsplit(":", 1)
        target = (address, int(p))
    deadline = time.monotonic() + float(timeout_s)
    last_dial = 0.0
    last = None
    while not stop.is_set() and time.monotonic() < deadline:
        if trace:
            for a in ses.pop_alerts():
                if isinstance(a, lt.peer_log_alert) and "HOLEPUNCH" in a.message():
                    print(a.message(), file=sys.stderr, flush=True)
                    # libtorrent marks a message it sends "==>" (and its own events ">>>")
                    m = a.message()
                    if ("==>" in m or ">>>" in m) and "rendezvous" in m:
                        print(json.dumps({"rendezvous": a.message(), "t": time.monotonic()}),
                              flush=True)
        peers = sorted(
            ({"ip": p.ip[0], "port": p.ip[1],
              "holepunched": bool(int(p.flags) & HOLEPUNCHED),
              "utp": bool(int(p.flags) & UTP),
              "incoming": not (int(p.flags) & OUTGOING)}
             for p in h.get_peer_info() if not (int(p.flags) & CONNECTING)),
            key=lambda p: (p["ip"], p["port"]))
        if peers != last:
            print(json.dumps({"peers": peers, "t": time.monotonic()}), flush=True)
            last = peers
        if target and time.monotonic() - last_dial > 3.0 \
                and not any(p["ip"] == target[0] for p in peers):
            h.connect_peer(target)
            last_dial = time.monotonic()
        time.sleep(0.02)
    return 0


if __name__ == "__main__":
    sys.exit(main())
