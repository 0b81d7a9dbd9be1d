package io.natswarm.node.bt;

import java.io.IOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's peer I/O thread: one {@link Selector} for its TCP listener and TCP peer streams, and a
 * task queue through which µTP readiness (reported on the UDP event loop, where Bt must not be
 * called) and every other thread reach it. It blocks in {@code select} until a channel is ready or
 * a task arrives; a burst of tasks costs one wake-up.
 *
 * <p>This replaces Bt's {@code DataReceivingLoop}, which sleeps 1 ms whenever a buffer is full, and
 * Bt's {@code SharedSelector}, which can stall (DESIGN.md, "Bt").
 */
final class PeerIoLoop implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PeerIoLoop.class);

  private final Selector selector;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final PriorityQueue<Timed> timers = new PriorityQueue<>(); // loop thread only
  private long timerSeq; // loop thread only
  private final Thread thread;
  private volatile boolean open = true;

  /**
   * Set by the first producer after the loop last looked at the queue; cleared by the loop before
   * it looks again. A producer that finds it set knows the loop will look at the queue before it
   * blocks. (A first version woke the selector only when the queue looked empty: a task added just
   * after the loop drained the queue then waited for the next event, and a µTP download stalled
   * with every readiness report queued behind it.)
   */
  private final AtomicBoolean wakeupPending = new AtomicBoolean();

  PeerIoLoop(String name) throws IOException {
    this.selector = Selector.open();
    this.thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Runs {@code task} on the loop thread (soon, in submission order). */
  void execute(Runnable task) {
    tasks.add(task);
    if (Thread.currentThread() != thread && wakeupPending.compareAndSet(false, true)) {
      selector.wakeup();
    }
  }

  /** Runs {@code task} on the loop thread once {@code delayMillis} have passed. */
  void schedule(Runnable task, long delayMillis) {
    long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis);
    execute(() -> timers.add(new Timed(due, timerSeq++, task)));
  }

  private record Timed(long due, long seq, Runnable task) implements Comparable<Timed> {
    @Override
    public int compareTo(Timed o) {
      int c = Long.compare(due - o.due, 0);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  boolean inLoop() {
    return Thread.currentThread() == thread;
  }

  /**
   * On the loop: registers {@code channel} (non-blocking) with {@code ops}; {@code ready} receives
   * the ready operations on the loop.
   */
  SelectionKey register(SelectableChannel channel, int ops, IntConsumer ready) throws IOException {
    if (!inLoop()) {
      throw new IllegalStateException("register only on the peer I/O loop");
    }
    return channel.register(selector, ops, ready);
  }

  private void run() {
    while (open) {
      try {
        wakeupPending.set(false);
        long waitMillis = nextTimerMillis();
        if (!tasks.isEmpty() || waitMillis == 0) {
          selector.selectNow();
        } else {
          selector.select(waitMillis < 0 ? 0 : waitMillis);
        }
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
          SelectionKey k = it.next();
          it.remove();
          if (!k.isValid()) {
            continue;
          }
          int ready;
          try {
            ready = k.readyOps();
          } catch (java.nio.channels.CancelledKeyException e) {
            continue;
          }
          guarded(() -> ((IntConsumer) k.attachment()).accept(ready));
        }
        Runnable r;
        while ((r = tasks.poll()) != null) {
          guarded(r);
        }
        long now = System.nanoTime();
        while (!timers.isEmpty() && timers.peek().due() - now <= 0) {
          guarded(timers.poll().task());
        }
      } catch (ClosedSelectorException e) {
        return;
      } catch (IOException e) {
        LOG.error("peer I/O loop: select failed", e);
        return;
      }
    }
  }

  /** Milliseconds to the next timer: -1 for none, 0 if one is due. */
  private long nextTimerMillis() {
    Timed t = timers.peek();
    if (t == null) {
      return -1;
    }
    long left = t.due() - System.nanoTime();
    return left <= 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(left));
  }

  private static void guarded(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.warn("peer I/O loop: task failed", e);
    }
  }

  @Override
  public void close() {
    open = false;
    selector.wakeup();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      selector.close();
    } catch (IOException e) {
      LOG.debug("closing the peer I/O selector", e);
    }
  }
}
