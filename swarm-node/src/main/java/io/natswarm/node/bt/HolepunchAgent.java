package io.natswarm.node.bt;

import bt.protocol.Message;
import bt.protocol.extended.ExtendedHandshake;
import bt.torrent.annotation.Consumes;
import bt.torrent.annotation.Produces;
import bt.torrent.messaging.MessageContext;
import java.util.function.Consumer;

/**
 * Bt's messaging agent for ut_holepunch (BEP 55): hands each peer's BEP 10 handshake and
 * ut_holepunch messages to {@link HolepunchService} and sends what it queued for the peer. Public
 * only because Bt invokes agents through {@code MethodHandles.publicLookup()}.
 */
public final class HolepunchAgent {
  private final HolepunchService service;

  HolepunchAgent(HolepunchService service) {
    this.service = service;
  }

  /** A peer's BEP 10 handshake: whether it speaks ut_holepunch, and where it listens. */
  @Consumes
  public void consume(ExtendedHandshake handshake, MessageContext context) {
    service.handshake(handshake, context);
  }

  /** A peer's ut_holepunch message. */
  @Consumes
  public void consume(UtHolepunchMessage message, MessageContext context) {
    service.received(message.payload(), context.getConnectionKey());
  }

  /** What the service queued for this peer. */
  @Produces
  public void produce(Consumer<Message> messages, MessageContext context) {
    for (byte[] b : service.take(context.getConnectionKey())) {
      messages.accept(new UtHolepunchMessage(b));
    }
  }
}
