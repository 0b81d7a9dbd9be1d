package io.natswarm.node.bt;

import bt.net.buffer.ByteBufferView;
import bt.protocol.DecodingContext;
import bt.protocol.EncodingContext;
import bt.protocol.extended.ExtendedMessage;
import bt.protocol.handler.MessageHandler;
import io.natswarm.holepunch.relay.RelayCodec;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.List;

/**
 * An {@code ns_relay} message (natswarm's relay extension, BEP 10) as it travels through Bt's
 * pipeline: the raw payload, parsed by the {@code holepunch} module's {@link RelayCodec} in {@link
 * RelayService} (so that a malformed one is counted and ignored, never the end of the connection).
 * Public only because Bt invokes agents through {@code MethodHandles.publicLookup()}.
 */
public final class UtRelayMessage extends ExtendedMessage {
  private final byte[] payload;

  UtRelayMessage(byte[] payload) {
    this.payload = payload;
  }

  byte[] payload() {
    return payload;
  }

  /** Bt's codec of the message: copies at most one byte more than the longest valid message. */
  static final class Handler implements MessageHandler<UtRelayMessage> {
    @Override
    public Collection<Class<? extends UtRelayMessage>> getSupportedTypes() {
      return List.of(UtRelayMessage.class);
    }

    @Override
    public Class<UtRelayMessage> readMessageType(ByteBufferView buffer) {
      return UtRelayMessage.class;
    }

    @Override
    public int decode(DecodingContext context, ByteBufferView buffer) {
      int length = buffer.remaining();
      byte[] payload = new byte[Math.min(length, RelayCodec.MAX_ENCODED_LENGTH + 1)];
      buffer.get(payload);
      buffer.position(buffer.position() + length - payload.length);
      context.setMessage(new UtRelayMessage(payload));
      return length;
    }

    @Override
    public boolean encode(EncodingContext context, UtRelayMessage message, ByteBuffer buffer) {
      if (buffer.remaining() < message.payload.length) {
        return false;
      }
      buffer.put(message.payload);
      return true;
    }
  }
}
