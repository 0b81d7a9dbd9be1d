package io.natswarm.node.bt;

import bt.net.buffer.ByteBufferView;
import bt.protocol.DecodingContext;
import bt.protocol.EncodingContext;
import bt.protocol.extended.ExtendedMessage;
import bt.protocol.handler.MessageHandler;
import io.natswarm.holepunch.punch.HolepunchCodec;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.List;

/**
 * A ut_holepunch message (BEP 55) as it travels through Bt's pipeline: the raw payload, parsed by
 * the {@code holepunch} module's {@link HolepunchCodec} in {@link HolepunchService} (so that a
 * malformed one is counted and ignored, never the end of the connection). Public only because Bt
 * invokes agents through {@code MethodHandles.publicLookup()}.
 */
public final class UtHolepunchMessage extends ExtendedMessage {
  private final byte[] payload;

  UtHolepunchMessage(byte[] payload) {
    this.payload = payload;
  }

  byte[] payload() {
    return payload;
  }

  /** Bt's codec of the message: copies at most one byte more than the longest valid message. */
  static final class Handler implements MessageHandler<UtHolepunchMessage> {
    @Override
    public Collection<Class<? extends UtHolepunchMessage>> getSupportedTypes() {
      return List.of(UtHolepunchMessage.class);
    }

    @Override
    public Class<UtHolepunchMessage> readMessageType(ByteBufferView buffer) {
      return UtHolepunchMessage.class;
    }

    @Override
    public int decode(DecodingContext context, ByteBufferView buffer) {
      int length = buffer.remaining();
      byte[] payload = new byte[Math.min(length, HolepunchCodec.MAX_ENCODED_LENGTH + 1)];
      buffer.get(payload);
      buffer.position(buffer.position() + length - payload.length);
      context.setMessage(new UtHolepunchMessage(payload));
      return length;
    }

    @Override
    public boolean encode(EncodingContext context, UtHolepunchMessage message, ByteBuffer buffer) {
      if (buffer.remaining() < message.payload.length) {
        return false;
      }
      buffer.put(message.payload);
      return true;
    }
  }
}
