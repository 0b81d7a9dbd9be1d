#!/usr/bin/python3
"""Records the exact KRPC bytes libtorrent 2.0.8 sends, as fixtures for natswarm's quirk tests.

Usage: capture_lt.py OUTDIR   (loopback only; writes one file per message)
"""
import os
import socket
import sys
import time

import libtorrent as lt


def bstr(b):
    return str(len(b)).encode() + b":" + b


def session(host):
    return lt.session({
        "listen_interfaces": host + ":0",
        "enable_dht": True, "enable_lsd": False, "enable_upnp": False, "enable_natpmp": False,
        "dht_bootstrap_nodes": "", "dht_restrict_routing_ips": False,
        "dht_restrict_search_ips": False, "dht_block_ratelimit": 1000000,
        "dht_enforce_node_id": False,
    })


def ask(sock, dest, msg):
    sock.sendto(msg, dest)
    sock.settimeout(3)
    return sock.recvfrom(65536)[0]


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    our_id = b"N" * 20
    ih = bytes(range(1, 21))
    for fam, host, sh in ((4, "127.0.0.1", "127.0.0.1"), (6, "::1", "[::1]")):
        s = session(sh)
        helper = session(sh)
        for _ in range(100):
            if s.listen_port() and helper.listen_port():
                break
            time.sleep(0.02)
        dest = (host, s.listen_port())
        sock = socket.socket(socket.AF_INET if fam == 4 else socket.AF_INET6, socket.SOCK_DGRAM)
        sock.bind((host, 0))
        # let the helper announce ih to s, so that get_peers returns values
        helper.add_dht_node((host, s.listen_port()))
        s.add_dht_node((host, helper.listen_port()))
        atp = lt.add_torrent_params()
        atp.info_hashes = lt.info_hash_t(lt.sha1_hash(ih))
        atp.save_path = "/tmp"
        helper.add_torrent(atp)
        # libtorrent also queries us: the first query it sends after add_dht_node
        s.add_dht_node((host, sock.getsockname()[1]))
        sock.settimeout(5)
        q = sock.recvfrom(65536)[0]
        open(os.path.join(out, "query-from-lt-v%d.bin" % fam), "wb").write(q)
        time.sleep(3)
        w = lambda name, b: open(os.path.join(out, "%s-v%d.bin" % (name, fam)), "wb").write(b)
        w("ping-response", ask(sock, dest, b"d1:ad2:id20:" + our_id + b"e1:q4:ping1:t2:aa1:y1:qe"))
        gp = ask(sock, dest, b"d1:ad2:id20:" + our_id + b"9:info_hash20:" + ih + b"e1:q9:get_peers1:t2:ab1:y1:qe")
        w("get-peers-response", gp)
        w("bad-token-error", ask(sock, dest, b"d1:ad2:id20:" + our_id + b"9:info_hash20:" + ih
                                 + b"4:porti6881e5:token4:xxxxe1:q13:announce_peer1:t2:ac1:y1:qe"))
        w("unknown-method-target-response", ask(sock, dest, b"d1:ad2:id20:" + our_id + b"6:target20:" + ih
                                                + b"e1:q9:vote_node1:t2:ad1:y1:qe"))
        w("unknown-method-error", ask(sock, dest, b"d1:ad2:id20:" + our_id + b"e1:q9:vote_node1:t2:ae1:y1:qe"))
        w("sample-infohashes-response", ask(sock, dest, b"d1:ad2:id20:" + our_id + b"6:target20:" + ih
                                            + b"e1:q17:sample_infohashes1:t2:af1:y1:qe"))
        if fam == 4:
            w("find-node-want-n4n6-response", ask(sock, dest, b"d1:ad2:id20:" + our_id + b"6:target20:" + ih
                                                   + b"4:wantl2:n42:n6ee1:q9:find_node1:t2:ag1:y1:qe"))
        sock.close()
        del s, helper


main()
