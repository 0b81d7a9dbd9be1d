package io.natswarm.node.bt;

import bt.net.buffer.ByteBufferView;
import bt.protocol.DecodingContext;
import bt.protocol.EncodingContext;
import bt.protocol.extended.ExtendedMessage;
import bt.protocol.handler.MessageHandler;
import io.natswarm.holepunch.reach.DialBack;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.List;

/**
 * A dial-back message ({@link DialBack#EXTENSION}) as it travels through Bt's pipeline: the raw
 * payload, parsed by {@link DialBackService} (so that a malformed one is counted and ignored, never
 * the end of the connection). Public only because Bt invokes agents through {@code
 * MethodHandles.publicLookup()}.
 */
public final class DialBackMessage extends ExtendedMessage {
  private final byte[] payload;

  DialBackMessage(byte[] payload) {
    this.payload = payload;
  }

  byte[] payload() {
    return payload;
  }

  /** Bt's codec of the message: copies at most one byte more than a valid message has. */
  static final class Handler implements MessageHandler<DialBackMessage> {
    @Override
    public Collection<Class<? extends DialBackMessage>> getSupportedTypes() {
      return List.of(DialBackMessage.class);
    }

    @Override
    public Class<DialBackMessage> readMessageType(ByteBufferView buffer) {
      return DialBackMessage.class;
    }

    @Override
    public int decode(DecodingContext context, ByteBufferView buffer) {
      int length = buffer.remaining();
      byte[] payload = new byte[Math.min(length, DialBack.LENGTH + 1)];
      buffer.get(payload);
      buffer.position(buffer.position() + length - payload.length);
      context.setMessage(new DialBackMessage(payload));
      return length;
    }

    @Override
    public boolean encode(EncodingContext context, DialBackMessage message, ByteBuffer buffer) {
      if (buffer.remaining() < message.payload.length) {
        return false;
      }
      buffer.put(message.payload);
      return true;
    }
  }
}
