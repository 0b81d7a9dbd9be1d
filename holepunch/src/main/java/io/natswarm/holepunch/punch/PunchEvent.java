package io.natswarm.holepunch.punch;

import java.net.InetSocketAddress;

/**
 * What {@link PunchRequests} tells the node (BEP 55: "upon receiving the connect message, each peer
 * initiates a uTP connection to the other peer"). Immutable; handed out on the engine thread.
 */
public sealed interface PunchEvent {
  /**
   * Connect to {@code endpoint} now: a rendezvous peer sent us connect. Both sides of a rendezvous
   * get one, so it comes for requests of ours and for requests of the other side.
   *
   * @param endpoint the peer to connect to, as the rendezvous peer sees it
   * @param rendezvous the connection the connect message came on
   * @param initiatedByUs true when it answers a request of ours, false when the other side asked
   */
  record PunchNow(InetSocketAddress endpoint, PeerRef rendezvous, boolean initiatedByUs)
      implements PunchEvent {}

  /**
   * A request of ours ended without a connect.
   *
   * @param target the endpoint we asked to be introduced to
   * @param failure why
   * @param lastRendezvous the rendezvous peer asked last
   */
  record RequestFailed(InetSocketAddress target, PunchFailure failure, PeerRef lastRendezvous)
      implements PunchEvent {}
}
