package io.natswarm.holepunch.punch;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutgoingQueueTest {
  private static final InetSocketAddress EP = new InetSocketAddress("192.0.2.1", 6881);

  private static List<Long> drain(OutgoingQueue q) {
    List<Long> ids = new ArrayList<>();
    Outgoing out = new Outgoing();
    while (q.poll(out)) {
      ids.add(out.to().id());
    }
    return ids;
  }

  @Test
  void keepsOrderAcrossTheWrapAndRemovesOnePeersMessagesOnly() {
    OutgoingQueue q = new OutgoingQueue(4);
    for (long id : new long[] {1, 2, 3}) {
      q.add(new PeerRef(id), MessageType.CONNECT, EP, 0);
    }
    assertThat(drain(q)).containsExactly(1L, 2L, 3L);
    for (long id : new long[] {7, 8, 7, 9}) { // wraps around the end of the arrays
      q.add(new PeerRef(id), MessageType.CONNECT, EP, 0);
    }
    assertThat(q.hasRoom(1)).isFalse();
    q.removeTo(new PeerRef(7));
    assertThat(q.size()).isEqualTo(2);
    assertThat(q.hasRoom(2)).isTrue();
    q.add(new PeerRef(10), MessageType.ERROR, EP, 2);
    assertThat(drain(q)).containsExactly(8L, 9L, 10L);
  }
}
