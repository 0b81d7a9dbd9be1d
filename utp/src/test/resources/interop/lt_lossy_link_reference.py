#!/usr/bin/python3
"""libtorrent 2.0.8 downloading from libtorrent 2.0.8 through lossy_link.py: the reference for
LibtorrentLossyPathTest's "we download from libtorrent" runs, with libtorrent on both ends.

usage (root): lt_lossy_link_reference.py [RUNS] [PERMILLE] [MIB]   (defaults 8, 50, 2)

Each run makes a network namespace with only loopback, whose nftables input hook drops PERMILLE of
a thousand UDP datagrams at random; starts lt_peer.py's seed in it, a libtorrent leech in the
caller's namespace on 127.0.0.1, and lossy_link.py between them (20 ms + up to 30 ms a direction,
as the test); and prints one JSON line per run: finished (within 60 s), seconds or bytes done.
The namespace is deleted after each run. Nothing but 127.0.0.1 is contacted.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3"


def leech(data_file, save):
    """The leech: prints its port, reads the port to dial from stdin, downloads for up to 60 s."""
    sys.path.insert(0, HERE)
    import libtorrent as lt
    import lt_peer
    ti = lt_peer.make_torrent(data_file, 256 * 1024)
    ses = lt.session(lt_peer.settings("127.0.0.1:0"))
    print(json.dumps({"port": ses.listen_port()}), flush=True)
    target = int(sys.stdin.readline())
    h = ses.add_torrent({"ti": ti, "save_path": save})
    start = time.monotonic()
    last = 0.0
    while time.monotonic() - start < 60:
        st = h.status()
        if st.is_seeding:
            print(json.dumps({"finished": True, "seconds": round(time.monotonic() - start, 2)}),
                  flush=True)
            return
        if st.num_peers == 0 and time.monotonic() - last > 1:
            h.connect_peer(("127.0.0.1", target))
            last = time.monotonic()
        time.sleep(0.02)
    st = h.status()
    print(json.dumps({"finished": False, "bytes": st.total_wanted_done, "peers": st.num_peers}),
          flush=True)


def run(permille, mib):
    ns = "ltref%d" % os.getpid()
    work = tempfile.mkdtemp(prefix="natswarm-ltref")
    procs = []
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        subprocess.run(["ip", "-n", ns, "link", "set", "lo", "up"], check=True)
        rules = ("table inet loss {\n chain in {\n  type filter hook input priority 0; policy accept;\n"
                 "  meta l4proto udp numgen random mod 1000 < %d counter drop\n }\n}\n" % permille)
        subprocess.run(["ip", "netns", "exec", ns, "nft", "-f", "-"], input=rules, text=True,
                       check=True)
        os.makedirs(work + "/seed")
        os.makedirs(work + "/leech")
        with open(work + "/seed/payload.bin", "wb") as f:
            f.write(os.urandom(mib << 20))

        def start(args):
            p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, text=True)
            procs.append(p)
            return p

        seed = start(["ip", "netns", "exec", ns, PYTHON, HERE + "/lt_peer.py", "seed",
                      work + "/seed/payload.bin", str(256 * 1024), "90"])
        seed_port = json.loads(seed.stdout.readline())["port"]
        l = start([PYTHON, os.path.abspath(__file__), "--leech", work + "/seed/payload.bin",
                   work + "/leech"])
        leech_port = json.loads(l.stdout.readline())["port"]
        link = start([PYTHON, HERE + "/lossy_link.py", ns, str(leech_port), str(seed_port), "20",
                      "30", "-"])
        link_port = json.loads(link.stdout.readline())["java_side_port"]
        l.stdin.write("%d\n" % link_port)
        l.stdin.flush()
        print(l.stdout.readline().strip(), flush=True)
    finally:
        for p in procs:
            try:
                p.stdin.close()
                p.wait(10)
            except Exception:
                p.kill()
        subprocess.run(["ip", "netns", "del", ns])
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--leech":
        leech(sys.argv[2], sys.argv[3])
        sys.exit(0)
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    permille = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    mib = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    for _ in range(runs):
        run(permille, mib)
