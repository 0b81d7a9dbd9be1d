package io.natswarm.node.interop;

import io.natswarm.node.Transfer;
import io.natswarm.node.TransferProgress;

/**
 * Watches a transfer's progress on a daemon thread and remembers the most µTP and TCP connections
 * it had at once, so a test can tell which transport carried a transfer.
 */
final class TransportWatch implements AutoCloseable {
  private final Thread thread;
  private volatile boolean open = true;
  private volatile int maxUtp;
  private volatile int maxTcp;

  TransportWatch(Transfer t) {
    thread =
        new Thread(
            () -> {
              while (open) {
                TransferProgress p = t.progress();
                maxUtp = Math.max(maxUtp, p.utpPeers());
                maxTcp = Math.max(maxTcp, p.tcpPeers());
                try {
                  Thread.sleep(5);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "transport-watch");
    thread.setDaemon(true);
    thread.start();
  }

  int maxUtp() {
    return maxUtp;
  }

  int maxTcp() {
    return maxTcp;
  }

  @Override
  public void close() {
    open = false;
    thread.interrupt();
  }
}
