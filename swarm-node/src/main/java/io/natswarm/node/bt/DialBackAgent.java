package io.natswarm.node.bt;

import bt.protocol.Message;
import bt.protocol.extended.ExtendedHandshake;
import bt.torrent.annotation.Consumes;
import bt.torrent.annotation.Produces;
import bt.torrent.messaging.MessageContext;
import java.util.function.Consumer;

/**
 * Bt's messaging agent for the dial-back extension: hands each peer's BEP 10 handshake and
 * dial-back messages to {@link DialBackService} and sends what it queued for the peer. Public only
 * because Bt invokes agents through {@code MethodHandles.publicLookup()}.
 */
public final class DialBackAgent {
  private final DialBackService service;

  DialBackAgent(DialBackService service) {
    this.service = service;
  }

  /** A peer's BEP 10 handshake: whether it speaks dial-back. */
  @Consumes
  public void consume(ExtendedHandshake handshake, MessageContext context) {
    service.handshake(handshake, context);
  }

  /** A peer's dial-back message. */
  @Consumes
  public void consume(DialBackMessage message, MessageContext context) {
    service.received(message, context);
  }

  /** What the service queued for this peer. */
  @Produces
  public void produce(Consumer<Message> messages, MessageContext context) {
    service.produce(messages, context);
  }
}
