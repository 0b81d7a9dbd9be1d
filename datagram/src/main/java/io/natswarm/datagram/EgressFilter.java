package io.natswarm.datagram;

/**
 * Sees every datagram a core produced, after its {@link DatagramCore#pollTransmit} and before the
 * host sends it, and may rewrite it in place: a TURN client (RFC 8656) wraps what is bound for a
 * peer it relays for into a Send indication or ChannelData toward its server and changes the
 * destination. Set with {@link Demultiplexer#setEgressFilter}; runs on the host's thread, once per
 * datagram, so it must not allocate or block.
 */
@FunctionalInterface
public interface EgressFilter {
  /**
   * Looks at (and may rewrite) {@code out}: the datagram is {@link Transmit#buffer()} [0, position)
   * and goes to {@link Transmit#destination()}. A filter that changes nothing leaves the datagram
   * as the core wrote it.
   */
  void filter(Transmit out, long nowNanos);
}
