package io.natswarm.holepunch.relay;

import io.natswarm.holepunch.punch.PeerRef;
import java.nio.ByteBuffer;

/**
 * A reusable holder of one ns_relay message to send and the connection to send it on, filled by
 * {@link RelaySwitch#pollOutgoing}, so that draining the switch allocates no holder per message.
 * Mutable; owned by the engine thread that drains the switch.
 */
public final class RelayOutgoing {
  private PeerRef to;
  private RelayMessage message;

  /** The connection to send the message on; null before the first poll. */
  public PeerRef to() {
    return to;
  }

  /** The message to send; null before the first poll. */
  public RelayMessage message() {
    return message;
  }

  /**
   * Writes the payload (after the BEP 10 extended message header) into {@code out}; see {@link
   * RelayCodec#encode(RelayMessage, ByteBuffer)}.
   */
  public int encode(ByteBuffer out) {
    return RelayCodec.encode(message, out);
  }

  void set(PeerRef to, RelayMessage message) {
    this.to = to;
    this.message = message;
  }

  @Override
  public String toString() {
    return "RelayOutgoing[to=" + to + ", " + message + "]";
  }
}
