package io.natswarm.node.bt;

import bt.protocol.Message;
import bt.protocol.extended.ExtendedHandshake;
import bt.torrent.annotation.Consumes;
import bt.torrent.annotation.Produces;
import bt.torrent.messaging.MessageContext;
import java.util.function.Consumer;

/**
 * Bt's messaging agent for ut_pex: one instance for every connection, it hands each peer's BEP 10
 * handshake and PEX messages to {@link PexExchange} and asks it what to send. Public only because
 * Bt invokes agents through {@code MethodHandles.publicLookup()}.
 */
public final class PexAgent {
  private final PexExchange exchange;

  PexAgent(PexExchange exchange) {
    this.exchange = exchange;
  }

  /** A peer's BEP 10 handshake: whether it speaks ut_pex and ut_holepunch. */
  @Consumes
  public void consume(ExtendedHandshake handshake, MessageContext context) {
    exchange.handshake(handshake, context);
  }

  /** A peer's PEX message. */
  @Consumes
  public void consume(UtPexMessage message, MessageContext context) {
    exchange.received(message, context);
  }

  /** Our PEX message to this peer, when one is due. */
  @Produces
  public void produce(Consumer<Message> messages, MessageContext context) {
    exchange.produce(messages, context);
  }
}
