package io.natswarm.node.bt;

import bt.torrent.annotation.Consumes;
import bt.torrent.messaging.MessageContext;
import java.net.InetSocketAddress;

/**
 * Bt's messaging agent for the BEP 5 PORT message: one instance for every connection, it hands the
 * DHT node a peer names to {@link DhtPeerSource}. Public only because Bt invokes agents through
 * {@code MethodHandles.publicLookup()}.
 */
public final class DhtPortConsumer {
  private final DhtPeerSource source;

  DhtPortConsumer(DhtPeerSource source) {
    this.source = source;
  }

  /** A peer sent its DHT port. */
  @Consumes
  public void consume(DhtPort message, MessageContext context) {
    source.portReceived(new InetSocketAddress(context.getPeer().getInetAddress(), message.port()));
  }
}
