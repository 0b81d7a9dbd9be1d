#!/usr/bin/python3
"""A private DHT of libtorrent 2.0.8 sessions on loopback, for natswarm's interop tests.

Usage: lt_dht.py --nodes N --family 4|6 --peer PORT [--peer PORT ...] [--capture FILE]
Prints "READY <dht port> ..." then answers commands on stdin, one per line:
  announce <hex info-hash>   adds a torrent for the info-hash to session 0 (libtorrent announces it)
  get_peers <hex info-hash>  session 0 looks it up; prints "PEERS ip:port ..." (or "PEERS" on time-out)
  nodes                      prints "NODES <routing table size of session 0>"
  quit
Only loopback addresses are used; no bootstrap routers, LSD, UPnP or NAT-PMP.
"""
import argparse
import sys
import tempfile
import time

import libtorrent as lt


def settings(family):
    host = "127.0.0.1" if family == 4 else "[::1]"
    return {
        "listen_interfaces": host + ":0",
        "enable_dht": True,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "dht_bootstrap_nodes": "",
        "dht_restrict_routing_ips": False,
        "dht_restrict_search_ips": False,
        "dht_block_ratelimit": 1000000,
        "dht_upload_rate_limit": 1000000,
        "dht_enforce_node_id": False,
        "allow_multiple_connections_per_ip": True,
        "alert_mask": lt.alert.category_t.dht_notification
        | lt.alert.category_t.dht_operation_notification
        | lt.alert.category_t.status_notification
        | lt.alert.category_t.error_notification,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=4)
    ap.add_argument("--family", type=int, default=4)
    ap.add_argument("--peer", type=int, action="append", default=[])
    args = ap.parse_args()
    host = "127.0.0.1" if args.family == 4 else "::1"
    sessions = [lt.session(settings(args.family)) for _ in range(args.nodes)]
    ports = []
    for s in sessions:
        for _ in range(100):
            if s.listen_port():
                break
            time.sleep(0.02)
        ports.append(s.listen_port())
    for i, s in enumerate(sessions):
        for j, p in enumerate(ports):
            if i != j:
                s.add_dht_node((host, p))
        for p in args.peer:
            s.add_dht_node((host, p))
    print("READY " + " ".join(str(p) for p in ports), flush=True)
    tmp = tempfile.mkdtemp(prefix="ltdht")
    handles = []
    for line in sys.stdin:
        cmd = line.split()
        if not cmd:
            continue
        if cmd[0] == "quit":
            break
        if cmd[0] == "announce":
            atp = lt.add_torrent_params()
            atp.info_hashes = lt.info_hash_t(lt.sha1_hash(bytes.fromhex(cmd[1])))
            atp.save_path = tmp
            atp.flags &= ~lt.torrent_flags.auto_managed
            atp.flags &= ~lt.torrent_flags.paused
            handles.append(sessions[0].add_torrent(atp))
            print("ANNOUNCING " + str(ports[0]), flush=True)
        elif cmd[0] == "get_peers":
            target = lt.sha1_hash(bytes.fromhex(cmd[1]))
            sessions[0].dht_get_peers(target)
            peers = set()
            deadline = time.time() + 8
            done = False
            while time.time() < deadline and not done:
                sessions[0].wait_for_alert(200)
                for a in sessions[0].pop_alerts():
                    if isinstance(a, lt.dht_get_peers_reply_alert) and str(a.info_hash) == str(target):
                        for p in a.peers():
                            peers.add("%s:%d" % (p[0], p[1]))
                    if isinstance(a, lt.dht_lookup) or type(a).__name__ == "dht_stats_alert":
                        pass
                if peers:
                    # give the lookup a moment to collect the rest
                    time.sleep(0.5)
                    for a in sessions[0].pop_alerts():
                        if isinstance(a, lt.dht_get_peers_reply_alert) and str(a.info_hash) == str(target):
                            for p in a.peers():
                                peers.add("%s:%d" % (p[0], p[1]))
                    done = True
            print("PEERS " + " ".join(sorted(peers)), flush=True)
        elif cmd[0] == "nodes":
            st = sessions[0].status()
            print("NODES %d" % st.dht_nodes, flush=True)
        else:
            print("ERROR unknown command " + cmd[0], flush=True)
        for s in sessions:
            s.pop_alerts()


if __name__ == "__main__":
    main()
