package io.natswarm.dht;

import io.natswarm.datagram.DatagramCore;
import io.natswarm.datagram.Transmit;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Test helper: drains a core's transmits as byte arrays, the way a host would. */
public final class Outbox {
  private Outbox() {}

  /**
   * Polls {@code core} until it has nothing to send; returns the datagrams and, when {@code to} is
   * not null, appends their destinations to it.
   */
  public static List<byte[]> drain(DatagramCore core, long now, List<InetSocketAddress> to) {
    List<byte[]> out = new ArrayList<>();
    Transmit t = Transmit.heap();
    while (true) {
      t.clear();
      if (!core.pollTransmit(t, now)) {
        return out;
      }
      out.add(Arrays.copyOf(t.buffer().array(), t.length()));
      if (to != null) {
        to.add(t.destination());
      }
    }
  }

  /** {@link #drain(DatagramCore, long, List)} without destinations. */
  public static List<byte[]> drain(DatagramCore core, long now) {
    return drain(core, now, null);
  }
}
