package io.natswarm.node.bt;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Drops the one error Bt logs when the node interrupts a stopped torrent's processing thread
 * ({@link ProcessingThreads}: pause, remove, a download's timeout): Bt's {@code
 * TerminateOnErrorProcessingStage} logs "Unexpected error during processing" at ERROR with the
 * {@link InterruptedException}'s whole stack trace (or, when the thread was checking the data on
 * disk, a {@code BtException} that names it), at the user of {@code natswarm get} whose download
 * simply timed out. Any other error of that stage is still logged (and the transfer's completion
 * fails with it).
 */
public final class InterruptedStageLogFilter extends TurboFilter {
  static final String STAGE_LOGGER = "bt.processor.TerminateOnErrorProcessingStage";

  @Override
  public FilterReply decide(
      Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (t == null || logger == null || !STAGE_LOGGER.equals(logger.getName())) {
      return FilterReply.NEUTRAL;
    }
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof InterruptedException) {
        return FilterReply.DENY;
      }
      // Bt's check of the data on disk reports an interrupt in its message only ("Failed to
      // verify torrent data:" and the InterruptedException's text), without it as the cause.
      String m = c.getMessage();
      if (m != null && m.contains(InterruptedException.class.getName())) {
        return FilterReply.DENY;
      }
    }
    return FilterReply.NEUTRAL;
  }
}
