package io.natswarm.holepunch.punch;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A reusable holder of one ut_holepunch message to send (BEP 55) and the connection to send it on,
 * filled by {@link Rendezvous#pollOutgoing} and {@link PunchRequests#pollOutgoing} so that draining
 * them allocates nothing per message. Mutable; owned by the engine thread that drains the queues.
 */
public final class Outgoing {
  PeerRef to;
  MessageType type;
  InetSocketAddress endpoint;
  int errorCode;

  /** The connection to send the message on. */
  public PeerRef to() {
    return to;
  }

  /** The message type. */
  public MessageType type() {
    return type;
  }

  /** The endpoint in the message. */
  public InetSocketAddress endpoint() {
    return endpoint;
  }

  /** The raw error code; 0 unless an error message. */
  public int errorCode() {
    return errorCode;
  }

  /**
   * Writes the payload (BEP 55's full form) into {@code out}; see {@link HolepunchCodec#encode}.
   */
  public int encode(ByteBuffer out) {
    return HolepunchCodec.encode(type, endpoint, errorCode, out);
  }

  /** The message as a value (allocates; for tests and logs). */
  public HolepunchMessage message() {
    return new HolepunchMessage(type, endpoint, errorCode);
  }

  void set(PeerRef to, MessageType type, InetSocketAddress endpoint, int errorCode) {
    this.to = to;
    this.type = type;
    this.endpoint = endpoint;
    this.errorCode = errorCode;
  }

  @Override
  public String toString() {
    return "Outgoing[to=" + to + ", " + type + " " + endpoint + " code " + errorCode + "]";
  }
}
