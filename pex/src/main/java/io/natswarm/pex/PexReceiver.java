package io.natswarm.pex;

import java.util.Objects;

/**
 * What we accept from one connected peer's ut_pex messages (BEP 11), sans-IO: decodes each message,
 * counts and ignores a malformed one, and enforces the rate rule peers hold each other to: a peer
 * whose message arrives within {@link PexSender#INTERVAL_NANOS} of the sixth before it is flooding
 * (libtorrent disconnects it with "too frequent pex"), and the caller should disconnect it. Every
 * message, malformed or not, counts towards the rate.
 *
 * <p>Owned by the thread that owns the connection. Reads no clock.
 */
public final class PexReceiver {
  /** Messages a peer may send within one interval; one more is a flood. */
  public static final int MESSAGES_PER_INTERVAL = 6;

  private final PexCounters counters;
  private final long[] arrivals = new long[MESSAGES_PER_INTERVAL];
  private int arrived;
  private int oldest;

  /** What a received message means for the connection. */
  public enum Verdict {
    /** A message was decoded: use its peers. */
    ACCEPTED,
    /** The message was malformed: it was counted and is ignored; the connection stays. */
    IGNORED,
    /** The peer sends too often: disconnect it. */
    FLOOD
  }

  /**
   * What one message came to.
   *
   * @param verdict what to do with the connection
   * @param decoded the decoding (null for a flood: a flooding peer's message is not read)
   */
  public record Received(Verdict verdict, PexDecoded decoded) {
    /** The message of an accepted payload. */
    public PexMessage message() {
      return decoded == null ? null : decoded.message();
    }
  }

  /**
   * @param counters where messages, peers learned, malformed messages and floods are counted
   */
  public PexReceiver(PexCounters counters) {
    this.counters = Objects.requireNonNull(counters, "counters");
  }

  /** Takes the payload of one ut_pex message that arrived at {@code nowNanos}. */
  public Received onMessage(byte[] payload, int offset, int length, long nowNanos) {
    if (arrived == MESSAGES_PER_INTERVAL
        && nowNanos - arrivals[oldest] < PexSender.INTERVAL_NANOS) {
      counters.floods++;
      return new Received(Verdict.FLOOD, null);
    }
    if (arrived < MESSAGES_PER_INTERVAL) {
      arrivals[arrived++] = nowNanos;
    } else {
      arrivals[oldest] = nowNanos;
      oldest = (oldest + 1) % MESSAGES_PER_INTERVAL;
    }
    PexDecoded decoded = PexCodec.decode(payload, offset, length);
    if (!decoded.ok()) {
      counters.malformed(decoded.error());
      return new Received(Verdict.IGNORED, decoded);
    }
    counters.messagesReceived++;
    counters.peersLearned += decoded.message().added().size();
    counters.dropsLearned += decoded.message().dropped().size();
    counters.entriesSkipped += decoded.skippedEntries();
    return new Received(Verdict.ACCEPTED, decoded);
  }
}
