package io.natswarm.node.bt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import bt.net.InetPeer;
import bt.net.buffer.ByteBufferView;
import bt.net.buffer.DelegatingByteBufferView;
import bt.protocol.DecodingContext;
import bt.protocol.EncodingContext;
import bt.protocol.InvalidMessageException;
import bt.protocol.Message;
import bt.protocol.handler.MessageHandler;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ProtocolGuard}: a length prefix that cannot fit is an error; errors count once. */
class ProtocolGuardTest {
  /** A protocol that needs more bytes for anything, or throws when asked to. */
  static final class Stub implements MessageHandler<Message> {
    boolean fail;
    int decodes;

    @Override
    public Collection<Class<? extends Message>> getSupportedTypes() {
      return List.of();
    }

    @Override
    public Class<? extends Message> readMessageType(ByteBufferView buffer) {
      return null;
    }

    @Override
    public boolean encode(EncodingContext context, Message message, ByteBuffer buffer) {
      return false;
    }

    @Override
    public int decode(DecodingContext context, ByteBufferView buffer) {
      decodes++;
      if (fail) {
        throw new InvalidMessageException("Unknown message type ID: 99");
      }
      return 0;
    }
  }

  static ByteBufferView bytes(int... b) {
    ByteBuffer buf = ByteBuffer.allocate(b.length);
    for (int x : b) {
      buf.put((byte) x);
    }
    buf.flip();
    return new DelegatingByteBufferView(buf);
  }

  static DecodingContext context() {
    return new DecodingContext(InetPeer.build(InetAddress.getLoopbackAddress()));
  }

  @Test
  void aLengthLongerThanTheBufferIsAnErrorCountedOnce() {
    PeerBans counters = new PeerBans();
    Stub stub = new Stub();
    ProtocolGuard guard = new ProtocolGuard(stub, 1 << 20, counters);
    ByteBufferView huge = bytes(0x7f, 0xff, 0xff, 0xff, 7);
    assertThatThrownBy(() -> guard.decode(context(), huge))
        .isInstanceOf(InvalidMessageException.class)
        .hasMessageContaining("2147483647");
    assertThat(huge.position()).isZero();
    assertThatThrownBy(() -> guard.decode(context(), bytes(0x80, 0, 0, 0, 7)))
        .isInstanceOf(InvalidMessageException.class);
    assertThat(stub.decodes).isZero();
    assertThat(counters.snapshot().protocolErrorDisconnects()).isEqualTo(1);
  }

  @Test
  void messagesThatFitAndHandshakesGoToTheProtocol() {
    PeerBans counters = new PeerBans();
    Stub stub = new Stub();
    ProtocolGuard guard = new ProtocolGuard(stub, 1 << 20, counters);
    assertThat(guard.decode(context(), bytes(0, 0, 0x40, 9, 7))).isZero(); // 16 KiB + 9 piece
    assertThat(guard.decode(context(), bytes(19, 'B', 'i', 't'))).isZero(); // a handshake
    assertThat(guard.decode(context(), bytes(0, 0))).isZero(); // not a whole prefix yet
    assertThat(stub.decodes).isEqualTo(3);
    assertThat(counters.snapshot().protocolErrorDisconnects()).isZero();
  }

  @Test
  void theProtocolsOwnErrorsAreCounted() {
    PeerBans counters = new PeerBans();
    Stub stub = new Stub();
    stub.fail = true;
    ProtocolGuard guard = new ProtocolGuard(stub, 1 << 20, counters);
    assertThatThrownBy(() -> guard.decode(context(), bytes(0, 0, 0, 5, 99)))
        .isInstanceOf(InvalidMessageException.class);
    assertThat(counters.snapshot().protocolErrorDisconnects()).isEqualTo(1);
  }
}
