package io.natswarm.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A listener in a lab namespace ({@code socat} on a UDP or TCP port, made by {@link
 * KernelLab#listenUdp} or {@link KernelLab#listenTcp}) that collects the lines it receives: what
 * {@link KernelLab#sendUdp} and {@link KernelLab#tcpConnects} sent, if it got through.
 *
 * <p>Its lines are collected on a thread of its own; the accessors may be called from any thread.
 * {@link KernelLab#close()} ends it if the test did not.
 */
public final class LabListener implements AutoCloseable {
  private final Process process;
  private final List<String> lines = new ArrayList<>();
  private final Thread reader;

  LabListener(Process process) {
    this.process = process;
    this.reader = new Thread(this::collect, "LabListener-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  private void collect() {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        synchronized (lines) {
          lines.add(line);
          lines.notifyAll();
        }
      }
    } catch (IOException e) {
      // The process was ended: nothing more to collect.
    }
  }

  /** The lines received so far. */
  public List<String> lines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  /**
   * Waits until {@code line} was received or {@code timeout} passed; true if it was received. Lines
   * that merely contain it do not count.
   */
  public boolean await(String line, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lines) {
      while (!lines.contains(line)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(lines, left);
      }
      return true;
    }
  }

  /** Ends the listener (by its PID). */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "LabListener" + new ArrayList<>(lines());
  }
}
