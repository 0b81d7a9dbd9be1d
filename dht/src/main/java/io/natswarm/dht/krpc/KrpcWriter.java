package io.natswarm.dht.krpc;

import io.natswarm.dht.bencode.BencodeWriter;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Writes KRPC messages (BEP 5; BEP 32, 42, 43, 51 fields) into a {@link ByteBuffer} without
 * allocating. A message is written in three steps, begin, optional fields in the order their
 * methods are declared here (which is bencode's sorted key order), end.
 *
 * <p>Stateless; any thread.
 */
public final class KrpcWriter {
  private static final byte[] K_A_ID = BencodeWriter.key("a");
  private static final byte[] K_R = BencodeWriter.key("r");
  private static final byte[] K_ID = BencodeWriter.key("id");
  private static final byte[] K_IP = BencodeWriter.key("ip");
  private static final byte[] K_IMPLIED_PORT = BencodeWriter.key("implied_port");
  private static final byte[] K_INFO_HASH = BencodeWriter.key("info_hash");
  private static final byte[] K_INTERVAL = BencodeWriter.key("interval");
  private static final byte[] K_NODES = BencodeWriter.key("nodes");
  private static final byte[] K_NODES6 = BencodeWriter.key("nodes6");
  private static final byte[] K_NUM = BencodeWriter.key("num");
  private static final byte[] K_PORT = BencodeWriter.key("port");
  private static final byte[] K_Q = BencodeWriter.key("q");
  private static final byte[] K_RO = BencodeWriter.key("ro");
  private static final byte[] K_SAMPLES = BencodeWriter.key("samples");
  private static final byte[] K_T = BencodeWriter.key("t");
  private static final byte[] K_TARGET = BencodeWriter.key("target");
  private static final byte[] K_TOKEN = BencodeWriter.key("token");
  private static final byte[] K_V = BencodeWriter.key("v");
  private static final byte[] K_VALUES = BencodeWriter.key("values");
  private static final byte[] K_WANT = BencodeWriter.key("want");
  private static final byte[] K_Y = BencodeWriter.key("y");
  private static final byte[] K_E = BencodeWriter.key("e");
  private static final byte[] N4 = BencodeWriter.key("n4");
  private static final byte[] N6 = BencodeWriter.key("n6");
  private static final byte[] Y_Q = BencodeWriter.key("q");
  private static final byte[] Y_R = BencodeWriter.key("r");
  private static final byte[] Y_E = BencodeWriter.key("e");

  /** Our client version, {@code v}: "NS" and a two-byte version (BEP 20 style). */
  static final byte[] VERSION = {'N', 'S', 0, 1};

  private KrpcWriter() {}

  // ---- queries: beginQuery, [impliedPort] [infoHash] [port] [target] [token] [want], endQuery

  public static void beginQuery(ByteBuffer out, byte[] selfId) {
    BencodeWriter.dict(out);
    BencodeWriter.raw(out, K_A_ID);
    BencodeWriter.dict(out);
    BencodeWriter.raw(out, K_ID);
    BencodeWriter.string(out, selfId);
  }

  public static void impliedPort(ByteBuffer out) {
    BencodeWriter.raw(out, K_IMPLIED_PORT);
    BencodeWriter.integer(out, 1);
  }

  public static void infoHash(ByteBuffer out, byte[] infoHash) {
    BencodeWriter.raw(out, K_INFO_HASH);
    BencodeWriter.string(out, infoHash);
  }

  public static void port(ByteBuffer out, int port) {
    BencodeWriter.raw(out, K_PORT);
    BencodeWriter.integer(out, port);
  }

  public static void target(ByteBuffer out, byte[] target) {
    BencodeWriter.raw(out, K_TARGET);
    BencodeWriter.string(out, target);
  }

  public static void token(ByteBuffer out, byte[] token, int off, int len) {
    BencodeWriter.raw(out, K_TOKEN);
    BencodeWriter.string(out, token, off, len);
  }

  /** BEP 32 {@code want}: bits of {@link KrpcMessage#WANT_N4} and {@link KrpcMessage#WANT_N6}. */
  public static void want(ByteBuffer out, int want) {
    if (want == 0) {
      return;
    }
    BencodeWriter.raw(out, K_WANT);
    BencodeWriter.list(out);
    if ((want & KrpcMessage.WANT_N4) != 0) {
      BencodeWriter.raw(out, N4);
    }
    if ((want & KrpcMessage.WANT_N6) != 0) {
      BencodeWriter.raw(out, N6);
    }
    BencodeWriter.end(out);
  }

  /** Ends a query; {@code readOnly} adds BEP 43's {@code ro=1}. The transaction id is 2 bytes. */
  public static void endQuery(ByteBuffer out, KrpcMethod method, boolean readOnly, int tx) {
    if (method == KrpcMethod.UNKNOWN) {
      throw new IllegalArgumentException("cannot send an unknown method");
    }
    BencodeWriter.end(out);
    BencodeWriter.raw(out, K_Q);
    BencodeWriter.string(out, method.wire());
    if (readOnly) {
      BencodeWriter.raw(out, K_RO);
      BencodeWriter.integer(out, 1);
    }
    BencodeWriter.raw(out, K_T);
    BencodeWriter.stringHeader(out, 2);
    out.put((byte) (tx >>> 8));
    out.put((byte) tx);
    BencodeWriter.raw(out, K_V);
    BencodeWriter.string(out, VERSION);
    BencodeWriter.raw(out, K_Y);
    BencodeWriter.raw(out, Y_Q);
    BencodeWriter.end(out);
  }

  // ---- responses: beginResponse, [interval] [nodes] [nodes6] [num] [samples] [token] [values],
  // endResponse

  /** Begins a response; {@code requester} (may be null) is echoed as BEP 42's {@code ip}. */
  public static void beginResponse(ByteBuffer out, InetSocketAddress requester, byte[] selfId) {
    BencodeWriter.dict(out);
    if (requester != null) {
      BencodeWriter.raw(out, K_IP);
      writeCompactString(out, requester);
    }
    BencodeWriter.raw(out, K_R);
    BencodeWriter.dict(out);
    BencodeWriter.raw(out, K_ID);
    BencodeWriter.string(out, selfId);
  }

  public static void interval(ByteBuffer out, long seconds) {
    BencodeWriter.raw(out, K_INTERVAL);
    BencodeWriter.integer(out, seconds);
  }

  /** The {@code nodes} key and the header of a string of {@code count} 26-byte entries. */
  public static void nodesHeader(ByteBuffer out, int count) {
    BencodeWriter.raw(out, K_NODES);
    BencodeWriter.stringHeader(out, count * 26);
  }

  /** The {@code nodes6} key and the header of a string of {@code count} 38-byte entries. */
  public static void nodes6Header(ByteBuffer out, int count) {
    BencodeWriter.raw(out, K_NODES6);
    BencodeWriter.stringHeader(out, count * 38);
  }

  public static void num(ByteBuffer out, long num) {
    BencodeWriter.raw(out, K_NUM);
    BencodeWriter.integer(out, num);
  }

  /** The {@code samples} key and the header of a string of {@code count} 20-byte hashes. */
  public static void samplesHeader(ByteBuffer out, int count) {
    BencodeWriter.raw(out, K_SAMPLES);
    BencodeWriter.stringHeader(out, count * 20);
  }

  /** The {@code values} key and the start of its list; then {@link #value}s, then {@link #end}. */
  public static void valuesBegin(ByteBuffer out) {
    BencodeWriter.raw(out, K_VALUES);
    BencodeWriter.list(out);
  }

  /** One compact peer (6 or 18 bytes) of {@code values}. */
  public static void value(ByteBuffer out, byte[] compact, int off, int len) {
    BencodeWriter.string(out, compact, off, len);
  }

  public static void end(ByteBuffer out) {
    BencodeWriter.end(out);
  }

  /** Ends a response, echoing the query's transaction id {@code buf[txOff, txOff+txLen)}. */
  public static void endResponse(ByteBuffer out, byte[] buf, int txOff, int txLen) {
    BencodeWriter.end(out);
    BencodeWriter.raw(out, K_T);
    BencodeWriter.string(out, buf, txOff, txLen);
    BencodeWriter.raw(out, K_V);
    BencodeWriter.string(out, VERSION);
    BencodeWriter.raw(out, K_Y);
    BencodeWriter.raw(out, Y_R);
    BencodeWriter.end(out);
  }

  /**
   * A complete error message (BEP 5: 201 generic, 202 server, 203 protocol, 204 method unknown).
   */
  public static void error(
      ByteBuffer out,
      int code,
      byte[] message,
      InetSocketAddress requester,
      byte[] buf,
      int txOff,
      int txLen) {
    BencodeWriter.dict(out);
    BencodeWriter.raw(out, K_E);
    BencodeWriter.list(out);
    BencodeWriter.integer(out, code);
    BencodeWriter.string(out, message);
    BencodeWriter.end(out);
    if (requester != null) {
      BencodeWriter.raw(out, K_IP);
      writeCompactString(out, requester);
    }
    BencodeWriter.raw(out, K_T);
    BencodeWriter.string(out, buf, txOff, txLen);
    BencodeWriter.raw(out, K_V);
    BencodeWriter.string(out, VERSION);
    BencodeWriter.raw(out, K_Y);
    BencodeWriter.raw(out, Y_E);
    BencodeWriter.end(out);
  }

  /** A bencoded string holding the compact form (6 or 18 bytes) of {@code a}. */
  public static void writeCompactString(ByteBuffer out, InetSocketAddress a) {
    InetAddress addr = a.getAddress();
    BencodeWriter.stringHeader(out, addr instanceof Inet4Address ? 6 : 18);
    writeCompact(out, a);
  }

  /** The raw compact form of {@code a}: address bytes then big-endian port. */
  public static void writeCompact(ByteBuffer out, InetSocketAddress a) {
    InetAddress addr = a.getAddress();
    if (addr instanceof Inet4Address) {
      // Inet4Address.hashCode() is its address as an int: no byte[] copy per packet.
      out.putInt(addr.hashCode());
    } else {
      out.put(addr.getAddress());
    }
    out.putShort((short) a.getPort());
  }
}
