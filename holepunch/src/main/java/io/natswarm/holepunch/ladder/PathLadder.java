package io.natswarm.holepunch.ladder;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The connection ladder as data (issue 12, "The ladder"): the rungs in the order they are tried
 * ({@link Settings#order}), and per endpoint a record of the rungs that failed, each postponed for
 * a while that doubles with every consecutive failure ({@link Settings#firstPostpone} up to {@link
 * Settings#maxPostpone}) rather than forgotten or banned: the next time the endpoint is unreachable
 * the ladder goes straight past a rung that failed recently (a hole punch that failed a minute ago
 * will fail again; the relay is asked at once), and tries it again once its time is up. A
 * connection on a rung clears that rung's record.
 *
 * <p>The engine reports what happened ({@link #failed}, {@link #skipped}, {@link #connected}) and
 * is told the next rung to try now, or null when none is left; whether a rung is possible at all at
 * the moment (a peer to ask for a rendezvous or a relay exists) is the engine's {@code possible}
 * predicate. Each decision goes to the tracer as a {@link LadderEvent}.
 *
 * <p>Sans-IO: no clock (every call takes {@code nowNanos}), no I/O, no threads. Not thread-safe;
 * owned by one thread or guarded by its owner's lock. At most {@link Settings#maxEndpoints}
 * endpoints are remembered, the least recently used forgotten first.
 */
public final class PathLadder {
  /**
   * How the ladder is climbed.
   *
   * @param order the rungs, first tried first
   * @param firstPostpone how long a rung that failed once is skipped for the endpoint
   * @param maxPostpone the longest postponement (it doubles with each consecutive failure)
   * @param maxEndpoints endpoints remembered at most
   */
  public record Settings(
      List<Rung> order, Duration firstPostpone, Duration maxPostpone, int maxEndpoints) {
    /** Direct, hole punch, peer relay, TURN; 30 s doubling up to 10 min; 1024 endpoints. */
    public static final Settings DEFAULTS =
        new Settings(
            List.of(Rung.DIRECT, Rung.HOLEPUNCH, Rung.PEER_RELAY, Rung.TURN),
            Duration.ofSeconds(30),
            Duration.ofMinutes(10),
            1024);

    public Settings {
      order = List.copyOf(order);
      if (order.isEmpty() || order.stream().distinct().count() != order.size()) {
        throw new IllegalArgumentException("order must list distinct rungs: " + order);
      }
      if (firstPostpone.isNegative()
          || firstPostpone.isZero()
          || maxPostpone.compareTo(firstPostpone) < 0) {
        throw new IllegalArgumentException(
            "postponements must be positive, max ≥ first: " + firstPostpone + ", " + maxPostpone);
      }
      if (maxEndpoints < 1) {
        throw new IllegalArgumentException("maxEndpoints must be positive: " + maxEndpoints);
      }
    }
  }

  /** One endpoint's failures: per rung, consecutive failures and until when it is postponed. */
  private static final class Failures {
    final Map<Rung, Integer> failures = new EnumMap<>(Rung.class);
    final Map<Rung, Long> until = new EnumMap<>(Rung.class);
  }

  private final Settings settings;
  private final Consumer<LadderEvent> tracer;
  private final LinkedHashMap<InetSocketAddress, Failures> records =
      new LinkedHashMap<>(64, 0.75f, true);

  /** A ladder climbed as {@code settings} say, telling {@code tracer} each decision. */
  public PathLadder(Settings settings, Consumer<LadderEvent> tracer) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.tracer = Objects.requireNonNull(tracer, "tracer");
  }

  /** The settings. */
  public Settings settings() {
    return settings;
  }

  /** The engine is trying {@code rung} for {@code endpoint} now. */
  public void trying(InetSocketAddress endpoint, Rung rung, long nowNanos) {
    tracer.accept(new LadderEvent(endpoint, rung, LadderEvent.Kind.TRYING, "", nowNanos));
  }

  /** Whether {@code rung} failed for {@code endpoint} recently enough to be skipped now. */
  public boolean postponed(InetSocketAddress endpoint, Rung rung, long nowNanos) {
    Failures r = records.get(endpoint);
    if (r == null) {
      return false;
    }
    Long until = r.until.get(rung);
    return until != null && until - nowNanos > 0;
  }

  /**
   * {@code rung} failed for {@code endpoint} because of {@code reason}: it is postponed, and the
   * next rung to try now is returned — the first after it in the order that is neither postponed
   * nor refused by {@code possible} (those are traced as skipped) — or null when none is left
   * (traced as exhausted).
   */
  public Rung failed(
      InetSocketAddress endpoint,
      Rung rung,
      String reason,
      long nowNanos,
      Predicate<Rung> possible) {
    Failures r = record(endpoint);
    int n = r.failures.merge(rung, 1, Integer::sum);
    long postpone = postponeNanos(n);
    r.until.put(rung, nowNanos + postpone);
    tracer.accept(
        new LadderEvent(
            endpoint,
            rung,
            LadderEvent.Kind.FAILED,
            reason + "; postponed " + (postpone / 1_000_000_000L) + " s",
            nowNanos));
    return nextAfter(endpoint, rung, nowNanos, possible);
  }

  /**
   * {@code rung} was not possible for {@code endpoint} now ({@code reason}): not postponed (nothing
   * was learned about the endpoint), and the next rung is returned as by {@link #failed}.
   */
  public Rung skipped(
      InetSocketAddress endpoint,
      Rung rung,
      String reason,
      long nowNanos,
      Predicate<Rung> possible) {
    tracer.accept(new LadderEvent(endpoint, rung, LadderEvent.Kind.SKIPPED, reason, nowNanos));
    return nextAfter(endpoint, rung, nowNanos, possible);
  }

  /** A connection with {@code endpoint} was made on {@code rung}: its failures are forgotten. */
  public void connected(InetSocketAddress endpoint, Rung rung, long nowNanos) {
    Failures r = records.get(endpoint);
    if (r != null) {
      r.failures.remove(rung);
      r.until.remove(rung);
      if (r.failures.isEmpty()) {
        records.remove(endpoint);
      }
    }
    tracer.accept(new LadderEvent(endpoint, rung, LadderEvent.Kind.CONNECTED, "", nowNanos));
  }

  /** Consecutive failures of {@code rung} for {@code endpoint} not yet cleared by a connection. */
  public int failures(InetSocketAddress endpoint, Rung rung) {
    Failures r = records.get(endpoint);
    return r == null ? 0 : r.failures.getOrDefault(rung, 0);
  }

  /** Endpoints with a failure on record. */
  public int endpoints() {
    return records.size();
  }

  private Rung nextAfter(
      InetSocketAddress endpoint, Rung rung, long nowNanos, Predicate<Rung> possible) {
    List<Rung> order = settings.order();
    int at = order.indexOf(rung);
    for (int i = at + 1; i < order.size(); i++) {
      Rung next = order.get(i);
      if (postponed(endpoint, next, nowNanos)) {
        tracer.accept(
            new LadderEvent(
                endpoint,
                next,
                LadderEvent.Kind.SKIPPED,
                "failed recently, postponed for "
                    + Math.max(
                        1, (records.get(endpoint).until.get(next) - nowNanos) / 1_000_000_000L)
                    + " s more",
                nowNanos));
        continue;
      }
      if (!possible.test(next)) {
        tracer.accept(
            new LadderEvent(
                endpoint, next, LadderEvent.Kind.SKIPPED, "not possible now", nowNanos));
        continue;
      }
      return next;
    }
    tracer.accept(
        new LadderEvent(
            endpoint, rung, LadderEvent.Kind.EXHAUSTED, "no way left to try now", nowNanos));
    return null;
  }

  private long postponeNanos(int failures) {
    long max = settings.maxPostpone().toNanos();
    long p = settings.firstPostpone().toNanos();
    for (int i = 1; i < failures && p < max; i++) {
      p = p > max / 2 ? max : p * 2;
    }
    return Math.min(p, max);
  }

  private Failures record(InetSocketAddress endpoint) {
    Failures r = records.get(endpoint);
    if (r == null) {
      if (records.size() >= settings.maxEndpoints()) {
        Iterator<InetSocketAddress> eldest = records.keySet().iterator();
        eldest.next();
        eldest.remove();
      }
      r = new Failures();
      records.put(endpoint, r);
    }
    return r;
  }
}
