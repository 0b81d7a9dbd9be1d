package io.natswarm.dht.routing;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

/**
 * A 160-bit Kademlia id (BEP 5): node ids, info-hashes and lookup targets. Immutable; held as two
 * longs and an int so that XOR distances compare without allocating.
 */
public final class NodeId {
  public static final int LENGTH = 20;
  public static final int BITS = 160;

  private final long hi;
  private final long mid;
  private final int lo;

  private NodeId(long hi, long mid, int lo) {
    this.hi = hi;
    this.mid = mid;
    this.lo = lo;
  }

  /** The id in {@code b[off, off+20)}. */
  public static NodeId of(byte[] b, int off) {
    return new NodeId(readLong(b, off), readLong(b, off + 8), (int) readLong(b, off + 12));
  }

  public static NodeId of(byte[] b) {
    if (b.length != LENGTH) {
      throw new IllegalArgumentException("a node id has 20 bytes, got " + b.length);
    }
    return of(b, 0);
  }

  /** Parses 40 hex digits. */
  public static NodeId ofHex(String hex) {
    if (hex.length() != 40) {
      throw new IllegalArgumentException("a node id has 40 hex digits: " + hex);
    }
    byte[] b = new byte[LENGTH];
    for (int i = 0; i < LENGTH; i++) {
      b[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
    }
    return of(b);
  }

  public static NodeId random(Random random) {
    return new NodeId(random.nextLong(), random.nextLong(), random.nextInt());
  }

  private static long readLong(byte[] b, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[off + i] & 0xffL);
    }
    return v;
  }

  /** Whether {@code b[off, off+20)} holds this id. */
  public boolean matches(byte[] b, int off) {
    return readLong(b, off) == hi
        && readLong(b, off + 8) == mid
        && (int) readLong(b, off + 12) == lo;
  }

  public byte[] toBytes() {
    byte[] b = new byte[LENGTH];
    ByteBuffer.wrap(b).putLong(hi).putLong(mid).putInt(lo);
    return b;
  }

  public void write(ByteBuffer out) {
    out.putLong(hi).putLong(mid).putInt(lo);
  }

  /** Bit {@code i} (0 = most significant). */
  public int bit(int i) {
    if (i < 64) {
      return (int) (hi >>> (63 - i)) & 1;
    } else if (i < 128) {
      return (int) (mid >>> (127 - i)) & 1;
    }
    return (lo >>> (159 - i)) & 1;
  }

  /** Number of leading bits this id shares with {@code o} (160 if equal). */
  public int commonPrefixLength(NodeId o) {
    long x = hi ^ o.hi;
    if (x != 0) {
      return Long.numberOfLeadingZeros(x);
    }
    x = mid ^ o.mid;
    if (x != 0) {
      return 64 + Long.numberOfLeadingZeros(x);
    }
    int y = lo ^ o.lo;
    return y != 0 ? 128 + Integer.numberOfLeadingZeros(y) : 160;
  }

  /** Negative if {@code a} is closer to this id (XOR metric) than {@code b}, 0 if equal. */
  public int compareDistance(NodeId a, NodeId b) {
    int c = Long.compareUnsigned(hi ^ a.hi, hi ^ b.hi);
    if (c != 0) {
      return c;
    }
    c = Long.compareUnsigned(mid ^ a.mid, mid ^ b.mid);
    if (c != 0) {
      return c;
    }
    return Integer.compareUnsigned(lo ^ a.lo, lo ^ b.lo);
  }

  /**
   * A random id that shares exactly the first {@code prefixBits} bits of this id and differs in the
   * next one (a target inside the bucket at that depth), or any random id if prefixBits is 160.
   */
  public NodeId randomWithPrefix(int prefixBits, Random random) {
    byte[] mine = toBytes();
    byte[] r = new byte[LENGTH];
    random.nextBytes(r);
    for (int i = 0; i < Math.min(prefixBits, BITS); i++) {
      setBit(r, i, (mine[i >>> 3] >>> (7 - (i & 7))) & 1);
    }
    if (prefixBits < BITS) {
      setBit(r, prefixBits, 1 - ((mine[prefixBits >>> 3] >>> (7 - (prefixBits & 7))) & 1));
    }
    return of(r);
  }

  /** A random id whose first {@code prefixBits} bits are this id's. */
  public NodeId randomSharing(int prefixBits, Random random) {
    byte[] mine = toBytes();
    byte[] r = new byte[LENGTH];
    random.nextBytes(r);
    for (int i = 0; i < Math.min(prefixBits, BITS); i++) {
      setBit(r, i, (mine[i >>> 3] >>> (7 - (i & 7))) & 1);
    }
    return of(r);
  }

  private static void setBit(byte[] b, int i, int v) {
    int mask = 1 << (7 - (i & 7));
    b[i >>> 3] = (byte) (v != 0 ? (b[i >>> 3] | mask) : (b[i >>> 3] & ~mask));
  }

  /** The first byte (for BEP 42 checks). */
  int byteAt(int i) {
    return toBytes()[i] & 0xff;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NodeId n && n.hi == hi && n.mid == mid && n.lo == lo;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(hi) * 31 + lo;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(40);
    for (byte b : toBytes()) {
      sb.append(Character.forDigit((b >>> 4) & 15, 16)).append(Character.forDigit(b & 15, 16));
    }
    return sb.toString();
  }

  /** For tests and diagnostics: the bytes as a list-friendly array copy. */
  public static boolean sameBytes(NodeId a, byte[] b) {
    return Arrays.equals(a.toBytes(), b);
  }
}
