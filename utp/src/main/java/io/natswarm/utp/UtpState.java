package io.natswarm.utp;

/**
 * The states of one µTP connection (BEP 29, "Connection setup" and "Closing"). Every change goes
 * through one checked transition ({@link #canMoveTo}); this is the whole table of legal moves:
 *
 * <pre>
 * SYN_SENT -----(ST_STATE acks our SYN)-------------------------------> CONNECTED
 * SYN_SENT -----(ST_STATE acks our SYN; output already shut down)-----> FIN_SENT
 * SYN_RECEIVED -(first packet from the peer after its SYN)------------> CONNECTED
 * SYN_RECEIVED -(shutdownOutput: ST_FIN queued)-----------------------> FIN_SENT
 * CONNECTED ----(shutdownOutput: ST_FIN queued)-----------------------> FIN_SENT
 * FIN_SENT -----(our FIN acked, and the peer's FIN received or closed)-> LINGER
 * LINGER -------(linger time over)-------------------------------------> CLOSED (NONE)
 * SYN_SENT, SYN_RECEIVED, CONNECTED, FIN_SENT
 *          -----(abort, ST_RESET, timeout, refusal, stack shutdown)----> CLOSED (with a {@link UtpError})
 * </pre>
 *
 * CLOSED is terminal. LINGER only ends in CLOSED, with {@link UtpError#NONE} when the linger time
 * is over or with an error on abort or stack shutdown. The peer's FIN does not change the state on
 * its own: {@link UtpConnection#read} returns -1 once everything before it was read, and the
 * connection stays writable until our own FIN.
 */
public enum UtpState {
  /** We sent a SYN and wait for the peer's ST_STATE. */
  SYN_SENT,
  /** We answered a peer's SYN and have heard nothing else from it yet (half-open). */
  SYN_RECEIVED,
  /** Data flows both ways. */
  CONNECTED,
  /** Our FIN is queued or sent; the peer may still send data. */
  FIN_SENT,
  /** Both directions are finished; we only answer retransmitted FINs until the linger time ends. */
  LINGER,
  /** Finished or failed; see {@link UtpConnection#error()}. Terminal. */
  CLOSED;

  /** Whether the table of legal moves (see the class comment) allows this state to become next. */
  public boolean canMoveTo(UtpState next) {
    return switch (this) {
      case SYN_SENT, SYN_RECEIVED -> next == CONNECTED || next == FIN_SENT || next == CLOSED;
      case CONNECTED -> next == FIN_SENT || next == CLOSED;
      case FIN_SENT -> next == LINGER || next == CLOSED;
      case LINGER -> next == CLOSED;
      case CLOSED -> false;
    };
  }
}
