package io.natswarm.node.bt;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bt's client executor ({@code @ClientExecutor}, a cached pool as in Bt), which runs each torrent's
 * processing chain on a thread of its own, made so that a stopped torrent's thread can be
 * interrupted.
 *
 * <p>Why: Bt 1.10's {@code ProcessTorrentStage} waits for every piece on a latch and its {@code
 * FetchMetadataStage} for the metadata, neither looking at the torrent's stop; so stopping an
 * incomplete torrent leaves its thread blocked and the torrent registered in Bt until the runtime
 * shuts down, and the same torrent cannot be started again (pause and resume, issue 10).
 * Interrupted, the stage ends with an error and Bt's own finalizer unregisters the torrent.
 *
 * <p>How a chain is told apart: {@code BtClient.startAsync} submits the chain to this executor on
 * the calling thread, so {@link #startAs} attributes the first task submitted during its action to
 * a {@link Run}.
 */
final class ProcessingThreads extends AbstractExecutorService {
  /** One processing chain: the thread running it, while it runs. */
  static final class Run {
    private Thread thread; // guarded by this
    private boolean interrupted; // guarded by this: asked before the chain started
    private boolean finished; // guarded by this

    private synchronized void enter() {
      thread = Thread.currentThread();
      if (interrupted) {
        thread.interrupt();
      }
    }

    private synchronized void leave() {
      thread = null;
      finished = true;
    }

    /**
     * True once the chain's task has returned: Bt's finalizer has run to its end, including the
     * event bus's removal of the torrent's listeners after its stop event (which a new client of
     * the same torrent must not race: it would lose its own listeners).
     */
    synchronized boolean finished() {
      return finished;
    }

    /** Interrupts the chain's thread if it runs (or as soon as it starts); no-op after it ended. */
    synchronized void interrupt() {
      interrupted = true;
      if (thread != null) {
        thread.interrupt();
      }
    }
  }

  private final AtomicInteger threads = new AtomicInteger();
  private final ExecutorService pool =
      Executors.newCachedThreadPool(
          r -> new Thread(r, "natswarm-bt-processing-" + threads.incrementAndGet()));
  private static final ThreadLocal<Run> CLAIM = new ThreadLocal<>(); // during startAs only

  /** Runs {@code start}; the first task it submits here is the chain of {@code run}. */
  void startAs(Run run, Runnable start) {
    CLAIM.set(run);
    try {
      start.run();
    } finally {
      CLAIM.remove();
    }
  }

  @Override
  public void execute(Runnable task) {
    Run run = CLAIM.get();
    if (run == null) {
      pool.execute(task);
      return;
    }
    CLAIM.remove();
    pool.execute(
        () -> {
          run.enter();
          try {
            task.run();
          } finally {
            run.leave();
            boolean unused = Thread.interrupted(); // the pool thread is reused: no stray interrupt
          }
        });
  }

  @Override
  public void shutdown() {
    pool.shutdown();
  }

  @Override
  public List<Runnable> shutdownNow() {
    return pool.shutdownNow();
  }

  @Override
  public boolean isShutdown() {
    return pool.isShutdown();
  }

  @Override
  public boolean isTerminated() {
    return pool.isTerminated();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return pool.awaitTermination(timeout, unit);
  }
}
