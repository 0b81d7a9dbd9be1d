package io.natswarm.node.bt;

import bt.protocol.extended.ExtendedHandshake;
import bt.torrent.annotation.Consumes;
import bt.torrent.messaging.MessageContext;

/**
 * Bt's messaging agent for {@code ns_turn}: hands each peer's BEP 10 handshake and TURN signals to
 * {@link TurnService}. Public only because Bt invokes agents through {@code
 * MethodHandles.publicLookup()}.
 */
public final class TurnAgent {
  private final TurnService service;

  TurnAgent(TurnService service) {
    this.service = service;
  }

  /** A peer's BEP 10 handshake: whether it speaks ns_turn, and where it listens. */
  @Consumes
  public void consume(ExtendedHandshake handshake, MessageContext context) {
    service.handshake(handshake, context);
  }

  /** A peer's ns_turn message. */
  @Consumes
  public void consume(UtTurnMessage message, MessageContext context) {
    service.received(message.payload(), context.getConnectionKey());
  }
}
