package io.natswarm.node.bt;

import bt.net.buffer.ByteBufferView;
import bt.protocol.DecodingContext;
import bt.protocol.EncodingContext;
import bt.protocol.InvalidMessageException;
import bt.protocol.Message;
import bt.protocol.handler.MessageHandler;
import java.nio.ByteBuffer;
import java.util.Collection;

/**
 * Bt's BitTorrent protocol for one connection, with the checks Bt 1.10 lacks and a count of the
 * connections closed for breaking the protocol ({@link PeerBans#protocolError()}).
 *
 * <p>BEP 3 frames every message after the handshake as a 4-byte big-endian length and that many
 * bytes. Bt 1.10 trusts the length: a peer that announces a message longer than the connection's
 * inbound buffer (random bytes after the handshake nearly always do) leaves the connection waiting
 * forever for a message that cannot fit, holding its buffer. Here a length that is negative or
 * longer than {@code maxMessageBytes} is a protocol error at once. Bt already rejects an unknown
 * message id or a malformed message by throwing from decode; the channel handler then closes the
 * connection. Either way the first error of a connection is counted once.
 *
 * <p>A frame whose first byte is 19 is Bt's handshake, which Bt recognises by that byte alone (a
 * length prefix starting with 19 would be over 300 MB and is refused by Bt's handshake check).
 *
 * <p>Threads: decoding runs on the peer I/O loop, one connection at a time; the flag is not shared.
 */
final class ProtocolGuard implements MessageHandler<Message> {
  private static final int HANDSHAKE_FIRST_BYTE = 19;

  private final MessageHandler<Message> protocol;
  private final int maxMessageBytes;
  private final PeerBans counters;
  private volatile boolean reported;

  /** {@code maxMessageBytes}: the longest message the connection could ever decode. */
  ProtocolGuard(MessageHandler<Message> protocol, int maxMessageBytes, PeerBans counters) {
    this.protocol = protocol;
    this.maxMessageBytes = maxMessageBytes;
    this.counters = counters;
  }

  @Override
  public Collection<Class<? extends Message>> getSupportedTypes() {
    return protocol.getSupportedTypes();
  }

  @Override
  public Class<? extends Message> readMessageType(ByteBufferView buffer) {
    return protocol.readMessageType(buffer);
  }

  @Override
  public boolean encode(EncodingContext context, Message message, ByteBuffer buffer) {
    return protocol.encode(context, message, buffer);
  }

  @Override
  public int decode(DecodingContext context, ByteBufferView buffer) {
    try {
      if (buffer.remaining() >= 4) {
        int at = buffer.position();
        byte first = buffer.get();
        buffer.position(at);
        if (first != HANDSHAKE_FIRST_BYTE) {
          int length = buffer.getInt();
          buffer.position(at);
          if (length < 0 || length > maxMessageBytes - 4) {
            throw new InvalidMessageException(
                "message length "
                    + Integer.toUnsignedString(length)
                    + " is more than the "
                    + maxMessageBytes
                    + " bytes a message may take");
          }
        }
      }
      return protocol.decode(context, buffer);
    } catch (RuntimeException e) {
      if (!reported) {
        reported = true;
        counters.protocolError();
      }
      throw e;
    }
  }
}
