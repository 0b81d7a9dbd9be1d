package io.natswarm.pex;

import java.util.EnumMap;
import java.util.Map;

/**
 * The one place PEX counters live: one instance per torrent (or node), shared by its connections'
 * {@link PexSender}s and {@link PexReceiver}s and incremented on the thread that owns them; it
 * leaves that thread only as an immutable {@link Snapshot}.
 */
public final class PexCounters {
  long messagesSent;
  long peersAdvertised;
  long dropsAdvertised;
  long messagesReceived;
  long peersLearned;
  long dropsLearned;
  long entriesSkipped;
  long floods;
  private final EnumMap<PexError, Long> malformed = new EnumMap<>(PexError.class);

  void malformed(PexError error) {
    malformed.merge(error, 1L, Long::sum);
  }

  /** An immutable copy; call on the owning thread. */
  public Snapshot snapshot() {
    return new Snapshot(
        messagesSent,
        peersAdvertised,
        dropsAdvertised,
        messagesReceived,
        peersLearned,
        dropsLearned,
        entriesSkipped,
        floods,
        Map.copyOf(malformed));
  }

  /**
   * PEX counters at one moment.
   *
   * @param messagesSent ut_pex messages we sent
   * @param peersAdvertised added entries we sent
   * @param dropsAdvertised dropped entries we sent
   * @param messagesReceived messages received and decoded
   * @param peersLearned added entries received
   * @param dropsLearned dropped entries received
   * @param entriesSkipped received entries left out because they cannot be dialled
   * @param floods peers that sent a message too soon after six others (disconnected)
   * @param malformed messages ignored, by why
   */
  public record Snapshot(
      long messagesSent,
      long peersAdvertised,
      long dropsAdvertised,
      long messagesReceived,
      long peersLearned,
      long dropsLearned,
      long entriesSkipped,
      long floods,
      Map<PexError, Long> malformed) {

    /** Malformed messages of every kind. */
    public long malformedTotal() {
      return malformed.values().stream().mapToLong(Long::longValue).sum();
    }
  }
}
