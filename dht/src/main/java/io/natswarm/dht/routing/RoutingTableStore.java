package io.natswarm.dht.routing;

import io.natswarm.dht.bencode.BencodeError;
import io.natswarm.dht.bencode.BencodeTape;
import io.natswarm.dht.bencode.BencodeWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The routing table as bytes and back, so that a restarted node bootstraps from the nodes it knew
 * (then refreshes them): a bencoded dictionary {@code {id, nodes, nodes6}} in compact node format.
 * Bytes only: where they are kept (a file, written atomically) is the host's business ({@code
 * swarm-node}'s DHT service), since the DHT module does no I/O. Corrupt bytes yield an empty result
 * with a reason, never an exception. Any thread.
 */
public final class RoutingTableStore {
  private static final byte[] K_ID = BencodeWriter.key("id");
  private static final byte[] K_NODES = BencodeWriter.key("nodes");
  private static final byte[] K_NODES6 = BencodeWriter.key("nodes6");

  /** The largest encoded table {@link #decode} accepts. */
  public static final int MAX_BYTES = 1 << 20;

  /** A saved node: id and address. */
  public record SavedNode(NodeId id, InetSocketAddress address) {}

  /**
   * What {@link #decode} found: our saved id (if any), the nodes, and the reason the bytes were
   * ignored when they could not be used (empty when they were fine).
   */
  public record Loaded(Optional<NodeId> selfId, List<SavedNode> nodes, Optional<String> problem) {
    /** Nothing usable, for {@code why}. */
    public static Loaded problem(String why) {
      return new Loaded(Optional.empty(), List.of(), Optional.of(why));
    }
  }

  private RoutingTableStore() {}

  /** Encodes {@code self} and {@code nodes}. */
  public static byte[] encode(NodeId self, List<NodeEntry> nodes) {
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
    return Arrays.copyOf(out.array(), out.position());
  }

  /** Decodes bytes written by {@link #encode}; never throws on bad bytes. */
  public static Loaded decode(byte[] data) {
    if (data.length > MAX_BYTES) {
      return Loaded.problem(
          "the saved table is larger than " + MAX_BYTES + " bytes; starting with an empty table");
    }
    BencodeTape tape = new BencodeTape(16, 2, MAX_BYTES, true);
    BencodeError err = tape.decode(data, 0, data.length);
    if (err != BencodeError.NONE) {
      return Loaded.problem(
          "the saved table is corrupt (" + err + "); starting with an empty table");
    }
    int id = tape.getString(0, "id".getBytes(StandardCharsets.US_ASCII));
    if (id < 0 || tape.length(id) != NodeId.LENGTH) {
      return Loaded.problem("the saved table has no valid node id; starting with an empty table");
    }
    List<SavedNode> nodes = new ArrayList<>();
    int n4 = tape.getString(0, "nodes".getBytes(StandardCharsets.US_ASCII));
    int n6 = tape.getString(0, "nodes6".getBytes(StandardCharsets.US_ASCII));
    if ((n4 >= 0 && tape.length(n4) % 26 != 0) || (n6 >= 0 && tape.length(n6) % 38 != 0)) {
      return Loaded.problem(
          "the saved table has a truncated node list; starting with an empty table");
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
