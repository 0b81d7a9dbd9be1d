package io.natswarm.dht.routing;

import io.natswarm.dht.bencode.BencodeError;
import io.natswarm.dht.bencode.BencodeTape;
import io.natswarm.dht.bencode.BencodeWriter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Saves the routing table to a file and reads it back, so that a restarted node bootstraps from the
 * nodes it knew (then refreshes them). The file is a bencoded dictionary {@code {id, nodes,
 * nodes6}} in compact node format; it is written to a temporary file and moved into place. A
 * missing or corrupt file yields an empty result with a reason, never an exception. Any thread.
 */
public final class RoutingTableStore {
  private static final byte[] K_ID = BencodeWriter.key("id");
  private static final byte[] K_NODES = BencodeWriter.key("nodes");
  private static final byte[] K_NODES6 = BencodeWriter.key("nodes6");
  private static final int MAX_FILE = 1 << 20;

  /** A saved node: id and address. */
  public record SavedNode(NodeId id, InetSocketAddress address) {}

  /**
   * What {@link #load} found: our saved id (if any), the nodes, and the reason the file was ignored
   * when it could not be used (empty when it was fine).
   */
  public record Loaded(Optional<NodeId> selfId, List<SavedNode> nodes, Optional<String> problem) {
    static Loaded problem(String why) {
      return new Loaded(Optional.empty(), List.of(), Optional.of(why));
    }
  }

  private RoutingTableStore() {}

  /** Writes {@code self} and {@code nodes} to {@code file} atomically. */
  public static void save(Path file, NodeId self, List<NodeEntry> nodes) throws IOException {
    List<NodeEntry> v4 = new ArrayList<>();
    List<NodeEntry> v6 = new ArrayList<>();
    for (NodeEntry e : nodes) {
      (e.compact().length == 26 ? v4 : v6).add(e);
    }
    ByteBuffer out = ByteBuffer.allocate(64 + v4.size() * 26 + v6.size() * 38 + 32);
    BencodeWriter.dict(out);
    BencodeWriter.raw(out, K_ID);
    BencodeWriter.string(out, self.toBytes());
    BencodeWriter.raw(out, K_NODES);
    BencodeWriter.stringHeader(out, v4.size() * 26);
    v4.forEach(e -> out.put(e.compact()));
    BencodeWriter.raw(out, K_NODES6);
    BencodeWriter.stringHeader(out, v6.size() * 38);
    v6.forEach(e -> out.put(e.compact()));
    BencodeWriter.end(out);
    Path dir = file.toAbsolutePath().getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(tmp, Arrays.copyOf(out.array(), out.position()));
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Reads a file written by {@link #save}. */
  public static Loaded load(Path file) {
    byte[] data;
    try {
      if (!Files.exists(file)) {
        return Loaded.problem("no saved routing table at " + file);
      }
      if (Files.size(file) > MAX_FILE) {
        return Loaded.problem(file + " is larger than " + MAX_FILE + " bytes; ignored");
      }
      data = Files.readAllBytes(file);
    } catch (IOException e) {
      return Loaded.problem("cannot read " + file + ": " + e.getMessage());
    }
    BencodeTape tape = new BencodeTape(16, 2, MAX_FILE, true);
    BencodeError err = tape.decode(data, 0, data.length);
    if (err != BencodeError.NONE) {
      return Loaded.problem(file + " is corrupt (" + err + "); starting with an empty table");
    }
    int id = tape.getString(0, "id".getBytes(StandardCharsets.US_ASCII));
    if (id < 0 || tape.length(id) != NodeId.LENGTH) {
      return Loaded.problem(file + " has no valid node id; starting with an empty table");
    }
    List<SavedNode> nodes = new ArrayList<>();
    int n4 = tape.getString(0, "nodes".getBytes(StandardCharsets.US_ASCII));
    int n6 = tape.getString(0, "nodes6".getBytes(StandardCharsets.US_ASCII));
    if ((n4 >= 0 && tape.length(n4) % 26 != 0) || (n6 >= 0 && tape.length(n6) % 38 != 0)) {
      return Loaded.problem(file + " has a truncated node list; starting with an empty table");
    }
    if (n4 >= 0) {
      readNodes(data, tape.start(n4), tape.length(n4), 4, nodes);
    }
    if (n6 >= 0) {
      readNodes(data, tape.start(n6), tape.length(n6), 16, nodes);
    }
    return new Loaded(Optional.of(NodeId.of(data, tape.start(id))), nodes, Optional.empty());
  }

  private static void readNodes(byte[] b, int off, int len, int addrLen, List<SavedNode> out) {
    int step = 20 + addrLen + 2;
    for (int p = off; p + step <= off + len; p += step) {
      InetSocketAddress a = compactAddress(b, p + 20, addrLen);
      if (a != null && a.getPort() != 0) {
        out.add(new SavedNode(NodeId.of(b, p), a));
      }
    }
  }

  /** Decodes a compact address ({@code addrLen} address bytes + 2 port bytes), or null. */
  public static InetSocketAddress compactAddress(byte[] b, int off, int addrLen) {
    try {
      InetAddress a = InetAddress.getByAddress(Arrays.copyOfRange(b, off, off + addrLen));
      int port = ((b[off + addrLen] & 0xff) << 8) | (b[off + addrLen + 1] & 0xff);
      return new InetSocketAddress(a, port);
    } catch (UnknownHostException e) {
      return null; // only for a wrong length, which callers rule out
    }
  }
}
