package io.natswarm.node.bt;

import bt.protocol.KeepAlive;
import java.util.concurrent.ForkJoinPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One BEP 3 keep-alive a second after an outgoing connection is established, so that a peer that
 * left our first messages unread gets a reason to read again.
 *
 * <p>Transmission 3.00, receiving an MSE connection (the Message Stream Encryption spec, step 4),
 * sends its BitTorrent handshake together with padD, so Bt answers with its handshake, extended
 * handshake (BEP 10) and bitfield at once, and over µTP these can reach Transmission in one read.
 * Transmission parses the handshake from that read and leaves the rest in its buffer until more
 * bytes arrive; our bitfield is never seen, Transmission never becomes interested, and the
 * connection idles until the 60 s keep-alive (TransmissionInteropTest, "Transmission downloads from
 * natswarm", µTP encrypted: 1 run in 4 stalled before this). The keep-alive costs 4 bytes. It is
 * sent off the I/O loop because {@code postMessage} may wait for room in the outbound buffer.
 */
final class HandshakeNudge {
  static final long DELAY_MILLIS = 1_000;
  private static final Logger LOG = LoggerFactory.getLogger(HandshakeNudge.class);

  private HandshakeNudge() {}

  /** Sends one keep-alive on {@code connection} {@link #DELAY_MILLIS} from now. */
  static void schedule(PeerIoLoop loop, StreamPeerConnection connection) {
    loop.schedule(() -> ForkJoinPool.commonPool().execute(() -> send(connection)), DELAY_MILLIS);
  }

  private static void send(StreamPeerConnection connection) {
    try {
      connection.postMessage(KeepAlive.instance());
    } catch (RuntimeException e) {
      LOG.debug("no keep-alive after the handshake: {}", e.toString()); // closed meanwhile
    }
  }
}
