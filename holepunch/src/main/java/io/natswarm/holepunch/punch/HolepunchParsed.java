package io.natswarm.holepunch.punch;

import java.util.EnumMap;
import java.util.Map;

/**
 * The result of {@link HolepunchCodec#parse} of a ut_holepunch payload (BEP 55): a message or the
 * reason there is none. Immutable, so any thread may hold one; made on the engine thread.
 *
 * @param message the message, null when the payload is not one
 * @param problem why the payload was refused, null on success
 */
public record HolepunchParsed(HolepunchMessage message, HolepunchProblem problem) {
  private static final Map<HolepunchProblem, HolepunchParsed> PROBLEMS =
      new EnumMap<>(HolepunchProblem.class);

  static {
    for (HolepunchProblem p : HolepunchProblem.values()) {
      PROBLEMS.put(p, new HolepunchParsed(null, p));
    }
  }

  static HolepunchParsed ok(HolepunchMessage m) {
    return new HolepunchParsed(m, null);
  }

  /** One shared instance per problem: refusing a payload allocates nothing. */
  static HolepunchParsed problem(HolepunchProblem p) {
    return PROBLEMS.get(p);
  }

  /** True when a message was parsed. */
  public boolean ok() {
    return message != null;
  }
}
