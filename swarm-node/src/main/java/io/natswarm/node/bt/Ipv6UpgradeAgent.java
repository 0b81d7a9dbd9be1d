package io.natswarm.node.bt;

import bt.protocol.extended.ExtendedHandshake;
import bt.torrent.annotation.Consumes;
import bt.torrent.messaging.MessageContext;

/**
 * Bt's messaging agent that hands each peer's BEP 10 handshake to {@link Ipv6Upgrade}. Public only
 * because Bt invokes agents through {@code MethodHandles.publicLookup()}.
 */
public final class Ipv6UpgradeAgent {
  private final Ipv6Upgrade upgrade;

  Ipv6UpgradeAgent(Ipv6Upgrade upgrade) {
    this.upgrade = upgrade;
  }

  /** A peer's BEP 10 handshake. */
  @Consumes
  public void consume(ExtendedHandshake handshake, MessageContext context) {
    upgrade.handshake(handshake, context);
  }
}
