package io.natswarm.holepunch.turn;

/**
 * Where a {@link TurnClient}'s one allocation (RFC 8656 section 2.2) stands. The legal moves are
 * {@link #canMoveTo}'s table; nothing leaves {@link #CLOSED}, and {@link #FAILED} only closes (a
 * new attempt is a new client).
 */
public enum TurnState {
  /** Made, not started. */
  IDLE,
  /** An Allocate request is out (RFC 8656 section 7.1), perhaps after a 401 or 438 challenge. */
  ALLOCATING,
  /** The server granted a relayed address, kept alive by Refresh requests (section 7.3). */
  ALLOCATED,
  /** The allocation was refused, not answered, or lost; {@link TurnClient#failure()} says why. */
  FAILED,
  /** Closed by the node (the allocation was deleted, best effort). */
  CLOSED;

  /** Whether a client in this state may move to {@code next}. */
  public boolean canMoveTo(TurnState next) {
    return switch (this) {
      case IDLE -> next == ALLOCATING || next == CLOSED;
      case ALLOCATING -> next == ALLOCATED || next == FAILED || next == CLOSED;
      case ALLOCATED -> next == FAILED || next == CLOSED;
      case FAILED -> next == CLOSED;
      case CLOSED -> false;
    };
  }
}
