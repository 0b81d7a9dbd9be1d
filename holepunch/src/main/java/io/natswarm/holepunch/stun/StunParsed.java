package io.natswarm.holepunch.stun;

/**
 * The result of {@link StunCodec#parse}: a message or the reason there is none.
 *
 * @param message the message, null on error
 * @param error why the bytes were refused, null on success
 */
public record StunParsed(StunMessage message, StunError error) {
  static StunParsed ok(StunMessage m) {
    return new StunParsed(m, null);
  }

  static StunParsed error(StunError e) {
    return new StunParsed(null, e);
  }

  /** True when a message was parsed. */
  public boolean ok() {
    return message != null;
  }
}
