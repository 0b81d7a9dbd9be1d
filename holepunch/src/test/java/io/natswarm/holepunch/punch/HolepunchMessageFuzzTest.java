package io.natswarm.holepunch.punch;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Set;

/**
 * Jazzer target: any ut_holepunch payload parses to a message or a typed problem, never an
 * exception; a parsed message encodes in BEP 55's full form and parses back to itself; and the
 * relay and initiator cores take any payload without throwing, without moving the buffer, and
 * address what they send only to connected peers; and the punch prober takes any datagram, keeping
 * only a probe's exact 8 bytes.
 */
class HolepunchMessageFuzzTest {
  private static final PeerRef SENDER = new PeerRef(1);
  private static final PeerRef OTHER = new PeerRef(2);
  private static final InetSocketAddress SENDER_EP = new InetSocketAddress("198.51.100.1", 6881);
  private static final InetSocketAddress OTHER_EP = new InetSocketAddress("203.0.113.2", 6881);

  @FuzzTest(maxDuration = "30s")
  void parse(byte[] data) {
    HolepunchParsed p = HolepunchCodec.parse(data);
    assertThat(p.ok()).isEqualTo(p.problem() == null);
    if (p.ok()) {
      HolepunchMessage m = p.message();
      ByteBuffer b = ByteBuffer.allocate(HolepunchCodec.MAX_ENCODED_LENGTH);
      int n = HolepunchCodec.encode(m, b);
      assertThat(n).isEqualTo(m.isIpv6() ? 24 : 12);
      HolepunchParsed again = HolepunchCodec.parse(b.flip());
      assertThat(again.message()).isEqualTo(m);
    }

    PunchRequests initiator = new PunchRequests(PunchRequests.Settings.DEFAULTS);
    Rendezvous relay = new Rendezvous(Rendezvous.Settings.DEFAULTS, initiator);
    relay.peerConnected(SENDER, SENDER_EP, true);
    relay.peerConnected(OTHER, OTHER_EP, new InetSocketAddress("203.0.113.2", 51413), true);
    ByteBuffer in = ByteBuffer.wrap(data);
    relay.handlePayload(SENDER, in, 0);
    assertThat(in.position()).isZero();
    Outgoing out = new Outgoing();
    while (relay.pollOutgoing(out)) {
      assertThat(out.to()).isIn(Set.of(SENDER, OTHER));
    }
    assertThat(initiator.pollOutgoing(out)).isFalse();

    PunchProbes probes = new PunchProbes(PunchProbes.Settings.DEFAULTS);
    ByteBuffer datagram = ByteBuffer.wrap(data);
    boolean consumed = probes.handleDatagram(datagram, OTHER_EP, 0);
    assertThat(datagram.position()).isZero();
    assertThat(consumed)
        .isEqualTo(data.length == PunchProbes.LENGTH && datagram.getLong(0) == PunchProbes.MAGIC);
    assertThat(probes.heardFrom(OTHER_EP, 0)).isEqualTo(consumed);
  }
}
