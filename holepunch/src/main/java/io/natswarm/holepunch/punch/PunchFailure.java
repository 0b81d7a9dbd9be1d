package io.natswarm.holepunch.punch;

/**
 * Why a rendezvous request of ours ended without a connect message: a BEP 55 error code from the
 * last rendezvous peer asked, no answer in time, or no rendezvous peer left (BEP 55). Immutable;
 * any thread.
 */
public enum PunchFailure {
  /** {@link HolepunchError#NO_SUCH_PEER}. */
  NO_SUCH_PEER(HolepunchError.NO_SUCH_PEER.explanation()),
  /** {@link HolepunchError#NOT_CONNECTED}, from the last of the rendezvous peers tried. */
  NOT_CONNECTED(HolepunchError.NOT_CONNECTED.explanation()),
  /** {@link HolepunchError#NO_SUPPORT}. */
  NO_SUPPORT(HolepunchError.NO_SUPPORT.explanation()),
  /** {@link HolepunchError#NO_SELF}. */
  NO_SELF(HolepunchError.NO_SELF.explanation()),
  /** An error code BEP 55 does not define, from the last of the rendezvous peers tried. */
  UNKNOWN_ERROR(HolepunchError.UNKNOWN.explanation()),
  /** The last rendezvous peer tried did not answer in time. */
  TIMED_OUT("no rendezvous peer answered in time"),
  /** The rendezvous peers disconnected before answering. */
  RENDEZVOUS_GONE("the rendezvous peers disconnected before answering");

  private final String explanation;

  PunchFailure(String explanation) {
    this.explanation = explanation;
  }

  /** A sentence a person understands. */
  public String explanation() {
    return explanation;
  }

  static PunchFailure of(HolepunchError error) {
    return switch (error) {
      case NO_SUCH_PEER -> NO_SUCH_PEER;
      case NOT_CONNECTED -> NOT_CONNECTED;
      case NO_SUPPORT -> NO_SUPPORT;
      case NO_SELF -> NO_SELF;
      case UNKNOWN -> UNKNOWN_ERROR;
    };
  }
}
