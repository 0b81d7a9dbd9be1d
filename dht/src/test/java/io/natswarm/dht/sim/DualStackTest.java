package io.natswarm.dht.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import io.natswarm.datagram.DatagramKind;
import io.natswarm.datagram.Demultiplexer;
import io.natswarm.datagram.UdpEndpoint;
import io.natswarm.dht.DhtConfig;
import io.natswarm.dht.DhtCounters;
import io.natswarm.dht.DhtNode;
import io.natswarm.dht.DhtPort;
import io.natswarm.dht.krpc.KrpcError;
import io.natswarm.dht.krpc.KrpcKind;
import io.natswarm.dht.krpc.KrpcMessage;
import io.natswarm.dht.krpc.KrpcMethod;
import io.natswarm.dht.krpc.KrpcParser;
import io.natswarm.dht.krpc.KrpcWriter;
import io.natswarm.dht.routing.NodeEntry;
import io.natswarm.dht.routing.NodeId;
import io.natswarm.netsim.Binding;
import io.natswarm.netsim.Host;
import io.natswarm.netsim.LinkConfig;
import io.natswarm.netsim.Network;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * BEP 32 on one socket: an IPv4 and an IPv6 {@link DhtNode} registered for KRPC on one {@link
 * Demultiplexer}, each answering its own family and never seeing the other's.
 */
class DualStackTest {
  private static final int PORT = 6881;

  /** One dual-stack host: a demultiplexer with an IPv4 and an IPv6 node. */
  private record Stack(DhtNode v4, DhtNode v6, Demultiplexer demux, Binding binding) {}

  private static Stack stack(Network net, String name, String ip4, String ip6, long seed) {
    Host h = net.addHost(name, net.internet(), ip4, ip6);
    h.link(LinkConfig.builder().delayMillis(5).build());
    DhtNode v4 = new DhtNode(DhtConfig.builder().seed(seed).build(), DhtPort.NONE, net.nowNanos());
    DhtNode v6 =
        new DhtNode(
            DhtConfig.builder().seed(seed + 1).ipv6(true).build(), DhtPort.NONE, net.nowNanos());
    Demultiplexer demux = new Demultiplexer();
    demux.register(DatagramKind.KRPC, v4);
    demux.register(DatagramKind.KRPC, v6);
    return new Stack(v4, v6, demux, h.bind(PORT, demux));
  }

  private static void assertOnlyFamily(DhtNode node, Class<? extends InetAddress> family) {
    assertThat(node.routingTable().entries())
        .isNotEmpty()
        .allSatisfy(e -> assertThat(e.address().getAddress()).isInstanceOf(family));
  }

  @Test
  void twoNodesOnOneNetsimSocketEachAnswerTheirOwnFamilyOnly() {
    Network net = Network.withSeed(7);
    Stack a = stack(net, "a", "192.0.2.1", "2001:db8::1", 10);
    Stack b = stack(net, "b", "192.0.2.2", "2001:db8::2", 20);
    b.v4().ping(new InetSocketAddress(InetAddresses.forString("192.0.2.1"), PORT), net.nowNanos());
    b.v6()
        .ping(new InetSocketAddress(InetAddresses.forString("2001:db8::1"), PORT), net.nowNanos());
    net.wake(b.binding());
    net.runFor(Duration.ofSeconds(1));

    for (Stack s : new Stack[] {a, b}) {
      // each node got one query (b's ping, or a's confirming ping back) and one response
      for (DhtNode n : new DhtNode[] {s.v4(), s.v6()}) {
        DhtCounters c = n.counters();
        assertThat(c.queriesIn()).as("queries in").isOne();
        assertThat(c.responsesIn()).as("responses in").isOne();
        assertThat(c.datagramsIn()).as("datagrams in").isEqualTo(2);
        assertThat(c.badDatagrams() + c.unmatchedResponses() + c.selfOrPortZero()).isZero();
        assertThat(n.routingTable().size()).isOne();
      }
      assertOnlyFamily(s.v4(), Inet4Address.class);
      assertOnlyFamily(s.v6(), Inet6Address.class);
      // every KRPC datagram the socket got went to exactly one node, none to nobody
      assertThat(s.demux().consumed(DatagramKind.KRPC))
          .isEqualTo(s.v4().counters().datagramsIn() + s.v6().counters().datagramsIn());
      assertThat(s.demux().unclaimed()).isZero();
      assertThat(s.demux().coreFailures()).isZero();
    }
    NodeEntry aSeenByB = b.v6().routingTable().entries().get(0);
    assertThat(aSeenByB.id()).isEqualTo(a.v6().selfId());
    assertThat(b.v4().routingTable().entries().get(0).id()).isEqualTo(a.v4().selfId());
  }

  @Test
  void twoNodesOnARealDualStackEndpointEachAnswerTheirOwnFamilyOnly() throws Exception {
    Assumptions.assumeTrue(ipv6LoopbackAvailable(), "needs IPv6 loopback (::1)");
    InetAddress lo4 = InetAddresses.forString("127.0.0.1");
    InetAddress lo6 = InetAddresses.forString("::1");
    try (UdpEndpoint endpoint = UdpEndpoint.builder().port(0).threadName("dual-stack").open()) {
      DhtNode[] nodes =
          endpoint.call(
              () -> {
                long now = endpoint.clock().nanoTime();
                DhtNode v4 =
                    new DhtNode(DhtConfig.builder().seed(1).loopback().build(), DhtPort.NONE, now);
                DhtNode v6 =
                    new DhtNode(
                        DhtConfig.builder().seed(2).loopback().ipv6(true).build(),
                        DhtPort.NONE,
                        now);
                endpoint.register(DatagramKind.KRPC, v4);
                endpoint.register(DatagramKind.KRPC, v6);
                return new DhtNode[] {v4, v6};
              },
              Duration.ofSeconds(5));
      int port = endpoint.port();
      Random random = new Random(3);
      KrpcMessage r4 = pingOverLoopback(lo4, port, NodeId.random(random), 0x0404);
      KrpcMessage r6 = pingOverLoopback(lo6, port, NodeId.random(random), 0x0606);
      assertThat(nodes[0].selfId().matches(r4.buf(), r4.idOff())).isTrue();
      assertThat(nodes[1].selfId().matches(r6.buf(), r6.idOff())).isTrue();
      assertThat(r4.ipLen()).as("IPv4 node echoes a 4-byte address").isEqualTo(6);
      assertThat(r6.ipLen()).as("IPv6 node echoes a 16-byte address").isEqualTo(18);
      DhtCounters[] c =
          endpoint.call(
              () -> new DhtCounters[] {nodes[0].counters(), nodes[1].counters()},
              Duration.ofSeconds(5));
      assertThat(c[0].queriesIn()).isOne();
      assertThat(c[1].queriesIn()).isOne();
      assertThat(c[0].datagramsIn()).isOne();
      assertThat(c[1].datagramsIn()).isOne();
      assertThat(endpoint.stats().toString()).isNotEmpty();
    }
  }

  /** Sends a read-only ping from a fresh socket on {@code lo} and returns the reply. */
  private static KrpcMessage pingOverLoopback(InetAddress lo, int port, NodeId id, int tx)
      throws Exception {
    try (DatagramChannel ch = DatagramChannel.open();
        Selector selector = Selector.open()) {
      ch.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 16);
      ch.bind(new InetSocketAddress(lo, 0));
      ch.configureBlocking(false);
      ch.register(selector, SelectionKey.OP_READ);
      ByteBuffer q = ByteBuffer.allocate(256);
      KrpcWriter.beginQuery(q, id.toBytes());
      KrpcWriter.endQuery(q, KrpcMethod.PING, true, tx);
      ch.send(q.flip(), new InetSocketAddress(lo, port));
      ByteBuffer in = ByteBuffer.allocate(2048);
      assertThat(selector.select(5_000)).as("a reply within 5 s").isPositive();
      assertThat(ch.receive(in)).isNotNull();
      byte[] b = Arrays.copyOf(in.array(), in.position());
      KrpcMessage m = new KrpcMessage();
      assertThat(new KrpcParser().parse(b, 0, b.length, m)).isEqualTo(KrpcError.NONE);
      assertThat(m.kind()).isEqualTo(KrpcKind.RESPONSE);
      assertThat(m.txAsInt()).isEqualTo(tx);
      return m;
    }
  }

  private static boolean ipv6LoopbackAvailable() {
    try (DatagramChannel c = DatagramChannel.open()) {
      c.bind(new InetSocketAddress(InetAddresses.forString("::1"), 0));
      return true;
    } catch (Exception e) {
      return false;
    }
  }
}
