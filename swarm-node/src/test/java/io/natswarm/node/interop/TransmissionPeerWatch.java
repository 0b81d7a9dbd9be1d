package io.natswarm.node.interop;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Polls Transmission's view of one torrent's peers ({@code torrent-get} field {@code peers}: {@code
 * address}, {@code isUTP}, {@code isEncrypted}) on a daemon thread and remembers every kind of
 * connection it saw, so a test can check which transport and encryption carried the transfer from
 * Transmission's side too.
 */
final class TransmissionPeerWatch implements AutoCloseable {
  private final Thread thread;
  private final Set<String> seen = ConcurrentHashMap.newKeySet();
  private volatile boolean open = true;

  TransmissionPeerWatch(TransmissionDaemon daemon, String hash) {
    thread =
        new Thread(
            () -> {
              while (open) {
                try {
                  for (JsonNode p : daemon.torrent(hash, "peers").path("peers")) {
                    seen.add(
                        p.path("address").asText()
                            + (p.path("isUTP").asBoolean() ? " utp" : " tcp")
                            + (p.path("isEncrypted").asBoolean() ? " encrypted" : " plain"));
                  }
                  Thread.sleep(20);
                } catch (InterruptedException e) {
                  return;
                } catch (java.io.IOException e) {
                  // the daemon is stopping; the test reports what it saw
                }
              }
            },
            "transmission-peers");
    thread.setDaemon(true);
    thread.start();
  }

  /** Every "ADDRESS utp|tcp encrypted|plain" connection seen so far. */
  Set<String> seen() {
    return Set.copyOf(seen);
  }

  @Override
  public void close() {
    open = false;
    thread.interrupt();
  }
}
