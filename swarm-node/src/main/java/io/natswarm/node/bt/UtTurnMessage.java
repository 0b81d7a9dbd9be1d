package io.natswarm.node.bt;

import bt.net.buffer.ByteBufferView;
import bt.protocol.DecodingContext;
import bt.protocol.EncodingContext;
import bt.protocol.extended.ExtendedMessage;
import bt.protocol.handler.MessageHandler;
import io.natswarm.holepunch.turn.TurnSignal;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.List;

/**
 * An {@code ns_turn} message (natswarm's TURN signalling extension, BEP 10) as it travels through
 * Bt's pipeline: the raw payload, parsed by {@link TurnSignal} in {@link TurnService} (a malformed
 * one is counted and ignored, never the end of the connection). Public only because Bt invokes
 * agents through {@code MethodHandles.publicLookup()}.
 */
public final class UtTurnMessage extends ExtendedMessage {
  private final byte[] payload;

  UtTurnMessage(byte[] payload) {
    this.payload = payload;
  }

  byte[] payload() {
    return payload;
  }

  /** Bt's codec of the message: copies at most one byte more than the longest valid message. */
  static final class Handler implements MessageHandler<UtTurnMessage> {
    @Override
    public Collection<Class<? extends UtTurnMessage>> getSupportedTypes() {
      return List.of(UtTurnMessage.class);
    }

    @Override
    public Class<UtTurnMessage> readMessageType(ByteBufferView buffer) {
      return UtTurnMessage.class;
    }

    @Override
    public int decode(DecodingContext context, ByteBufferView buffer) {
      int length = buffer.remaining();
      byte[] payload = new byte[Math.min(length, TurnSignal.MAX_ENCODED_LENGTH + 1)];
      buffer.get(payload);
      buffer.position(buffer.position() + length - payload.length);
      context.setMessage(new UtTurnMessage(payload));
      return length;
    }

    @Override
    public boolean encode(EncodingContext context, UtTurnMessage message, ByteBuffer buffer) {
      if (buffer.remaining() < message.payload.length) {
        return false;
      }
      buffer.put(message.payload);
      return true;
    }
  }
}
