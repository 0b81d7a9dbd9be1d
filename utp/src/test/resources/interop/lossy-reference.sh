#!/usr/bin/env bash
# utp/src/test/resources/interop/lossy-reference.sh [SIZE_MIB] [RUNS] [PERMILLE]
# The reference figures of issue 8 for µTP under silent random loss on loopback: natswarm's µTP to
# natswarm's µTP (LossyLoopbackReference) and libtorrent 2.0.8 to libtorrent (lt_bench.py: fresh
# seeder and leecher per run, µTP only), each RUNS times (default 5) with SIZE_MIB (default 32),
# inside a fresh network namespace with only loopback whose nftables input hook drops PERMILLE
# (default 10 = 1 %) of UDP datagrams at random (LAB.md "Random loss on loopback": silent, as on a
# real path). Needs root, nft and python3-libtorrent. Prints each side's runs, then
#   RESULT natswarm size_mib=.. runs=.. median_mibps=..      RESULT libtorrent ... median_mibps=..
#   RESULT lossy-loopback permille=.. kernel_drops=..
# Deletes its namespace on exit. Nothing leaves the namespace.
set -euo pipefail
size=${1:-32}
runs=${2:-5}
permille=${3:-10}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../../../.." && pwd)
cd "$root"
[ "$(id -u)" -eq 0 ] || { echo "lossy-reference: needs root (network namespace, nftables)" >&2; exit 2; }
work=$(mktemp -d /tmp/natswarm-lossy-ref.XXXXXX)
ns=natswarm-ref-$$
cleanup() { ip netns del "$ns" 2>/dev/null || true; rm -rf -- "$work"; }
trap cleanup EXIT

echo "lossy-reference: building utp's test classes..." >&2
./mvnw -o -q -B -pl utp -am test-compile -Dspotless.check.skip=true >"$work/build.log" 2>&1 ||
  { cat "$work/build.log" >&2; exit 1; }
./mvnw -o -q -B -pl utp dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$work/cp" >>"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
# This checkout's own modules, not the snapshots in ~/.m2.
cp="utp/target/test-classes:utp/target/classes:$(sed -E \
  "s#[^:]*/io/natswarm/([a-z-]+)/[^:]*\.jar#$root/\1/target/classes#g" "$work/cp")"

ip netns add "$ns"
ip -n "$ns" link set lo up
ip netns exec "$ns" nft -f - <<NFT
table inet natswarm_loss {
  chain in {
    type filter hook input priority 0; policy accept;
    meta l4proto udp numgen random mod 1000 < $permille counter drop
  }
}
NFT

ip netns exec "$ns" java -Xmx2g -cp "$cp" io.natswarm.utp.interop.LossyLoopbackReference "$size" "$runs"
mkdir -p "$work/lt"
# lt_bench.py stops when its stdin reaches EOF: hold a pipe open for it while it runs.
mkfifo "$work/hold"
sleep 3600 >"$work/hold" &
holder=$!
ip netns exec "$ns" /usr/bin/python3 "$here/lt_bench.py" "$size" "$runs" 900 "$work/lt" \
  <"$work/hold" | tee "$work/lt.jsonl" || true
kill "$holder" 2>/dev/null || true
/usr/bin/python3 - "$work/lt.jsonl" "$size" "$runs" <<'PY'
import json, statistics, sys
rates = [json.loads(l)["mibps"] for l in open(sys.argv[1]) if '"mibps"' in l]
if len(rates) != int(sys.argv[3]):
    print("RESULT libtorrent failed=runs_%d_of_%s" % (len(rates), sys.argv[3])); sys.exit(1)
print("RESULT libtorrent size_mib=%s runs=%d median_mibps=%.2f min_mibps=%.2f max_mibps=%.2f"
      % (sys.argv[2], len(rates), statistics.median(rates), min(rates), max(rates)))
PY
drops=$(ip netns exec "$ns" nft list table inet natswarm_loss | grep -oE 'packets [0-9]+' | awk '{print $2}')
echo "RESULT lossy-loopback permille=$permille kernel_drops=$drops"
