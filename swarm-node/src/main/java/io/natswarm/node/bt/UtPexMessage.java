package io.natswarm.node.bt;

import bt.net.buffer.ByteBufferView;
import bt.protocol.DecodingContext;
import bt.protocol.EncodingContext;
import bt.protocol.extended.ExtendedMessage;
import bt.protocol.handler.MessageHandler;
import io.natswarm.pex.PexCodec;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.List;

/**
 * A ut_pex message (BEP 11) as it travels through Bt's pipeline: the raw payload after the extended
 * message id. It is decoded by {@link io.natswarm.pex.PexReceiver} in {@link PexExchange}, not
 * here, so that a malformed message is counted and ignored instead of ending the connection, and a
 * flooding peer's messages are not decoded at all.
 *
 * <p>Public only because Bt invokes messaging agents through {@code MethodHandles.publicLookup()}.
 */
public final class UtPexMessage extends ExtendedMessage {
  /** The extension's name in the BEP 10 handshake's {@code m} dictionary. */
  static final String EXTENSION = "ut_pex";

  private final byte[] payload;

  UtPexMessage(byte[] payload) {
    this.payload = payload;
  }

  /** The payload; at most one byte longer than {@link PexCodec#MAX_MESSAGE_BYTES}. */
  byte[] payload() {
    return payload;
  }

  /**
   * Bt's codec of the message: copies the payload (bounded: a longer one keeps its first {@link
   * PexCodec#MAX_MESSAGE_BYTES} + 1 bytes, enough for the receiver to call it too large).
   */
  static final class Handler implements MessageHandler<UtPexMessage> {
    @Override
    public Collection<Class<? extends UtPexMessage>> getSupportedTypes() {
      return List.of(UtPexMessage.class);
    }

    @Override
    public Class<UtPexMessage> readMessageType(ByteBufferView buffer) {
      return UtPexMessage.class;
    }

    @Override
    public int decode(DecodingContext context, ByteBufferView buffer) {
      int length = buffer.remaining();
      byte[] payload = new byte[Math.min(length, PexCodec.MAX_MESSAGE_BYTES + 1)];
      buffer.get(payload);
      buffer.position(buffer.position() + length - payload.length);
      context.setMessage(new UtPexMessage(payload));
      return length;
    }

    @Override
    public boolean encode(EncodingContext context, UtPexMessage message, ByteBuffer buffer) {
      if (buffer.remaining() < message.payload.length) {
        return false;
      }
      buffer.put(message.payload);
      return true;
    }
  }
}
