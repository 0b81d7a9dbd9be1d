package io.natswarm.utp.stream;

/**
 * The application side of a {@link UtpChannel}: one field, guarded by the channel's monitor and
 * changed only through its checked move. Legal moves ({@link #canMoveTo}):
 *
 * <pre>
 * OPEN --------(shutdownOutput)--> OUTPUT_SHUT --(peer's FIN read)--> BOTH_SHUT
 * OPEN --------(peer's FIN read)-> INPUT_ENDED --(shutdownOutput)---> BOTH_SHUT
 * OPEN, OUTPUT_SHUT, INPUT_ENDED, BOTH_SHUT --(connection ended)----> ENDED
 * any but CLOSED and ABORTED --------------(close)------------------> CLOSED
 * any but ABORTED -------------------------(abort)------------------> ABORTED
 * </pre>
 *
 * Once the application closed the channel (CLOSED, ABORTED) the connection may still end; why is
 * kept apart ({@link UtpChannel#error()}), as it is for ENDED.
 */
enum ChannelState {
  /** Both directions open. */
  OPEN,
  /** We shut our output down (a FIN follows the bytes written); reading goes on. */
  OUTPUT_SHUT,
  /** The peer's FIN arrived: reads end with -1 once the buffer is empty; writing goes on. */
  INPUT_ENDED,
  /** Both directions are finished; the connection is closing. */
  BOTH_SHUT,
  /** The connection ended (orderly or not): buffered bytes stay readable, then -1 or the error. */
  ENDED,
  /** The application closed the channel (orderly: written bytes and a FIN still go out). */
  CLOSED,
  /** The application aborted the channel (ST_RESET, every buffer dropped). Terminal. */
  ABORTED;

  boolean canMoveTo(ChannelState next) {
    return switch (this) {
      case OPEN ->
          next == OUTPUT_SHUT
              || next == INPUT_ENDED
              || next == ENDED
              || next == CLOSED
              || next == ABORTED;
      case OUTPUT_SHUT, INPUT_ENDED ->
          next == BOTH_SHUT || next == ENDED || next == CLOSED || next == ABORTED;
      case BOTH_SHUT -> next == ENDED || next == CLOSED || next == ABORTED;
      case ENDED -> next == CLOSED || next == ABORTED;
      case CLOSED -> next == ABORTED;
      case ABORTED -> false;
    };
  }

  boolean appClosed() {
    return this == CLOSED || this == ABORTED;
  }

  boolean outputShut() {
    return this == OUTPUT_SHUT || this == BOTH_SHUT;
  }

  boolean inputEnded() {
    return this == INPUT_ENDED || this == BOTH_SHUT;
  }
}
