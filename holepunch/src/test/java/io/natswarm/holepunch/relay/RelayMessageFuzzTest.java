package io.natswarm.holepunch.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.natswarm.holepunch.punch.PeerRef;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Set;

/**
 * Jazzer target: any ns_relay payload parses to a message or a typed problem, never an exception; a
 * parsed message encodes and parses back to itself; a relay switch with a pending and an open
 * circuit takes the payload from either end without throwing, without moving the buffer, and
 * addresses what it sends only to connected peers; and an end's cipher takes it as a frame without
 * throwing. The seeds name the circuits: I's ids 1 (pending) and 2 (open); T sends R's ids
 * 0x40000000 and 0x40000001 with bit 31 set, 0xC0000000 and 0xC0000001.
 */
class RelayMessageFuzzTest {
  private static final PeerRef I = new PeerRef(1);
  private static final PeerRef T = new PeerRef(2);
  private static final PeerRef X = new PeerRef(3);
  private static final InetSocketAddress I_EP = new InetSocketAddress("198.51.100.1", 6881);
  private static final InetSocketAddress T_EP = new InetSocketAddress("203.0.113.2", 51413);
  private static final InetSocketAddress X_EP = new InetSocketAddress("203.0.113.3", 6881);
  private static final byte[] KEY = new byte[32];
  private static final byte[] INFO_HASH = new byte[20];
  private static final byte[] I_ID = id(0xA1);
  private static final byte[] T_ID = id(0xB2);

  /** Not random: the fuzz target must be deterministic. */
  private static final class FixedRandom extends SecureRandom {
    private static final long serialVersionUID = 1L;
    private byte next = 1;

    @Override
    public void nextBytes(byte[] bytes) {
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = next++;
      }
    }
  }

  private static byte[] id(int b) {
    byte[] id = new byte[20];
    Arrays.fill(id, (byte) b);
    return id;
  }

  @FuzzTest(maxDuration = "30s")
  void parse(byte[] data) {
    RelayParsed p = RelayCodec.parse(data);
    assertThat(p.ok()).isEqualTo(p.problem() == null);
    if (p.ok()) {
      RelayMessage m = p.message();
      ByteBuffer b = ByteBuffer.allocate(RelayCodec.MAX_ENCODED_LENGTH);
      int n = RelayCodec.encode(m, b);
      assertThat(n).isEqualTo(data.length).isEqualTo(m.encodedLength());
      assertThat(RelayCodec.parse(b.flip()).message()).isEqualTo(m);
      assertThat(b.array()).startsWith(data);
    }

    RelaySwitch relay = new RelaySwitch(RelaySwitch.Settings.DEFAULTS, true);
    relay.peerConnected(I, I_EP, null, I_ID, true);
    relay.peerConnected(T, T_EP, new InetSocketAddress("203.0.113.2", 6881), T_ID, true);
    relay.peerConnected(X, X_EP, null, id(0xC3), false);
    relay.onMessage(I, RelayMessage.connect(1, KEY, T_EP), 0);
    relay.onMessage(I, RelayMessage.connect(2, KEY, T_EP), 0);
    relay.onMessage(T, RelayMessage.accept(0xC0000001, KEY, T_ID), 0);
    assertThat(relay.counters().openCircuits()).isEqualTo(1);
    assertThat(relay.counters().pendingCircuits()).isEqualTo(1);
    RelayOutgoing out = new RelayOutgoing();
    while (relay.pollOutgoing(out)) {
      assertThat(out.to()).isIn(I, T);
    }
    for (PeerRef from : new PeerRef[] {I, T, X}) {
      ByteBuffer in = ByteBuffer.wrap(data);
      relay.handlePayload(from, in, 1);
      assertThat(in.position()).isZero();
      assertThat(in.limit()).isEqualTo(data.length);
    }
    relay.onTimer(Long.MAX_VALUE / 2);
    relay.peerDisconnected(T, 2);
    while (relay.pollOutgoing(out)) {
      assertThat(out.to()).isIn(Set.of(I, T));
      ByteBuffer encoded = ByteBuffer.allocate(RelayCodec.MAX_ENCODED_LENGTH);
      out.encode(encoded);
      assertThat(RelayCodec.parse(encoded.flip()).message()).isEqualTo(out.message());
    }
    RelaySwitch.Counters c = relay.counters();
    assertThat(c.openCircuits() + c.pendingCircuits()).isZero();

    FixedRandom random = new FixedRandom();
    RelayCipher initiator = RelayCipher.initiator(INFO_HASH, I_ID, random);
    RelayCipher target = RelayCipher.target(INFO_HASH, T_ID, initiator.publicKey(), I_ID, random);
    ByteBuffer frame = ByteBuffer.wrap(data);
    RelayCipher.OpenResult r = target.open(frame, ByteBuffer.allocate(RelayCipher.MAX_FRAME));
    assertThat(r.ok()).isFalse(); // forging a frame is not what a fuzzer finds
    assertThat(frame.position()).isZero();
    if (data.length >= RelayMessage.KEY_LENGTH + 20) {
      RelayCipher t =
          RelayCipher.target(
              INFO_HASH,
              T_ID,
              Arrays.copyOf(data, RelayMessage.KEY_LENGTH),
              Arrays.copyOfRange(data, RelayMessage.KEY_LENGTH, RelayMessage.KEY_LENGTH + 20),
              random);
      assertThat(t == null || t.ready()).isTrue();
      assertThat(initiator.complete(Arrays.copyOf(data, RelayMessage.KEY_LENGTH), T_ID))
          .isEqualTo(initiator.ready());
    }
  }
}
