package io.natswarm.datagram;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Sees every datagram no core consumed, after it was counted (µTP answers packets of unknown
 * connections with ST_RESET, as libtorrent does). What it queues leaves through its own core's
 * {@link DatagramCore#pollTransmit}.
 */
@FunctionalInterface
public interface UnclaimedHandler {
  void handleUnclaimed(ByteBuffer packet, InetSocketAddress from, long nowNanos);
}
