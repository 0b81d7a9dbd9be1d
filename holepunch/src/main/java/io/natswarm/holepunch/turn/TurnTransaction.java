package io.natswarm.holepunch.turn;

import io.natswarm.datagram.Deadlines;
import io.natswarm.holepunch.stun.TransactionId;

/**
 * One request of a {@link TurnClient} and its retransmission timer (RFC 8489 section 6.2.1 over
 * UDP): sent at 0, then after RTO = 500 ms, doubling each time (0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5
 * s: Rc = 7 transmissions), and given up {@code Rm} x RTO = 8 s after the last, 39.5 s after the
 * first. A request answered with 401 or 438 is sent again as a new transaction ({@link #renew}).
 *
 * <p>Owned by its client's thread.
 */
final class TurnTransaction {
  /** What the request is for. */
  enum Kind {
    /** Allocate (RFC 8656 section 7.1). */
    ALLOCATE(TurnMessage.ALLOCATE_REQUEST),
    /** Refresh with the allocation's lifetime (section 7.3). */
    REFRESH(TurnMessage.REFRESH_REQUEST),
    /** Refresh with LIFETIME 0: delete the allocation, sent once (section 7.3). */
    DELETE(TurnMessage.REFRESH_REQUEST),
    /** CreatePermission for one address (section 9.1). */
    PERMISSION(TurnMessage.CREATE_PERMISSION_REQUEST),
    /** ChannelBind of one peer endpoint (section 12.1). */
    CHANNEL_BIND(TurnMessage.CHANNEL_BIND_REQUEST);

    final int requestType;

    Kind(int requestType) {
      this.requestType = requestType;
    }

    /** Whether {@code type} is a success or error response to this kind's request. */
    boolean answeredBy(int type) {
      return type == (requestType | 0x0100) || type == (requestType | 0x0110);
    }
  }

  /** RTO: the first retransmission timeout (RFC 8489 section 6.2.1). */
  static final long RTO_NANOS = 500_000_000L;

  /** Rc: transmissions of a request. */
  static final int MAX_TRANSMISSIONS = 7;

  /** Rm x RTO: the wait after the last transmission. */
  static final long LAST_WAIT_NANOS = 16 * RTO_NANOS;

  /** How long after its first transmission an unanswered request is given up: 39.5 s. */
  static final long GIVE_UP_NANOS =
      ((1L << (MAX_TRANSMISSIONS - 1)) - 1) * RTO_NANOS + LAST_WAIT_NANOS;

  final Kind kind;
  final RelayTable.Permission permission;
  final RelayTable.Route route;
  final int lifetime;
  TransactionId id;
  boolean authenticated;
  int staleNonces;
  int sent;
  boolean due = true;
  long deadline = Deadlines.NONE;

  TurnTransaction(
      Kind kind,
      TransactionId id,
      boolean authenticated,
      RelayTable.Permission permission,
      RelayTable.Route route,
      int lifetime) {
    this.kind = kind;
    this.id = id;
    this.authenticated = authenticated;
    this.permission = permission;
    this.route = route;
    this.lifetime = lifetime;
  }

  /** Whether the request's permission or route was dropped, or its request replaced, meanwhile. */
  boolean orphaned() {
    return (permission != null && (permission.removed || permission.pending != this))
        || (route != null && (route.removed || route.pending != this));
  }

  /** Whether {@code idHigh}/{@code idLow} is this request's transaction id. */
  boolean matches(long idHigh, int idLow) {
    return id.high() == idHigh && id.low() == idLow;
  }

  /** Records a transmission at {@code now} and sets the next deadline. */
  void transmitted(long now) {
    sent++;
    due = false;
    if (kind == Kind.DELETE || sent >= MAX_TRANSMISSIONS) {
      deadline = now + LAST_WAIT_NANOS;
    } else {
      deadline = now + (RTO_NANOS << (sent - 1));
    }
  }

  /** Whether no transmission is left: at the deadline the request is given up. */
  boolean exhausted() {
    return kind == Kind.DELETE ? sent >= 1 : sent >= MAX_TRANSMISSIONS;
  }

  /** Starts again as a new transaction (after a 401 or 438 challenge). */
  void renew(TransactionId newId, boolean withCredentials) {
    id = newId;
    authenticated = withCredentials;
    sent = 0;
    due = true;
    deadline = Deadlines.NONE;
  }
}
