package io.natswarm.node.bt;

import static org.assertj.core.api.Assertions.assertThat;

import bt.metainfo.TorrentId;
import bt.net.ConnectionKey;
import bt.net.InetPeer;
import io.natswarm.datagram.UdpEndpoint;
import io.natswarm.holepunch.reach.AddressFamily;
import io.natswarm.holepunch.reach.DialBack;
import io.natswarm.holepunch.reach.Transport;
import io.natswarm.node.net.NodeSocket;
import io.natswarm.node.net.NodeSocketSettings;
import io.natswarm.node.reach.ReachabilityMonitor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Two dial-back services on loopback, wired back to back as two peers' connections would carry
 * their messages: the asker learns that the server's µTP probes and TCP connection reached it, and
 * the server's limits refuse a second request from the same address within 30 s and an eleventh
 * dial within a minute.
 */
class DialBackServiceTest {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final TorrentId TORRENT = TorrentId.fromBytes(new byte[20]);

  private static ConnectionKey key(InetAddress peer, int port) {
    return new ConnectionKey(InetPeer.build(peer, port), port, TORRENT);
  }

  private static List<byte[]> await(DialBackService s, ConnectionKey key, int n)
      throws InterruptedException {
    List<byte[]> got = new ArrayList<>();
    for (int i = 0; i < 200 && got.size() < n; i++) {
      got.addAll(s.take(key));
      Thread.sleep(25);
    }
    return got;
  }

  @Test
  void aPeerReachesTheAskerBackOverBothTransportsWithinItsLimits() throws Exception {
    try (UdpEndpoint udpA = UdpEndpoint.builder().bind(new InetSocketAddress(LOOPBACK, 0)).open();
        UdpEndpoint udpB = UdpEndpoint.builder().bind(new InetSocketAddress(LOOPBACK, 0)).open();
        ServerSocketChannel tcpA = ServerSocketChannel.open()) {
      tcpA.bind(new InetSocketAddress(LOOPBACK, udpA.port()));
      ReachabilityMonitor monitorA =
          new ReachabilityMonitor(udpA.localAddress(), List::of, Map::of, () -> 0);
      ReachabilityMonitor monitorB =
          new ReachabilityMonitor(udpB.localAddress(), List::of, Map::of, () -> 0);
      // Each node's socket as its composition root builds it: the probe receiver is on it.
      NodeSocket socketA = NodeSocket.open(udpA, NodeSocketSettings.utpOnly());
      NodeSocket socketB = NodeSocket.open(udpB, NodeSocketSettings.utpOnly());
      try (DialBackService a =
              new DialBackService(udpA, socketA.probes(), udpA.port(), monitorA, true);
          DialBackService b =
              new DialBackService(udpB, socketB.probes(), udpB.port(), monitorB, false)) {
        ConnectionKey toB = key(LOOPBACK, udpB.port());
        ConnectionKey toA = key(LOOPBACK, udpA.port());

        b.handshake(Set.of(DialBack.EXTENSION), LOOPBACK, toA);
        assertThat(b.take(toA)).as("a node that does not ask sends nothing").isEmpty();
        a.handshake(Set.of("ut_pex"), LOOPBACK, toB);
        assertThat(a.take(toB)).as("a peer without the extension is not asked").isEmpty();

        a.handshake(Set.of(DialBack.EXTENSION), LOOPBACK, toB);
        List<byte[]> requests = a.take(toB);
        assertThat(requests).hasSize(2);
        for (byte[] r : requests) {
          assertThat(DialBack.parse(r).message().port()).isEqualTo(udpA.port());
          b.received(r, LOOPBACK, toA);
        }
        List<byte[]> reports = await(b, toA, 2);
        assertThat(reports).hasSize(2);
        for (byte[] r : reports) {
          assertThat(DialBack.parse(r).message().ok()).isTrue();
          a.received(r, LOOPBACK, toB);
        }
        Map<Transport, Boolean> results = Map.of();
        for (int i = 0; i < 200 && results.size() < 2; i++) {
          results = monitorA.report().dialBacks().getOrDefault(AddressFamily.IPV4, Map.of());
          Thread.sleep(25);
        }
        assertThat(results).containsEntry(Transport.UTP, true).containsEntry(Transport.TCP, true);
        a.handshake(Set.of(DialBack.EXTENSION), LOOPBACK, toB);
        assertThat(a.take(toB)).as("tested a moment ago: not again for 30 min").isEmpty();

        // The same address again within 30 s: refused.
        byte[] again = DialBack.request(Transport.TCP, udpA.port(), 99).encode();
        b.received(again, LOOPBACK, toA);
        assertThat(b.counters()[1]).isEqualTo(1);
        // 8 more addresses take the minute's dials to 10; the next one is refused.
        for (int i = 2; i <= 10; i++) {
          InetAddress other = InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) i});
          b.received(DialBack.request(Transport.TCP, 9, i).encode(), other, key(other, 9));
        }
        assertThat(b.counters()[1]).isEqualTo(2);
        b.received(new byte[3], LOOPBACK, toA);
        assertThat(b.counters()[0]).as("malformed, counted and ignored").isEqualTo(1);
      }
    }
  }
}
