package io.natswarm.holepunch.relay;

import java.util.EnumMap;
import java.util.Map;

/**
 * The result of {@link RelayCodec#parse} of an ns_relay payload: a message or the reason there is
 * none. Immutable, so any thread may hold one; made on the engine thread.
 *
 * @param message the message, null when the payload is not one
 * @param problem why the payload was refused, null on success
 */
public record RelayParsed(RelayMessage message, RelayProblem problem) {
  private static final Map<RelayProblem, RelayParsed> PROBLEMS = new EnumMap<>(RelayProblem.class);

  static {
    for (RelayProblem p : RelayProblem.values()) {
      PROBLEMS.put(p, new RelayParsed(null, p));
    }
  }

  static RelayParsed ok(RelayMessage m) {
    return new RelayParsed(m, null);
  }

  /** One shared instance per problem: refusing a payload allocates nothing. */
  static RelayParsed problem(RelayProblem p) {
    return PROBLEMS.get(p);
  }

  /** True when a message was parsed. */
  public boolean ok() {
    return message != null;
  }
}
