package io.natswarm.node.bt;

import bt.net.buffer.ByteBufferView;
import bt.protocol.DecodingContext;
import bt.protocol.EncodingContext;
import bt.protocol.InvalidMessageException;
import bt.protocol.Message;
import bt.protocol.handler.UniqueMessageHandler;
import java.nio.ByteBuffer;

/**
 * The BEP 5 PORT message ({@code <len=0003><id=9><listen-port>}): the UDP port of the sender's DHT
 * node, sent after the handshake to peers whose handshake sets the DHT bit (the last bit of the
 * reserved bytes).
 *
 * <p>Public only because Bt invokes messaging agents through {@code MethodHandles.publicLookup()}.
 *
 * @param port the DHT node's UDP port
 */
public record DhtPort(int port) implements Message {
  /** BEP 5's message id. */
  static final int ID = 9;

  /** The reserved bit (Bt's little-endian index: byte 7, value 0x01) that says "I run a DHT". */
  static final int RESERVED_BIT = 63;

  @Override
  public Integer getMessageId() {
    return ID;
  }

  /** Bt's codec of the message. */
  static final class Handler extends UniqueMessageHandler<DhtPort> {
    Handler() {
      super(DhtPort.class);
    }

    @Override
    protected boolean doEncode(EncodingContext context, DhtPort message, ByteBuffer buffer) {
      if (buffer.remaining() < Short.BYTES) {
        return false;
      }
      buffer.putShort((short) message.port());
      return true;
    }

    @Override
    protected int doDecode(DecodingContext context, ByteBufferView buffer) {
      if (buffer.remaining() != Short.BYTES) {
        // Bt's codec contract (its own handlers do the same): a malformed message ends the
        // connection through this exception.
        throw new InvalidMessageException(
            "BEP 5 PORT message with " + buffer.remaining() + " payload bytes instead of 2");
      }
      context.setMessage(new DhtPort(Short.toUnsignedInt(buffer.getShort())));
      return Short.BYTES;
    }
  }
}
