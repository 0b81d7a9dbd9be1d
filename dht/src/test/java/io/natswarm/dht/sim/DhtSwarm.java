package io.natswarm.dht.sim;

import io.natswarm.dht.DhtConfig;
import io.natswarm.dht.DhtNode;
import io.natswarm.dht.DhtPort;
import io.natswarm.dht.routing.NodeId;
import io.natswarm.netsim.Binding;
import io.natswarm.netsim.Host;
import io.natswarm.netsim.LinkConfig;
import io.natswarm.netsim.Network;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/** Test harness: many {@link DhtNode}s on a netsim {@link Network}, each on its own host. */
public final class DhtSwarm {
  public static final int PORT = 6881;

  /** One DHT node bound to a simulated host: netsim hosts the {@link DhtNode} itself. */
  public static final class Member {
    public final int index;
    public final Host host;
    public DhtNode node;
    public Binding binding;
    public final InetSocketAddress address;
    public final double oneWayMillis;

    Member(int index, Host host, InetSocketAddress address, double oneWayMillis) {
      this.index = index;
      this.host = host;
      this.address = address;
      this.oneWayMillis = oneWayMillis;
    }

    public boolean online() {
      return binding != null && binding.isOpen();
    }
  }

  public final Network net;
  public final List<Member> members = new ArrayList<>();
  private final Random random;
  private final Consumer<DhtConfig.Builder> tune;
  private final double lossPerLink;

  /**
   * @param minOneWayMs,maxOneWayMs each host's access-link delay, both directions (RTT between two
   *     hosts = 2 * (a + b))
   * @param lossPerLink loss on each access-link direction (end-to-end ~ 2x)
   */
  public DhtSwarm(
      long seed,
      int n,
      double minOneWayMs,
      double maxOneWayMs,
      double lossPerLink,
      Consumer<DhtConfig.Builder> tune) {
    this.net = Network.withSeed(seed);
    this.random = new Random(seed);
    this.tune = tune;
    this.lossPerLink = lossPerLink;
    for (int i = 0; i < n; i++) {
      String ip = (20 + (i >>> 16)) + "." + ((i >>> 8) & 255) + "." + (i & 255) + ".1";
      Host h = net.addHost("n" + i, net.internet(), ip);
      double d = minOneWayMs + random.nextDouble() * (maxOneWayMs - minOneWayMs);
      h.link(LinkConfig.builder().delayMillis(d).loss(lossPerLink).build());
      members.add(new Member(i, h, new InetSocketAddress(h.addresses().get(0), PORT), d));
    }
  }

  /** Starts (or restarts, with a fresh node) member {@code i} with bootstrap nodes. */
  public Member start(int i, List<InetSocketAddress> bootstrap, long seed) {
    Member m = members.get(i);
    DhtConfig.Builder b =
        DhtConfig.builder()
            .seed(seed)
            // A configured id is never re-derived from votes (BEP 42): the swarm's address plan
            // (20.a.b.1) leaves few distinct BEP 42 prefixes, which would crowd the ids of
            // thousands of nodes into a few subtrees, unlike the internet's addresses.
            .nodeId(NodeId.random(new Random(seed)))
            .bootstrapNodes(bootstrap)
            .lookupTimeout(Duration.ofSeconds(20));
    tune.accept(b);
    m.node = new DhtNode(b.build(), DhtPort.NONE, net.nowNanos());
    m.binding = m.host.bind(PORT, m.node);
    m.node.bootstrap(net.nowNanos(), r -> {});
    net.wake(m.binding);
    return m;
  }

  public void stop(int i) {
    Member m = members.get(i);
    if (m.binding != null) {
      m.binding.close();
    }
  }

  /** Runs an API call on a member and lets it send. */
  public void act(Member m, Consumer<DhtNode> call) {
    call.accept(m.node);
    net.wake(m.binding);
  }

  public double lossPerLink() {
    return lossPerLink;
  }

  public Random random() {
    return random;
  }
}
