package io.natswarm.pex;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The ut_pex message codec (BEP 11): a bencoded dictionary of compact peer lists, {@code added} /
 * {@code added6} (6 / 18 bytes per peer: address, port big-endian), their one-byte-per-peer flags
 * {@code added.f} / {@code added6.f}, and {@code dropped} / {@code dropped6}.
 *
 * <p>Decoding is bounded and never throws on bad bytes: the input length, nesting depth, string
 * lengths and entries per list are checked before anything is read or allocated, and a broken
 * message yields a {@link PexError}. Unknown keys are skipped (clients add their own); a flags
 * string shorter than its list leaves the remaining peers without flags (as libtorrent reads it);
 * entries that cannot be dialled are left out and counted. Keys need not be sorted on input; they
 * are sorted on output, and every key is always written, as libtorrent does.
 *
 * <p>Stateless; safe from any thread.
 */
public final class PexCodec {
  /** The largest payload decoded; libtorrent's messages with its 100-peer cap are under 4 KiB. */
  public static final int MAX_MESSAGE_BYTES = 64 * 1024;

  /** The deepest nesting skipped inside unknown keys. */
  public static final int MAX_DEPTH = 16;

  /** The most entries accepted in one compact list. */
  public static final int MAX_PEERS_PER_LIST = 500;

  private static final int V4 = 6;
  private static final int V6 = 18;

  private static final byte[] ADDED = ascii("added");
  private static final byte[] ADDED_F = ascii("added.f");
  private static final byte[] ADDED6 = ascii("added6");
  private static final byte[] ADDED6_F = ascii("added6.f");
  private static final byte[] DROPPED = ascii("dropped");
  private static final byte[] DROPPED6 = ascii("dropped6");
  private static final byte[][] KEYS = {ADDED, ADDED_F, ADDED6, ADDED6_F, DROPPED, DROPPED6};

  private PexCodec() {}

  /** Decodes {@code data[offset, offset + length)}, the payload after the extended message id. */
  public static PexDecoded decode(byte[] data, int offset, int length) {
    if (offset < 0 || length < 0 || offset > data.length - length) {
      throw new IndexOutOfBoundsException("offset " + offset + ", length " + length);
    }
    if (length > MAX_MESSAGE_BYTES) {
      return PexDecoded.failed(PexError.TOO_LARGE);
    }
    Reader in = new Reader(data, offset, offset + length);
    if (length == 0 || data[offset] != 'd') {
      return PexDecoded.failed(PexError.NOT_A_DICTIONARY);
    }
    in.pos++;
    int[] start = new int[KEYS.length];
    int[] len = new int[KEYS.length];
    java.util.Arrays.fill(start, -1);
    while (true) {
      if (in.pos >= in.end) {
        return PexDecoded.failed(PexError.BAD_BENCODING);
      }
      if (data[in.pos] == 'e') {
        in.pos++;
        break;
      }
      int keyLength = in.stringHeader();
      if (keyLength < 0) {
        return PexDecoded.failed(PexError.BAD_BENCODING);
      }
      int key = knownKey(data, in.pos, keyLength);
      in.pos += keyLength;
      if (in.pos >= in.end) {
        return PexDecoded.failed(PexError.BAD_BENCODING);
      }
      if (key < 0) {
        PexError skipped = in.skipValue(1);
        if (skipped != null) {
          return PexDecoded.failed(skipped);
        }
        continue;
      }
      if (start[key] >= 0) {
        return PexDecoded.failed(PexError.DUPLICATE_KEY);
      }
      byte first = data[in.pos];
      if (first < '0' || first > '9') {
        PexError skipped = in.skipValue(1);
        return PexDecoded.failed(skipped != null ? skipped : PexError.BAD_FIELD_TYPE);
      }
      int valueLength = in.stringHeader();
      if (valueLength < 0) {
        return PexDecoded.failed(PexError.BAD_BENCODING);
      }
      start[key] = in.pos;
      len[key] = valueLength;
      in.pos += valueLength;
    }
    if (in.pos != in.end) {
      return PexDecoded.failed(PexError.TRAILING_BYTES);
    }
    for (int key : new int[] {0, 2, 4, 5}) {
      int entry = key == 0 || key == 4 ? V4 : V6;
      if (len[key] % entry != 0) {
        return PexDecoded.failed(PexError.BAD_PEER_LIST_LENGTH);
      }
      if (len[key] / entry > MAX_PEERS_PER_LIST) {
        return PexDecoded.failed(PexError.TOO_MANY_PEERS);
      }
    }
    List<PexPeer> added = new ArrayList<>(len[0] / V4 + len[2] / V6);
    List<InetSocketAddress> dropped = new ArrayList<>(len[4] / V4 + len[5] / V6);
    int skipped = 0;
    skipped += readAdded(data, start[0], len[0], V4, start[1], len[1], added);
    skipped += readAdded(data, start[2], len[2], V6, start[3], len[3], added);
    skipped += readDropped(data, start[4], len[4], V4, dropped);
    skipped += readDropped(data, start[5], len[5], V6, dropped);
    return PexDecoded.ok(new PexMessage(added, dropped), skipped);
  }

  /** Decodes a whole array. */
  public static PexDecoded decode(byte[] data) {
    return decode(data, 0, data.length);
  }

  /** The payload for {@code message}: every key present, IPv4 and IPv6 peers in their own lists. */
  public static byte[] encode(PexMessage message) {
    ByteArrayOutputStream added = new ByteArrayOutputStream();
    ByteArrayOutputStream addedFlags = new ByteArrayOutputStream();
    ByteArrayOutputStream added6 = new ByteArrayOutputStream();
    ByteArrayOutputStream added6Flags = new ByteArrayOutputStream();
    for (PexPeer peer : message.added()) {
      boolean v6 = peer.isIpv6();
      writeEndpoint(v6 ? added6 : added, peer.endpoint());
      (v6 ? added6Flags : addedFlags).write(peer.flags());
    }
    ByteArrayOutputStream dropped = new ByteArrayOutputStream();
    ByteArrayOutputStream dropped6 = new ByteArrayOutputStream();
    for (InetSocketAddress endpoint : message.dropped()) {
      boolean v6 = endpoint.getAddress().getAddress().length == 16;
      writeEndpoint(v6 ? dropped6 : dropped, endpoint);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write('d');
    ByteArrayOutputStream[] values = {added, addedFlags, added6, added6Flags, dropped, dropped6};
    for (int i = 0; i < KEYS.length; i++) {
      writeString(out, KEYS[i]);
      writeString(out, values[i].toByteArray());
    }
    out.write('e');
    return out.toByteArray();
  }

  private static int readAdded(
      byte[] data,
      int start,
      int length,
      int entry,
      int flagsStart,
      int flagsLength,
      List<PexPeer> into) {
    int skipped = 0;
    for (int i = 0; i * entry < length; i++) {
      InetSocketAddress endpoint = endpoint(data, start + i * entry, entry);
      if (endpoint == null) {
        skipped++;
        continue;
      }
      int flags = flagsStart >= 0 && i < flagsLength ? data[flagsStart + i] & 0xff : 0;
      into.add(new PexPeer(endpoint, flags));
    }
    return skipped;
  }

  private static int readDropped(
      byte[] data, int start, int length, int entry, List<InetSocketAddress> into) {
    int skipped = 0;
    for (int i = 0; i * entry < length; i++) {
      InetSocketAddress endpoint = endpoint(data, start + i * entry, entry);
      if (endpoint == null) {
        skipped++;
      } else {
        into.add(endpoint);
      }
    }
    return skipped;
  }

  /** The endpoint at {@code data[at, at + entry)}, or null when it cannot be dialled. */
  private static InetSocketAddress endpoint(byte[] data, int at, int entry) {
    int addressLength = entry - 2;
    int port = (data[at + addressLength] & 0xff) << 8 | (data[at + addressLength + 1] & 0xff);
    if (port == 0) {
      return null;
    }
    byte[] raw = new byte[addressLength];
    System.arraycopy(data, at, raw, 0, addressLength);
    InetAddress address;
    try {
      address = InetAddress.getByAddress(raw);
    } catch (UnknownHostException e) {
      return null; // cannot happen for 4 or 16 bytes
    }
    if (address.isAnyLocalAddress() || address.isMulticastAddress() || isBroadcast(raw)) {
      return null;
    }
    return new InetSocketAddress(address, port);
  }

  private static boolean isBroadcast(byte[] raw) {
    return raw.length == 4 && (raw[0] & raw[1] & raw[2] & raw[3]) == (byte) 0xff;
  }

  private static int knownKey(byte[] data, int at, int length) {
    for (int k = 0; k < KEYS.length; k++) {
      byte[] key = KEYS[k];
      if (key.length == length && java.util.Arrays.equals(key, 0, length, data, at, at + length)) {
        return k;
      }
    }
    return -1;
  }

  private static void writeEndpoint(ByteArrayOutputStream out, InetSocketAddress endpoint) {
    out.writeBytes(endpoint.getAddress().getAddress());
    out.write(endpoint.getPort() >>> 8);
    out.write(endpoint.getPort() & 0xff);
  }

  private static void writeString(ByteArrayOutputStream out, byte[] value) {
    out.writeBytes(ascii(Integer.toString(value.length)));
    out.write(':');
    out.writeBytes(value);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** A cursor over the input with the two bencode primitives decoding needs. */
  private static final class Reader {
    final byte[] data;
    final int end;
    int pos;

    Reader(byte[] data, int pos, int end) {
      this.data = data;
      this.pos = pos;
      this.end = end;
    }

    /**
     * Reads {@code <length>:} and returns the length, leaving the cursor on the first byte of the
     * string; -1 when the header is malformed or the string runs past the end.
     */
    int stringHeader() {
      long length = 0;
      int digits = 0;
      while (pos < end && data[pos] >= '0' && data[pos] <= '9') {
        length = length * 10 + (data[pos] - '0');
        pos++;
        if (++digits > 9) {
          return -1;
        }
      }
      if (digits == 0 || pos >= end || data[pos] != ':') {
        return -1;
      }
      pos++;
      if (length > end - pos) {
        return -1;
      }
      return (int) length;
    }

    /** Skips one value of any type; null on success. */
    PexError skipValue(int depth) {
      if (pos >= end) {
        return PexError.BAD_BENCODING;
      }
      byte b = data[pos];
      if (b >= '0' && b <= '9') {
        int length = stringHeader();
        if (length < 0) {
          return PexError.BAD_BENCODING;
        }
        pos += length;
        return null;
      }
      if (b == 'i') {
        pos++;
        int start = pos;
        if (pos < end && data[pos] == '-') {
          pos++;
        }
        int digits = 0;
        while (pos < end && data[pos] >= '0' && data[pos] <= '9') {
          pos++;
          digits++;
        }
        if (digits == 0 || digits > 20 || pos >= end || data[pos] != 'e' || pos == start) {
          return PexError.BAD_BENCODING;
        }
        pos++;
        return null;
      }
      if (b == 'l' || b == 'd') {
        if (depth + 1 > MAX_DEPTH) {
          return PexError.TOO_DEEP;
        }
        boolean dict = b == 'd';
        pos++;
        while (true) {
          if (pos >= end) {
            return PexError.BAD_BENCODING;
          }
          if (data[pos] == 'e') {
            pos++;
            return null;
          }
          if (dict) {
            int keyLength = stringHeader();
            if (keyLength < 0) {
              return PexError.BAD_BENCODING;
            }
            pos += keyLength;
          }
          PexError inner = skipValue(depth + 1);
          if (inner != null) {
            return inner;
          }
        }
      }
      return PexError.BAD_BENCODING;
    }
  }
}
