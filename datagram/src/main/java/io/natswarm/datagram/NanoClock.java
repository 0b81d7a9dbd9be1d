package io.natswarm.datagram;

/**
 * The one source of time for a host (the real endpoint, a service): nanoseconds on a monotonic
 * clock with an arbitrary origin, as {@link System#nanoTime()}. Protocol cores never read a clock;
 * they receive {@code nowNanos} from their host, which reads it from its injected clock — the
 * {@link #SYSTEM} clock in production, a virtual one in netsim and in tests. Compare readings with
 * {@link Deadlines}, never with {@code <}.
 */
@FunctionalInterface
public interface NanoClock {
  /** The JVM's monotonic clock; the only place in the code base that reads it. */
  NanoClock SYSTEM = System::nanoTime;

  long nanoTime();
}
