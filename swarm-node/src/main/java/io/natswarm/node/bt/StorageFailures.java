package io.natswarm.node.bt;

import bt.metainfo.TorrentId;
import com.google.inject.Inject;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a transfer that writing its data failed (a full disk, a file that became unwritable), so
 * that it can end with that reason instead of asking peers for the same blocks forever.
 *
 * <p>Bt 1.10 logs a failed block write at ERROR with a stack trace ({@code PieceConsumer}) and
 * carries on: the block is requested again, the write fails again, and a download onto a full disk
 * never ends. {@link HashFailureBlame} reports the first write that failed with an I/O error; a
 * block refused because Bt's write queue was full is not a storage failure.
 *
 * <p>Thread-safe; listeners run on Bt's data worker and must not block.
 */
final class StorageFailures {
  private static final Logger LOG = LoggerFactory.getLogger(StorageFailures.class);

  private final Map<TorrentId, Consumer<IOException>> listeners = new ConcurrentHashMap<>();

  @Inject
  StorageFailures() {}

  void listen(TorrentId id, Consumer<IOException> listener) {
    listeners.put(id, listener);
  }

  void forget(TorrentId id) {
    listeners.remove(id);
  }

  /** A block of {@code id} could not be written because of {@code error}, if it is an I/O error. */
  void writeFailed(TorrentId id, Throwable error) {
    String reason = ioReason(error);
    if (reason == null) {
      return;
    }
    Consumer<IOException> l = listeners.remove(id);
    if (l != null) {
      LOG.warn("torrent {}: cannot write to disk: {}", Metainfo.hex(id), reason);
      l.accept(new IOException("cannot write the download to disk: " + reason, error));
    }
  }

  /** The message of the innermost I/O error in {@code t}'s causes, or null if there is none. */
  static String ioReason(Throwable t) {
    String reason = null;
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof IOException) {
        reason = c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName();
      }
    }
    return reason;
  }
}
