package io.natswarm.node.bt;

import bt.protocol.extended.ExtendedHandshake;
import bt.torrent.annotation.Consumes;
import bt.torrent.messaging.MessageContext;
import java.net.InetAddress;

/**
 * Bt's messaging agent that reads {@code yourip} from each peer's BEP 10 handshake into the node's
 * {@link ExternalAddressVotes}. Public only because Bt invokes agents through {@code
 * MethodHandles.publicLookup()}.
 */
public final class YourIpConsumer {
  private final ExternalAddressVotes votes;

  YourIpConsumer(ExternalAddressVotes votes) {
    this.votes = votes;
  }

  /** A peer's BEP 10 handshake. */
  @Consumes
  public void consume(ExtendedHandshake handshake, MessageContext context) {
    InetAddress seen = HandshakeAddresses.yourIp(handshake);
    if (seen != null) {
      votes.vote(context.getPeer().getInetAddress(), seen);
    }
  }
}
