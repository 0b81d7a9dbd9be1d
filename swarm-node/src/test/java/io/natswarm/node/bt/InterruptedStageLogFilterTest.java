package io.natswarm.node.bt;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.spi.FilterReply;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class InterruptedStageLogFilterTest {
  private final LoggerContext context = new LoggerContext();
  private final InterruptedStageLogFilter filter = new InterruptedStageLogFilter();

  private FilterReply decide(String logger, Throwable t) {
    Logger l = context.getLogger(logger);
    return filter.decide(null, l, Level.ERROR, "Unexpected error during processing", null, t);
  }

  @Test
  void dropsTheStagesInterruptOnly() {
    String stage = InterruptedStageLogFilter.STAGE_LOGGER;
    assertThat(decide(stage, new RuntimeException(new InterruptedException())))
        .isEqualTo(FilterReply.DENY);
    assertThat(decide(stage, new InterruptedException())).isEqualTo(FilterReply.DENY);
    assertThat(
            decide(
                stage,
                new bt.BtException(
                    "Failed to verify torrent data:\n" + new InterruptedException())))
        .as("Bt's check of the data names the interrupt in its message only")
        .isEqualTo(FilterReply.DENY);
    assertThat(decide(stage, new RuntimeException(new IOException("disk full"))))
        .as("a real failure of the stage is still logged")
        .isEqualTo(FilterReply.NEUTRAL);
    assertThat(decide(stage, null)).isEqualTo(FilterReply.NEUTRAL);
    assertThat(decide("bt.other", new RuntimeException(new InterruptedException())))
        .isEqualTo(FilterReply.NEUTRAL);
  }
}
