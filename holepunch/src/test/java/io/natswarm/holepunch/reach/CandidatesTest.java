package io.natswarm.holepunch.reach;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.holepunch.portmap.PortMapping;
import io.natswarm.holepunch.portmap.Protocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class CandidatesTest {
  private static InetAddress ip(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void priorityFollowsRfc8445Formula() {
    // 126 << 24 + 65535 << 8 + 255, the largest host priority
    assertThat(Candidate.priorityOf(CandidateType.HOST, 65535)).isEqualTo(2_130_706_431L);
    assertThat(Candidate.priorityOf(CandidateType.RELAYED, 0)).isEqualTo(255L);
  }

  @Test
  void gathersHostMappedAndReflexiveInPriorityOrderWithoutRedundancy() {
    List<Candidate> c =
        Candidates.gather(
            6881,
            List.of(ip("10.0.1.2"), ip("2001:db8:1::2"), ip("fe80::1"), ip("127.0.0.1")),
            List.of(
                new ExternalAddress(ip("203.0.113.11"), 6881, "STUN"),
                new ExternalAddress(ip("203.0.113.11"), 0, "peers"),
                new ExternalAddress(ip("10.0.1.2"), 6881, "a LAN peer")),
            List.of(
                new PortMapping(
                    Protocol.TCP,
                    6881,
                    new InetSocketAddress(ip("203.0.113.11"), 6881),
                    0,
                    0,
                    "PCP")));
    assertThat(c)
        .extracting(x -> x.type().label() + " " + x.transport() + " " + x.address())
        .containsExactly(
            "host UTP /[2001:db8:1:0:0:0:0:2]:6881",
            "host TCP /[2001:db8:1:0:0:0:0:2]:6881",
            "host UTP /10.0.1.2:6881",
            "host TCP /10.0.1.2:6881",
            "mapped TCP /203.0.113.11:6881",
            "srflx UTP /203.0.113.11:6881");
    assertThat(c).isSortedAccordingTo((a, b) -> Long.compare(b.priority(), a.priority()));
  }

  @Test
  void loopbackCountsWhenItIsAllThereIs() {
    List<Candidate> c = Candidates.gather(7000, List.of(ip("127.0.0.1")), List.of(), List.of());
    assertThat(c).hasSize(2).allMatch(x -> x.type() == CandidateType.HOST);
  }
}
