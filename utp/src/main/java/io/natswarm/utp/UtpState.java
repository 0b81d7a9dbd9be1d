package io.natswarm.utp;

/**
 * The states of one µTP connection (BEP 29, "Connection setup" and "Closing"). Legal transitions:
 *
 * <pre>
 * SYN_SENT -----(ST_STATE for the SYN)----------------> CONNECTED
 * SYN_RECEIVED -(first packet after the SYN)----------> CONNECTED
 * CONNECTED ----(shutdownOutput: ST_FIN queued)-------> FIN_SENT
 * CONNECTED / FIN_SENT --(both FINs sent, ours acked, theirs received)--> LINGER
 * LINGER -------(linger time over)--------------------> CLOSED
 * any ----------(abort, ST_RESET, timeout, refusal)---> CLOSED (with an {@link UtpError})
 * </pre>
 *
 * The peer's FIN does not change the state on its own: {@link UtpConnection#read} returns -1 once
 * everything before it was read, and the connection stays writable until our own FIN.
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

  /** True while the application may still write. */
  public boolean canWrite() {
    return this == SYN_RECEIVED || this == CONNECTED;
  }
}
