package io.natswarm.node.bt;

import bt.protocol.extended.ExtendedHandshake;
import bt.torrent.annotation.Consumes;
import bt.torrent.messaging.MessageContext;

/**
 * Bt's messaging agent for {@code ns_relay}: hands each peer's BEP 10 handshake and relay messages
 * to {@link RelayService}, which sends its own messages on its sender thread (a relayed stream's
 * frames cannot wait for Bt's producer turns). Public only because Bt invokes agents through {@code
 * MethodHandles.publicLookup()}.
 */
public final class RelayAgent {
  private final RelayService service;

  RelayAgent(RelayService service) {
    this.service = service;
  }

  /** A peer's BEP 10 handshake: whether it speaks ns_relay, and where it listens. */
  @Consumes
  public void consume(ExtendedHandshake handshake, MessageContext context) {
    service.handshake(handshake, context);
  }

  /** A peer's ns_relay message. */
  @Consumes
  public void consume(UtRelayMessage message, MessageContext context) {
    service.received(message.payload(), context.getConnectionKey());
  }
}
