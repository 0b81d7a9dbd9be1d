package io.natswarm.node.bt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The peer I/O loop runs every task handed to it, with no other event to wake it. */
@Timeout(60)
class PeerIoLoopTest {
  /**
   * The regression of the lost wake-up: each task is handed over while the loop may be draining its
   * queue, and nothing else (no channel, no timer) would ever wake it. With the first version one
   * of these hand-overs waited forever.
   */
  @Test
  void everyTaskRunsWithoutAnyOtherEvent() throws Exception {
    try (PeerIoLoop loop = new PeerIoLoop("test-peer-io")) {
      for (int i = 0; i < 20_000; i++) {
        CountDownLatch ran = new CountDownLatch(2);
        loop.execute(ran::countDown);
        loop.execute(ran::countDown);
        assertThat(ran.await(10, TimeUnit.SECONDS)).as("tasks of round " + i).isTrue();
      }
    }
  }

  @Test
  void scheduledTasksRunInDueOrderOnTheLoop() throws Exception {
    try (PeerIoLoop loop = new PeerIoLoop("test-peer-io")) {
      AtomicInteger order = new AtomicInteger();
      int[] seen = new int[2];
      boolean[] onLoop = new boolean[2];
      CountDownLatch done = new CountDownLatch(2);
      loop.schedule(
          () -> {
            seen[1] = order.incrementAndGet();
            onLoop[1] = loop.inLoop();
            done.countDown();
          },
          60);
      loop.schedule(
          () -> {
            seen[0] = order.incrementAndGet();
            onLoop[0] = loop.inLoop();
            done.countDown();
          },
          5);
      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(seen).containsExactly(1, 2);
      assertThat(onLoop).containsExactly(true, true);
    }
  }
}
