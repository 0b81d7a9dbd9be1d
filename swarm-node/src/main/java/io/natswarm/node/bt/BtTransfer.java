package io.natswarm.node.bt;

import bt.event.EventSink;
import bt.metainfo.Torrent;
import bt.metainfo.TorrentId;
import bt.net.ConnectionKey;
import bt.peer.IPeerRegistry;
import bt.runtime.BtClient;
import bt.torrent.TorrentSessionState;
import io.natswarm.node.Transfer;
import io.natswarm.node.TransferProgress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One torrent on Bt: its client, its progress snapshots and its completion.
 *
 * <p>Pause and resume (the status page, issue 10): a Bt 1.10 client cannot be started again once
 * stopped, so {@link #pause} stops the client and keeps what resuming needs (the metainfo, the
 * download directory inside the client factory, the application's peers), and {@link #resume}
 * builds a new client for the same torrent into the same directory once Bt has released the old
 * one. Bt checks the pieces on disk when the new client starts, so nothing verified is fetched
 * again. The handle, its completion future and its byte counters span the pauses.
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

  /** Where a transfer is in its life. */
  enum State {
    ACTIVE,
    PAUSED,
    STOPPED
  }

  /** How long {@link #stop} waits for Bt's processing of the torrent to end. */
  static final long STOP_WAIT_MS = 10_000;

  /** How long {@link #resume} waits for Bt to release the paused client's torrent. */
  static final long RELEASE_WAIT_MS = 10_000;

  private final TorrentId id;
  private final Function<Torrent, BtClient> clients; // a new client; null torrent: the magnet's
  private volatile BtClient client;
  private final ProcessingThreads processing;
  private final EventSink events;
  private final BooleanSupplier waitingForData; // Bt's chain of this torrent waits for data
  private volatile ProcessingThreads.Run run = new ProcessingThreads.Run(); // the client's chain
  private volatile State state = State.ACTIVE;
  private volatile Torrent torrent; // null until known (a magnet link's metadata)
  private volatile long downloadedBefore; // bytes of the sessions before the last resume
  private volatile long uploadedBefore;
  private final DirectPeers directPeers;
  private final IPeerRegistry registry;
  private final PeerConnector connector;
  private final Consumer<BtTransfer> onStopped;
  private final CompletableFuture<TransferProgress> completion = new CompletableFuture<>();
  private final AtomicBoolean registered = new AtomicBoolean();
  private volatile TransferProgress progress = TransferProgress.NONE;
  private volatile StorageFailures storageFailures; // null: not watched
  private volatile String knownName; // the metainfo's name when it was given; for the status page

  BtTransfer(
      TorrentId id,
      Torrent torrent,
      Function<Torrent, BtClient> clients,
      ProcessingThreads processing,
      EventSink events,
      BooleanSupplier waitingForData,
      DirectPeers directPeers,
      IPeerRegistry registry,
      PeerConnector connector,
      Consumer<BtTransfer> onStopped) {
    this.connector = connector;
    this.id = id;
    this.torrent = torrent;
    this.clients = clients;
    this.processing = processing;
    this.events = events;
    this.waitingForData = waitingForData;
    this.client = clients.apply(torrent);
    this.directPeers = directPeers;
    this.registry = registry;
    this.onStopped = onStopped;
  }

  /**
   * Ends the transfer, its completion failing with the reason, at the first block that cannot be
   * written (a full disk): Bt alone would ask for the block again forever ({@link
   * StorageFailures}).
   */
  void failOnStorageErrors(StorageFailures failures) {
    failures.listen(id, this::storageFailed);
    storageFailures = failures;
  }

  private void storageFailed(IOException why) {
    if (completion.completeExceptionally(why)) {
      var unused = CompletableFuture.runAsync(this::stop); // not on Bt's data worker
    }
  }

  /** Starts Bt's processing of the torrent. */
  void start() {
    start(client);
  }

  private void start(BtClient c) {
    ProcessingThreads.Run r = new ProcessingThreads.Run();
    run = r;
    processing.startAs(r, () -> startAsync(c));
  }

  private void startAsync(BtClient c) {
    var unused =
        c.startAsync(s -> onState(c, s), PROGRESS_PERIOD_MS)
            .whenComplete(
                (r, t) -> {
                  if (c != client || state == State.PAUSED) {
                    return; // a paused (or replaced) client ended: the transfer goes on
                  }
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

  /**
   * Pauses the transfer: stops its Bt client (its connections close, its pieces stay on disk) and
   * keeps the entry. {@code metadata} is the torrent as Bt knows it now (null while a magnet link's
   * metadata is missing). Idempotent.
   *
   * <p>Bt's processing thread of the torrent is interrupted ({@link ProcessingThreads}): Bt 1.10
   * waits for the last piece, or a magnet link's metadata, without looking at the stop.
   *
   * @return the state after the call: {@link State#PAUSED}, or {@link State#STOPPED} if the
   *     transfer was stopped before
   */
  synchronized State pause(Torrent metadata) {
    if (state != State.ACTIVE) {
      return state;
    }
    if (torrent == null && metadata != null) { // resumed from the metadata, not the magnet link
      torrent = metadata;
      knownName = metadata.getName();
    }
    state = State.PAUSED;
    TransferProgress p = progress;
    downloadedBefore = p.downloadedBytes();
    uploadedBefore = p.uploadedBytes();
    progress =
        new TransferProgress(
            p.piecesTotal(), p.piecesVerified(), p.downloadedBytes(), p.uploadedBytes(), 0, 0, 0);
    closeConnections(); // first: the worker must hear of it before the stop event
    try {
      client.stop();
    } catch (RuntimeException e) {
      LOG.warn("pausing transfer {}: {}", infoHash(), e.toString());
    }
    interruptIfWaitingForData(); // resume waits for the chain's end
    return state;
  }

  /**
   * Resumes a paused transfer: a new Bt client of the same torrent into the same directory, once
   * the paused client's processing chain has ended and {@code released} says Bt has let go of the
   * torrent (its finalizer closes the torrent's files and drops its event listeners a moment after
   * the stop). The application's peers are dialled again. Idempotent.
   *
   * @return the state after the call ({@link State#ACTIVE}, or {@link State#STOPPED})
   * @throws IOException if Bt did not release the paused torrent within {@link #RELEASE_WAIT_MS}
   */
  synchronized State resume(BooleanSupplier released) throws IOException {
    if (state != State.PAUSED) {
      return state;
    }
    long deadline = System.nanoTime() + RELEASE_WAIT_MS * 1_000_000L;
    ProcessingThreads.Run paused = run;
    while (!paused.finished() || !released.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IOException(
            "the paused torrent " + infoHash() + " is still held by the engine; try again");
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while resuming " + infoHash(), e);
      }
    }
    BtClient c = clients.apply(torrent);
    registered.set(false); // the new torrent worker gets the application's peers again
    client = c;
    state = State.ACTIVE;
    start(c);
    return state;
  }

  /**
   * Interrupts Bt's processing thread of the torrent when it waits for pieces or metadata: Bt 1.10
   * waits for the last piece (or a magnet link's metadata) without looking at the stop, and the
   * torrent would stay registered in Bt for good. A complete torrent's chain is left alone: it ends
   * by itself within a second of the stop (Bt's seeding stage polls), and it may be flushing the
   * storage, which an interrupt would break (a verification that completes the torrent between the
   * check and the interrupt is the one window left).
   */
  private void interruptIfWaitingForData() {
    if (waitingForData.getAsBoolean()) {
      run.interrupt();
    }
  }

  /**
   * Closes the torrent's peer connections. Bt deactivates the channel handlers of the connections
   * its own factory made when a torrent stops; ours ({@link StreamChannelHandler#deactivate}) are
   * made by the {@link PeerConnector} and would otherwise stay open, idle, after the stop.
   */
  private void closeConnections() {
    for (StreamPeerConnection c : connector.live()) {
      if (id.equals(c.getTorrentId())) {
        c.closeQuietly();
        // Tell the torrent's worker now, while it still listens: Bt's pool reports a closed
        // connection up to a second later, after the stop event has removed the worker's
        // listeners, and the worker would keep the peer for good. Its message consumer and
        // supplier (Bt's dispatcher never drops them) would then serve the resumed torrent's
        // connection of the same key too, with stale requests: a resumed download stalled.
        events.firePeerDisconnected(new ConnectionKey(c.getRemotePeer(), c.getRemotePort(), id));
      }
    }
  }

  /** Where the transfer is in its life. */
  State state() {
    return state;
  }

  private void onState(BtClient from, TorrentSessionState s) {
    if (from != client || state != State.ACTIVE) {
      return; // the last report of a paused client
    }
    // Before a magnet link's metadata arrives Bt reports 1 piece total, 0 complete.
    int utp = 0;
    int tcp = 0;
    int punched = 0;
    for (StreamPeerConnection c : connector.live()) {
      if (id.equals(c.getTorrentId()) && !c.isClosed()) {
        if (c.stream().transport() == PeerStream.Transport.UTP) {
          utp++;
        } else {
          tcp++;
        }
        if ("holepunch".equals(c.path())) {
          punched++;
        }
      }
    }
    TransferProgress p =
        new TransferProgress(
            s.getPiecesTotal(),
            s.getPiecesComplete(),
            downloadedBefore + s.getDownloaded(),
            uploadedBefore + s.getUploaded(),
            s.getConnectedPeers().size(),
            utp,
            tcp,
            punched);
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

  void knownName(String name) {
    knownName = name;
  }

  String knownName() {
    return knownName;
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
    if (registered.get() && state == State.ACTIVE) { // a paused one dials it when resumed
      registry.addPeer(id, DirectPeers.btPeer(peer));
    }
  }

  @Override
  public void stop() {
    synchronized (this) {
      if (state == State.STOPPED) {
        return;
      }
      state = State.STOPPED;
    }
    closeConnections();
    try {
      client.stop();
    } catch (RuntimeException e) {
      LOG.warn("stopping transfer {}: {}", infoHash(), e.toString());
    }
    interruptIfWaitingForData();
    // Let Bt's processing chain end before the runtime goes: at completion it flushes the storage
    // to disk, and a runtime shut down under it interrupts the fsync (a stack trace at the user of
    // a `get` that succeeded, and files not known to be on disk). The chain's task returns after
    // Bt's finalizer (ProcessingThreads.Run.finished).
    ProcessingThreads.Run r = run;
    long deadline = System.nanoTime() + STOP_WAIT_MS * 1_000_000L;
    try {
      while (!r.finished() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!completion.isDone()) { // a paused client's end was not reported
      completion.completeExceptionally(
          new IOException("transfer " + infoHash() + " stopped before it completed"));
    }
    directPeers.remove(id);
    StorageFailures s = storageFailures;
    if (s != null) {
      s.forget(id);
    }
    onStopped.accept(this);
  }
}
