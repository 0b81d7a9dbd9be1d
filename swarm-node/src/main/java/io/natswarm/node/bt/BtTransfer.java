package io.natswarm.node.bt;

import bt.metainfo.TorrentId;
import bt.peer.IPeerRegistry;
import bt.runtime.BtClient;
import bt.torrent.TorrentSessionState;
import io.natswarm.node.Transfer;
import io.natswarm.node.TransferProgress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One torrent on Bt: its client, its progress snapshots and its completion.
 *
 * <p>Threads: Bt calls {@link #onState} on the client's listener thread every {@link
 * #PROGRESS_PERIOD_MS}; it only copies numbers and, the first time, hands the application's peers
 * to Bt's registry (the torrent's worker exists once Bt reports a state, so they are not lost). The
 * completion future is completed asynchronously, so dependent actions never run on Bt's thread.
 */
final class BtTransfer implements Transfer {
  /** How often Bt reports a session state: the resolution of progress and of completion. */
  static final long PROGRESS_PERIOD_MS = 20;

  private static final Logger LOG = LoggerFactory.getLogger(BtTransfer.class);

  private final TorrentId id;
  private final BtClient client;
  private final DirectPeers directPeers;
  private final IPeerRegistry registry;
  private final PeerConnector connector;
  private final Consumer<BtTransfer> onStopped;
  private final CompletableFuture<TransferProgress> completion = new CompletableFuture<>();
  private final AtomicBoolean registered = new AtomicBoolean();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private volatile TransferProgress progress = TransferProgress.NONE;

  BtTransfer(
      TorrentId id,
      BtClient client,
      DirectPeers directPeers,
      IPeerRegistry registry,
      PeerConnector connector,
      Consumer<BtTransfer> onStopped) {
    this.connector = connector;
    this.id = id;
    this.client = client;
    this.directPeers = directPeers;
    this.registry = registry;
    this.onStopped = onStopped;
  }

  /** Starts Bt's processing of the torrent. */
  void start() {
    var unused =
        client
            .startAsync(this::onState, PROGRESS_PERIOD_MS)
            .whenComplete(
                (r, t) -> {
                  if (!completion.isDone()) {
                    IOException why =
                        t == null
                            ? new IOException(
                                "transfer " + infoHash() + " stopped before it completed")
                            : new IOException("transfer " + infoHash() + " failed: " + t, t);
                    completion.completeExceptionally(why);
                  }
                });
  }

  private void onState(TorrentSessionState s) {
    // Before a magnet link's metadata arrives Bt reports 1 piece total, 0 complete.
    int utp = 0;
    int tcp = 0;
    for (StreamPeerConnection c : connector.live()) {
      if (id.equals(c.getTorrentId()) && !c.isClosed()) {
        if (c.stream().transport() == PeerStream.Transport.UTP) {
          utp++;
        } else {
          tcp++;
        }
      }
    }
    TransferProgress p =
        new TransferProgress(
            s.getPiecesTotal(),
            s.getPiecesComplete(),
            s.getDownloaded(),
            s.getUploaded(),
            s.getConnectedPeers().size(),
            utp,
            tcp);
    progress = p;
    if (registered.compareAndSet(false, true)) {
      directPeers.snapshot(id).forEach(peer -> registry.addPeer(id, peer));
    }
    if (p.complete() && s.getPiecesRemaining() == 0 && !completion.isDone()) {
      var unused = completion.completeAsync(() -> p);
    }
  }

  @Override
  public String infoHash() {
    return Metainfo.hex(id);
  }

  TorrentId torrentId() {
    return id;
  }

  @Override
  public TransferProgress progress() {
    return progress;
  }

  @Override
  public CompletableFuture<TransferProgress> completion() {
    return completion;
  }

  @Override
  public void connect(InetSocketAddress peer) {
    if (peer.isUnresolved()) {
      throw new IllegalArgumentException("peer address is unresolved: " + peer);
    }
    directPeers.add(id, peer);
    if (registered.get()) {
      registry.addPeer(id, DirectPeers.btPeer(peer));
    }
  }

  @Override
  public void stop() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    try {
      client.stop();
    } catch (RuntimeException e) {
      LOG.warn("stopping transfer {}: {}", infoHash(), e.toString());
    }
    directPeers.remove(id);
    onStopped.accept(this);
  }
}
