package io.natswarm.holepunch.relay;

/**
 * One circuit {@link RelaySwitch} relays: its two ends and their ids, its state (pending until the
 * target's ACCEPT, then open, then gone; an explicit table of moves), its deadline, and the
 * accounting of its data: each direction's credit and the bytes carried. Mutable; owned by the
 * switch, on the engine thread.
 *
 * <p>Ids follow {@link RelayCodec}'s convention: the initiator opened hop I–R with its CONNECT id
 * (below 2<sup>30</sup>), R opened hop R–T with its INCOMING id (bit 30 set); messages from the
 * side that did not open a hop carry its id with bit 31 set.
 */
final class RelayCircuit {
  /**
   * Bit 31 of a circuit id: set in every message sent by the side of a hop that did not open it.
   */
  static final int REPLY_BIT = 0x80000000;

  /** Bit 30 of a circuit id: set in the ids a relay picks for its INCOMING hops. */
  static final int RELAY_HOP_BIT = 0x40000000;

  /** The bits of an id its opener picks freely. */
  static final int FREE_BITS = 0x3FFFFFFF;

  enum State {
    PENDING,
    OPEN,
    GONE;

    /** The table of legal moves. */
    boolean canBecome(State to) {
      return switch (this) {
        case PENDING -> to == OPEN || to == GONE;
        case OPEN -> to == GONE;
        case GONE -> false;
      };
    }
  }

  final RelayLink initiator;
  final int initiatorId;
  final RelayLink target;
  final int targetId;
  final long createdNanos;
  private long deadlineNanos;
  private State state = State.PENDING;
  private long creditToTarget; // data bytes the initiator may still send
  private long creditToInitiator; // data bytes the target may still send
  private long bytes;

  RelayCircuit(
      RelayLink initiator,
      int initiatorId,
      RelayLink target,
      int targetId,
      long createdNanos,
      long acceptDeadlineNanos) {
    this.initiator = initiator;
    this.initiatorId = initiatorId;
    this.target = target;
    this.targetId = targetId;
    this.createdNanos = createdNanos;
    this.deadlineNanos = acceptDeadlineNanos;
  }

  State state() {
    return state;
  }

  long deadlineNanos() {
    return deadlineNanos;
  }

  /** PENDING to OPEN: each direction gets {@code window} credit; the lifetime deadline applies. */
  void open(int window, long lifetimeDeadlineNanos) {
    transition(State.OPEN);
    creditToTarget = window;
    creditToInitiator = window;
    deadlineNanos = lifetimeDeadlineNanos;
  }

  /** To GONE; returns true when the circuit was still pending (a refusal, not a close). */
  boolean end() {
    boolean pending = state == State.PENDING;
    transition(State.GONE);
    return pending;
  }

  private void transition(State to) {
    if (!state.canBecome(to)) {
      throw new IllegalStateException("relay circuit " + state + " -> " + to);
    }
    state = to;
  }

  /** True when the sender has credit for {@code n} more bytes. */
  boolean hasCredit(boolean fromInitiator, int n) {
    return n <= (fromInitiator ? creditToTarget : creditToInitiator);
  }

  /** True when {@code n} more bytes stay within {@code max} in all. */
  boolean fits(long max, int n) {
    return n <= max - bytes;
  }

  /** Counts {@code n} bytes carried, spending the sender's credit (checked before). */
  void carry(boolean fromInitiator, int n) {
    if (fromInitiator) {
      creditToTarget -= n;
    } else {
      creditToInitiator -= n;
    }
    bytes += n;
  }

  /** A WINDOW from one end: the other end may send {@code credit} more bytes towards it. */
  void grant(boolean fromInitiator, int credit) {
    if (fromInitiator) {
      creditToInitiator = saturatedAdd(creditToInitiator, credit);
    } else {
      creditToTarget = saturatedAdd(creditToTarget, credit);
    }
  }

  private static long saturatedAdd(long a, int b) {
    long sum = a + b;
    return sum < a ? Long.MAX_VALUE : sum;
  }

  /** True when a message from {@code p} with circuit id {@code id} is the initiator's. */
  boolean isInitiatorEnd(RelayLink p, int id) {
    return initiator == p && initiatorId == id;
  }

  /** True when a message from {@code p} with {@code id} is the target's (bit 31 set). */
  boolean isTargetEnd(RelayLink p, int id) {
    return target == p && (targetId | REPLY_BIT) == id;
  }

  /** The id of the messages R sends the initiator: I opened that hop. */
  int toInitiator() {
    return initiatorId | REPLY_BIT;
  }

  /** The id of the messages R sends the target: R opened that hop. */
  int toTarget() {
    return targetId;
  }
}
