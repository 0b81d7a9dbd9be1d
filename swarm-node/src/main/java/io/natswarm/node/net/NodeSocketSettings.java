package io.natswarm.node.net;

import io.natswarm.dht.DhtConfig;
import io.natswarm.dht.DhtPort;
import io.natswarm.utp.UtpSettings;
import java.security.SecureRandom;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * What a node's socket carries, for {@link NodeSocket#compose}: µTP's settings, the DHT node of
 * each address family (null: that family has no DHT node), where the DHT's events go, and the
 * random source of µTP's connection ids and sequence numbers (a {@link SecureRandom} in production;
 * a seeded generator in netsim tests, so a scenario repeats exactly — secrets never come from it).
 *
 * @param utp µTP settings
 * @param dhtV4 the IPv4 DHT node's configuration, or null for none
 * @param dhtV6 the IPv6 (BEP 32) DHT node's configuration, or null for none
 * @param dhtPort receives the DHT's events (external-address votes)
 * @param utpRandom makes the µTP stack's random generator
 */
public record NodeSocketSettings(
    UtpSettings utp,
    DhtConfig dhtV4,
    DhtConfig dhtV6,
    DhtPort dhtPort,
    Supplier<RandomGenerator> utpRandom) {

  public NodeSocketSettings {
    if (utp == null) {
      throw new IllegalArgumentException("node socket: utp settings must not be null");
    }
    if (dhtV4 != null && dhtV4.ipv6()) {
      throw new IllegalArgumentException("node socket: dhtV4 is configured for IPv6");
    }
    if (dhtV6 != null && !dhtV6.ipv6()) {
      throw new IllegalArgumentException("node socket: dhtV6 is not configured for IPv6");
    }
    if (dhtPort == null) {
      dhtPort = DhtPort.NONE;
    }
    if (utpRandom == null) {
      utpRandom = SecureRandom::new;
    }
  }

  /** µTP with default settings and no DHT. */
  public static NodeSocketSettings utpOnly() {
    return new NodeSocketSettings(UtpSettings.defaults(), null, null, DhtPort.NONE, null);
  }

  /** These settings with an IPv4 DHT node. */
  public NodeSocketSettings withDhtV4(DhtConfig config) {
    return new NodeSocketSettings(utp, config, dhtV6, dhtPort, utpRandom);
  }

  /** These settings with the DHT's events going to {@code port}. */
  public NodeSocketSettings withDhtPort(DhtPort port) {
    return new NodeSocketSettings(utp, dhtV4, dhtV6, port, utpRandom);
  }

  /** These settings with an IPv6 DHT node. */
  public NodeSocketSettings withDhtV6(DhtConfig config) {
    return new NodeSocketSettings(utp, dhtV4, config, dhtPort, utpRandom);
  }

  /** These settings with µTP's random generator made by {@code random}. */
  public NodeSocketSettings withUtpRandom(Supplier<RandomGenerator> random) {
    return new NodeSocketSettings(utp, dhtV4, dhtV6, dhtPort, random);
  }

  /** These settings with µTP settings {@code settings}. */
  public NodeSocketSettings withUtp(UtpSettings settings) {
    return new NodeSocketSettings(settings, dhtV4, dhtV6, dhtPort, utpRandom);
  }
}
