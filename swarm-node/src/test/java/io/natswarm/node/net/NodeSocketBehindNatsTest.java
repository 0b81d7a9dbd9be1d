package io.natswarm.node.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.datagram.DatagramKind;
import io.natswarm.datagram.Demultiplexer;
import io.natswarm.dht.DhtConfig;
import io.natswarm.dht.DhtNode;
import io.natswarm.dht.DhtPort;
import io.natswarm.dht.LookupResult;
import io.natswarm.dht.routing.NodeId;
import io.natswarm.netsim.Binding;
import io.natswarm.netsim.DropReason;
import io.natswarm.netsim.Host;
import io.natswarm.netsim.LinkConfig;
import io.natswarm.netsim.NatBox;
import io.natswarm.netsim.NatConfig;
import io.natswarm.netsim.Network;
import io.natswarm.utp.UtpConnection;
import io.natswarm.utp.UtpError;
import io.natswarm.utp.UtpSettings;
import io.natswarm.utp.UtpState;
import io.natswarm.utp.UtpTracer;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two complete node sockets — the production composition of µTP and the DHT on one demultiplexer,
 * built by {@link NodeSocket#compose} — each behind its own netsim NAT: both join a public DHT, A
 * announces a torrent, B finds A through the DHT alone and opens a µTP stream to the address the
 * DHT gave, which completes byte-exact over the same NAT mapping that carried A's DHT traffic.
 */
class NodeSocketBehindNatsTest {
  private static final int PORT = 6881;
  private static final int PUBLIC_NODES = 24;
  private static final int PAYLOAD_BYTES = 300_000;
  private static final NodeId TORRENT = NodeId.ofHex("0123456789abcdef0123456789abcdef01234567");

  /** One complete node: its socket composition, bound to a host behind a NAT. */
  private static final class SimNode {
    final Host host;
    final NatBox nat;
    final NodeSocket socket;
    final Binding binding;
    final List<String> utpEvents = new ArrayList<>();

    SimNode(
        Network net,
        String name,
        NatBox nat,
        String lanAddress,
        long seed,
        Duration linkDelay,
        List<InetSocketAddress> bootstrap) {
      this.nat = nat;
      this.host = net.addHost(name, nat.inside(), lanAddress);
      host.link(LinkConfig.builder().delay(linkDelay).build());
      UtpTracer tracer =
          new UtpTracer() {
            @Override
            public void stateChanged(
                int id, InetSocketAddress remote, UtpState from, UtpState to, String reason) {
              utpEvents.add(from + "->" + to);
            }

            @Override
            public void connectionClosed(int id, InetSocketAddress remote, UtpError error) {
              utpEvents.add("closed " + error);
            }
          };
      Supplier<java.util.random.RandomGenerator> random = () -> new Random(seed);
      NodeSocketSettings settings =
          new NodeSocketSettings(
              UtpSettings.builder().tracer(tracer).build(),
              dhtConfig(seed, bootstrap),
              null,
              DhtPort.NONE,
              random);
      this.socket = NodeSocket.compose(settings, new Demultiplexer(), net.nowNanos());
      this.binding = host.bind(PORT, socket.demultiplexer());
    }

    DhtNode dht() {
      return socket.dhtV4();
    }

    InetSocketAddress lanAddress() {
      return binding.localAddress();
    }
  }

  private static DhtConfig dhtConfig(long seed, List<InetSocketAddress> bootstrap) {
    return DhtConfig.builder()
        .seed(seed)
        .bootstrapNodes(bootstrap)
        .enforceBep42(false)
        .lookupTimeout(Duration.ofSeconds(20))
        .build();
  }

  static Stream<Arguments> natsOfTheFinder() {
    return Stream.of(
        Arguments.of("full cone", NatConfig.fullCone(), true),
        Arguments.of("restricted cone", NatConfig.restrictedCone(), true),
        Arguments.of("port-restricted cone", NatConfig.portRestrictedCone(), true),
        Arguments.of("symmetric", NatConfig.symmetric(), false),
        Arguments.of("symmetric, sequential ports", NatConfig.symmetricSequential(), false));
  }

  @Test
  void twoNodesBehindTwoNatsFindEachOtherThroughTheDhtAndStreamOverOneMapping() {
    Outcome o = run(42, NatConfig.portRestrictedCone());
    assertThat(o.b.nat.activeMappings()).as("B: one mapping for the DHT and µTP").isEqualTo(1);
    // Exact, deterministic event sequences (seed 42). B queued all its data and its FIN before the
    // SYN was answered, so it goes from SYN_SENT straight to FIN_SENT; both ends close cleanly.
    assertThat(o.b.utpEvents)
        .containsExactly("SYN_SENT->FIN_SENT", "FIN_SENT->LINGER", "LINGER->CLOSED", "closed NONE");
    assertThat(o.a.utpEvents)
        .containsExactly(
            "SYN_RECEIVED->CONNECTED",
            "CONNECTED->FIN_SENT",
            "FIN_SENT->LINGER",
            "LINGER->CLOSED",
            "closed NONE");
  }

  @ParameterizedTest(name = "finder behind a {0} NAT")
  @MethodSource("natsOfTheFinder")
  void theFinderBehindEachKindOfNatReachesTheAnnouncer(
      String name, NatConfig finderNat, boolean endpointIndependentMapping) {
    Outcome o = run(7, finderNat);
    if (endpointIndependentMapping) {
      assertThat(o.b.nat.activeMappings()).isEqualTo(1);
      assertThat(o.acceptedFrom)
          .as("A saw B's stream arrive from the mapping B's DHT traffic used")
          .isEqualTo(o.b.nat.externalAddress(o.b.lanAddress(), o.bootstrap));
    } else {
      assertThat(o.b.nat.activeMappings())
          .as("a symmetric NAT maps B's socket once per destination")
          .isGreaterThan(1);
    }
  }

  private record Outcome(
      SimNode a, SimNode b, InetSocketAddress bootstrap, InetSocketAddress acceptedFrom) {}

  private static Outcome run(long seed, NatConfig finderNat) {
    Network net = Network.withSeed(seed);
    Random random = new Random(seed);
    // The public DHT: bare DhtNodes, each hosted by netsim directly.
    List<InetSocketAddress> bootstrap = new ArrayList<>();
    for (int i = 0; i < PUBLIC_NODES; i++) {
      Host h = net.addHost("pub" + i, net.internet(), "20.0." + i + ".1");
      h.link(LinkConfig.builder().delayMillis(5 + random.nextInt(20)).build());
      // A public node that knows its address starts with a BEP 42 id for it: otherwise every
      // public node would take a new id in the first seconds, all at once, and every table and
      // answer would name ids that no longer exist.
      DhtNode n =
          new DhtNode(
              dhtConfig(1000 + i, bootstrap).toBuilder()
                  .externalAddress(h.addresses().get(0))
                  .build(),
              DhtPort.NONE,
              net.nowNanos());
      Binding b = h.bind(PORT, n);
      if (i == 0) {
        bootstrap.add(b.localAddress());
      } else {
        n.bootstrap(net.nowNanos(), r -> {});
        net.wake(b);
      }
    }
    net.runFor(Duration.ofSeconds(10));

    NatBox natA = net.addNat("natA", net.internet(), "198.51.100.1", NatConfig.fullCone());
    NatBox natB = net.addNat("natB", net.internet(), "192.0.2.1", finderNat);
    SimNode a =
        new SimNode(net, "a", natA, "10.0.1.2", seed * 31 + 1, Duration.ofMillis(15), bootstrap);
    SimNode b =
        new SimNode(net, "b", natB, "10.0.2.2", seed * 31 + 2, Duration.ofMillis(25), bootstrap);

    AtomicReference<LookupResult> joinedA = new AtomicReference<>();
    AtomicReference<LookupResult> joinedB = new AtomicReference<>();
    a.dht().bootstrap(net.nowNanos(), joinedA::set);
    b.dht().bootstrap(net.nowNanos(), joinedB::set);
    net.wake(a.binding);
    net.wake(b.binding);
    assertThat(
            net.runUntil(
                () -> joinedA.get() != null && joinedB.get() != null, Duration.ofSeconds(30)))
        .as("both joined the DHT")
        .isTrue();
    // The join lookup ends once the k closest answered (alpha 8: in few rounds); the nodes its
    // answers named are pinged into the table meanwhile, and those pings answer shortly after.
    net.runFor(Duration.ofSeconds(2));
    assertThat(a.dht().routingTable().size()).isGreaterThan(8);
    assertThat(b.dht().routingTable().size()).isGreaterThan(8);

    // A announces with the implied port (0): the DHT stores the address its NAT gave it.
    AtomicReference<LookupResult> announced = new AtomicReference<>();
    a.dht().announce(TORRENT, 0, net.nowNanos(), announced::set);
    net.wake(a.binding);
    assertThat(net.runUntil(() -> announced.get() != null, Duration.ofSeconds(30))).isTrue();
    assertThat(announced.get().announced()).isGreaterThan(0);

    AtomicReference<LookupResult> found = new AtomicReference<>();
    b.dht().getPeers(TORRENT, net.nowNanos(), found::set);
    net.wake(b.binding);
    assertThat(net.runUntil(() -> found.get() != null, Duration.ofSeconds(30))).isTrue();
    InetSocketAddress aPublic = natA.externalAddress(a.lanAddress(), bootstrap.get(0));
    assertThat(found.get().peers())
        .as("B found A's public mapping through the DHT")
        .contains(aPublic);
    assertThat(natA.activeMappings()).as("A: one mapping, made by its DHT traffic").isEqualTo(1);

    // B dials the address the DHT gave; A's full-cone mapping lets it in.
    a.socket.utp().setListening(true);
    UtpConnection out = b.socket.utp().connect(aPublic, net.nowNanos());
    byte[] payload = new byte[PAYLOAD_BYTES];
    random.nextBytes(payload);
    ByteBuffer toSend = ByteBuffer.wrap(payload);
    ByteBuffer received = ByteBuffer.allocate(PAYLOAD_BYTES);
    AtomicReference<UtpConnection> accepted = new AtomicReference<>();
    net.wake(b.binding);
    boolean done =
        net.runUntil(
            () -> {
              long now = net.nowNanos();
              if (toSend.hasRemaining() && out.write(toSend, now) > 0) {
                if (!toSend.hasRemaining()) {
                  out.shutdownOutput(now);
                }
                net.wake(b.binding);
              }
              if (accepted.get() == null) {
                accepted.set(a.socket.utp().pollAccepted());
              }
              UtpConnection in = accepted.get();
              if (in != null && in.read(received, now) > 0) {
                net.wake(a.binding);
              }
              return in != null && in.isEndOfStream() && !received.hasRemaining();
            },
            Duration.ofSeconds(60));
    assertThat(done).as("the µTP stream completed").isTrue();
    assertThat(received.array()).as("byte-exact").isEqualTo(payload);
    UtpConnection in = accepted.get();
    in.shutdownOutput(net.nowNanos());
    net.wake(a.binding);
    net.runFor(Duration.ofSeconds(10));
    assertThat(out.state()).isEqualTo(UtpState.CLOSED);
    assertThat(in.state()).isEqualTo(UtpState.CLOSED);

    // Counters: nothing lost on these links, so what one side sent the other consumed, exactly.
    Demultiplexer da = a.socket.demultiplexer();
    Demultiplexer db = b.socket.demultiplexer();
    assertThat(da.consumed(DatagramKind.UTP)).isEqualTo(b.socket.utp().counters().datagramsOut());
    assertThat(db.consumed(DatagramKind.UTP)).isEqualTo(a.socket.utp().counters().datagramsOut());
    assertThat(da.unclaimed()).isZero();
    assertThat(db.unclaimed()).isZero();
    assertThat(da.coreFailures() + db.coreFailures()).isZero();
    assertThat(da.consumed(DatagramKind.KRPC)).isEqualTo(a.dht().counters().datagramsIn());
    // DHT nodes that learned B's address from another node's reply, not from B, are filtered by
    // B's NAT (any NAT but a full cone); whether any did depends on who named whom. B's BEP 42 id
    // change once its votes settle makes them more likely: nodes that knew its old id look again.
    // Nothing else is ever dropped.
    assertThat(net.stats().drops().keySet()).isSubsetOf(DropReason.FILTER);
    return new Outcome(a, b, bootstrap.get(0), in.remoteAddress());
  }
}
