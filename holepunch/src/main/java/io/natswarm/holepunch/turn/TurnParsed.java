package io.natswarm.holepunch.turn;

/**
 * The result of {@link TurnCodec#parse}: a message or the reason there is none.
 *
 * @param message the message, null on error
 * @param error why the bytes were refused, null on success
 */
public record TurnParsed(TurnMessage message, TurnError error) {
  static TurnParsed ok(TurnMessage m) {
    return new TurnParsed(m, null);
  }

  static TurnParsed error(TurnError e) {
    return new TurnParsed(null, e);
  }

  /** True when a message was parsed. */
  public boolean ok() {
    return message != null;
  }
}
