package io.natswarm.holepunch.punch;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One ut_holepunch message (BEP 55, "Protocol Extension"): a type, an endpoint (IPv4 or IPv6
 * address and port) and, in an error message, the error code. Immutable; made by the engine thread
 * or by {@link HolepunchCodec#parse}.
 *
 * <p>The address type on the wire follows the address: an {@link Inet6Address} is sent as IPv6
 * ({@code addr_type} 1), anything else as IPv4. Port 0 and useless addresses are representable
 * because they arrive on the wire; {@link Rendezvous} answers them with {@link
 * HolepunchError#NO_SUCH_PEER} and {@link PunchRequests} ignores a connect to them.
 *
 * @param type the message type
 * @param endpoint the target (rendezvous), the peer to connect to (connect) or the target of the
 *     refused rendezvous (error); a resolved address
 * @param errorCode the raw {@code err_code}, an unsigned 32-bit value; 0 unless {@code type} is
 *     {@link MessageType#ERROR}
 */
public record HolepunchMessage(MessageType type, InetSocketAddress endpoint, int errorCode) {
  public HolepunchMessage {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(endpoint, "endpoint");
    if (endpoint.isUnresolved()) {
      throw new IllegalArgumentException("unresolved endpoint " + endpoint);
    }
    if (type != MessageType.ERROR && errorCode != 0) {
      throw new IllegalArgumentException(type + " carries error code 0, not " + errorCode);
    }
  }

  /** Asks a relay to introduce us to {@code target}. */
  public static HolepunchMessage rendezvous(InetSocketAddress target) {
    return new HolepunchMessage(MessageType.RENDEZVOUS, target, 0);
  }

  /** Tells a peer to connect to {@code peer}. */
  public static HolepunchMessage connect(InetSocketAddress peer) {
    return new HolepunchMessage(MessageType.CONNECT, peer, 0);
  }

  /** Refuses a rendezvous for {@code target}; BEP 55 asks for the request's endpoint unchanged. */
  public static HolepunchMessage error(InetSocketAddress target, HolepunchError error) {
    if (error == HolepunchError.UNKNOWN) {
      throw new IllegalArgumentException("UNKNOWN is not an error code to send");
    }
    return new HolepunchMessage(MessageType.ERROR, target, error.code());
  }

  /** True when the address is IPv6 ({@code addr_type} 1). */
  public boolean isIpv6() {
    return endpoint.getAddress() instanceof Inet6Address;
  }

  /**
   * The error an error message reports ({@link HolepunchError#UNKNOWN} for a code BEP 55 does not
   * define); null for rendezvous and connect messages.
   */
  public HolepunchError error() {
    return type == MessageType.ERROR ? HolepunchError.ofCode(errorCode) : null;
  }

  /** Bytes {@link HolepunchCodec#encode} writes: 12 (IPv4) or 24 (IPv6). */
  public int encodedLength() {
    return HolepunchCodec.fullLength(isIpv6());
  }
}
