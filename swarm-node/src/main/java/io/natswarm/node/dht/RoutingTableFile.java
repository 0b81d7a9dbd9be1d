package io.natswarm.node.dht;

import io.natswarm.dht.routing.NodeId;
import io.natswarm.dht.routing.RoutingTableStore;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * A DHT routing-table file (the {@link RoutingTableStore} format) claimed by one running node: a
 * node reads it when it starts (its nodes seed the bootstrap, its id is reused, so a restarted node
 * keeps its place in the DHT) and writes it when it stops. The claim is an exclusive lock on a
 * sibling {@code .lock} file, so two nodes on one machine with the same settings (say {@code
 * natswarm dht} and {@code natswarm share}) never share a node id or overwrite each other's table:
 * the second gets no claim and keeps no table. Reading and writing go through {@link DhtService}
 * (the bytes are taken on the event loop, the file is written off it).
 */
public final class RoutingTableFile implements Closeable {
  private final Path file;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private RoutingTableFile(Path file, FileChannel lockChannel, FileLock lock) {
    this.file = file;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * Claims {@code file} for this node; empty when another node, in this process or another, holds
   * it.
   *
   * @throws IOException when its directory or lock file cannot be created
   */
  public static Optional<RoutingTableFile> claim(Path file) throws IOException {
    Path abs = file.toAbsolutePath();
    Path dir = abs.getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    Path lockFile = abs.resolveSibling(abs.getFileName() + ".lock");
    FileChannel ch =
        FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      FileLock lock = ch.tryLock();
      if (lock != null) {
        return Optional.of(new RoutingTableFile(file, ch, lock));
      }
    } catch (OverlappingFileLockException e) {
      // held by another node of this process
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
    ch.close();
    return Optional.empty();
  }

  /** The table file. */
  public Path path() {
    return file;
  }

  /**
   * The node id saved with the table, if the file holds a valid table; empty otherwise (a missing,
   * oversized or corrupt file is not an error: the node then starts with a new id).
   */
  public Optional<NodeId> savedNodeId() {
    return savedNodeId(file);
  }

  /** The node id saved in the table file {@code file}, as {@link #savedNodeId()}. */
  public static Optional<NodeId> savedNodeId(Path file) {
    try {
      if (!Files.isRegularFile(file) || Files.size(file) > RoutingTableStore.MAX_BYTES) {
        return Optional.empty();
      }
      RoutingTableStore.Loaded loaded = RoutingTableStore.decode(Files.readAllBytes(file));
      return loaded.problem().isPresent() ? Optional.empty() : loaded.selfId();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * Restores the saved table into {@code service} (its nodes seed the next bootstrap); problems are
   * in the result, as {@link DhtService#loadRoutingTable}.
   */
  public RoutingTableStore.Loaded loadInto(DhtService service) throws IOException {
    return service.loadRoutingTable(file);
  }

  /** Writes {@code service}'s routing table to the file (atomically replacing it). */
  public void saveFrom(DhtService service) throws IOException {
    service.saveRoutingTable(file);
  }

  /** Gives up the claim (the table file stays). Idempotent. */
  @Override
  public void close() throws IOException {
    try {
      if (lock.isValid()) {
        lock.release();
      }
    } finally {
      lockChannel.close();
    }
  }
}
