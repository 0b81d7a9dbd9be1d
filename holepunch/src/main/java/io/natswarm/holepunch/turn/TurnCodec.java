package io.natswarm.holepunch.turn;

import io.natswarm.datagram.DatagramKind;
import io.natswarm.holepunch.stun.StunCodec;
import io.natswarm.holepunch.stun.TransactionId;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import javax.crypto.Mac;

/**
 * The TURN wire format over UDP: the STUN messages of RFC 8656 (Allocate, Refresh, CreatePermission
 * and ChannelBind requests and their responses, Send and Data indications; sections 7 to 12 and 18)
 * in RFC 8489's framing (section 5) with long-term credentials (section 9.2: USERNAME, REALM, NONCE
 * and MESSAGE-INTEGRITY, HMAC-SHA1 keyed with MD5(username ":" realm ":" password)), and
 * ChannelData (RFC 8656 section 12.4).
 *
 * <p>{@link #parse} and {@link #checkChannelData} never throw on bad bytes; they return a {@link
 * TurnError}. Unknown attributes are skipped, and so is every attribute after MESSAGE-INTEGRITY but
 * FINGERPRINT (RFC 8489 section 14.5); of a repeated attribute the first counts. The writers throw
 * only when {@code out} has no room; FINGERPRINT is optional ({@link #appendFingerprint}) and the
 * client sends none (coturn does not ask for it).
 *
 * <p>{@link #wrapChannelData} and {@link #wrapSendIndication} turn a datagram already in a buffer
 * into ChannelData or a Send indication in place, with no allocation: the relayed hot path.
 *
 * <p>Stateless; thread-safe as long as each thread brings its own {@link Mac} and {@link
 * MessageDigest}.
 */
public final class TurnCodec {
  /** A STUN header's bytes (RFC 8489 section 5). */
  public static final int HEADER_BYTES = 20;

  /** A ChannelData header's bytes: channel number and length (RFC 8656 section 12.4). */
  public static final int CHANNEL_DATA_HEADER_BYTES = 4;

  /** The lowest channel number (RFC 8656 section 12). */
  public static final int FIRST_CHANNEL = 0x4000;

  /** The highest channel number (RFC 8656 section 12). */
  public static final int LAST_CHANNEL = 0x4FFF;

  static final int USERNAME = 0x0006;
  static final int MESSAGE_INTEGRITY = 0x0008;
  static final int ERROR_CODE = 0x0009;
  static final int CHANNEL_NUMBER = 0x000C;
  static final int LIFETIME = 0x000D;
  static final int XOR_PEER_ADDRESS = 0x0012;
  static final int DATA = 0x0013;
  static final int REALM = 0x0014;
  static final int NONCE = 0x0015;
  static final int XOR_RELAYED_ADDRESS = 0x0016;
  static final int REQUESTED_TRANSPORT = 0x0019;
  static final int XOR_MAPPED_ADDRESS = 0x0020;
  static final int FINGERPRINT = 0x8028;

  /** USERNAME is shorter than 509 bytes (RFC 8489 section 14.3). */
  static final int MAX_USERNAME_BYTES = 508;

  /** REALM, NONCE and the reason phrase are shorter than 764 bytes (sections 14.8-14.10). */
  static final int MAX_TEXT_BYTES = 763;

  private static final int HMAC_BYTES = 20;
  private static final int COOKIE = DatagramKind.STUN_MAGIC_COOKIE;

  private TurnCodec() {}

  /**
   * The long-term key (RFC 8489 section 9.2.2): MD5 of {@code username ":" realm ":" password} in
   * UTF-8. SASLprep (RFC 4013) is not applied: it changes nothing in ASCII without control
   * characters, which is what TURN deployments use; a password that needs it must be given
   * prepared.
   */
  public static byte[] longTermKey(
      MessageDigest md5, String username, String realm, String password) {
    md5.reset();
    md5.update((username + ":" + realm + ":" + password).getBytes(StandardCharsets.UTF_8));
    return md5.digest();
  }

  /**
   * Writes {@code m} into {@code out} from its position (its {@link TurnMessage#integrityAt} is
   * ignored) and, when {@code integrity} is not null, a MESSAGE-INTEGRITY computed with it (a Mac
   * "HmacSHA1" initialised with the long-term key) as RFC 8489 section 14.5 says. Returns the bytes
   * written.
   */
  public static int write(ByteBuffer out, TurnMessage m, Mac integrity) {
    int start = out.position();
    TransactionId id = m.transactionId();
    out.putShort((short) m.type()).putShort((short) 0).putInt(COOKIE);
    out.putLong(id.high()).putInt(id.low());
    if (m.requestedTransport() >= 0) {
      out.putShort((short) REQUESTED_TRANSPORT).putShort((short) 4);
      out.putInt(m.requestedTransport() << 24);
    }
    if (m.channel() >= 0) {
      out.putShort((short) CHANNEL_NUMBER).putShort((short) 4);
      out.putInt(m.channel() << 16);
    }
    if (m.lifetime() >= 0) {
      out.putShort((short) LIFETIME).putShort((short) 4).putInt(m.lifetime());
    }
    putXorAddress(out, XOR_PEER_ADDRESS, m.peer(), id);
    putXorAddress(out, XOR_RELAYED_ADDRESS, m.relayed(), id);
    putXorAddress(out, XOR_MAPPED_ADDRESS, m.mapped(), id);
    if (m.errorCode() != 0) {
      byte[] reason =
          m.reason() == null ? new byte[0] : m.reason().getBytes(StandardCharsets.UTF_8);
      out.putShort((short) ERROR_CODE).putShort((short) (4 + reason.length));
      out.putShort((short) 0).put((byte) (m.errorCode() / 100)).put((byte) (m.errorCode() % 100));
      out.put(reason);
      pad(out, reason.length);
    }
    if (m.data() != null) {
      ByteBuffer d = m.data().duplicate();
      out.putShort((short) DATA).putShort((short) d.remaining());
      int n = d.remaining();
      out.put(d);
      pad(out, n);
    }
    putText(out, USERNAME, m.username());
    putText(out, REALM, m.realm());
    putText(out, NONCE, m.nonce());
    out.putShort(start + 2, (short) (out.position() - start - HEADER_BYTES));
    if (integrity != null) {
      appendIntegrity(out, start, integrity);
    }
    return out.position() - start;
  }

  private static void putText(ByteBuffer out, int type, String text) {
    if (text == null) {
      return;
    }
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    out.putShort((short) type).putShort((short) b.length).put(b);
    pad(out, b.length);
  }

  private static void pad(ByteBuffer out, int length) {
    for (int i = length; (i & 3) != 0; i++) {
      out.put((byte) 0);
    }
  }

  /** An XOR address attribute (RFC 8489 section 14.2); nothing for a null address. */
  private static void putXorAddress(
      ByteBuffer out, int type, InetSocketAddress a, TransactionId id) {
    if (a == null) {
      return;
    }
    byte[] raw = a.getAddress().getAddress();
    out.putShort((short) type).putShort((short) (4 + raw.length));
    putXorAddressValue(out, out.position(), raw, a.getPort(), id.high(), id.low());
    out.position(out.position() + 4 + raw.length);
  }

  /** The value of an XOR address attribute at {@code index} (absolute; the position stays). */
  private static void putXorAddressValue(
      ByteBuffer out, int index, byte[] raw, int port, long idHigh, int idLow) {
    out.put(index, (byte) 0);
    out.put(index + 1, (byte) (raw.length == 4 ? 1 : 2));
    out.putShort(index + 2, (short) (port ^ (COOKIE >>> 16)));
    for (int i = 0; i < raw.length; i++) {
      out.put(index + 4 + i, (byte) (raw[i] ^ xorMask(i, idHigh, idLow)));
    }
  }

  /** The byte an address's byte {@code i} is XORed with: the cookie's 4, then the id's 12. */
  private static int xorMask(int i, long idHigh, int idLow) {
    if (i < 4) {
      return (COOKIE >>> (24 - 8 * i)) & 0xFF;
    }
    int j = i - 4;
    return (int) (j < 8 ? idHigh >>> (56 - 8 * j) : idLow >>> (24 - 8 * (j - 8))) & 0xFF;
  }

  /**
   * Appends MESSAGE-INTEGRITY to the message that starts at {@code start} of {@code out} and ends
   * at its position: the header's length is first set to include the attribute (RFC 8489 section
   * 14.5), then the HMAC-SHA1 of everything before the attribute is written.
   */
  static void appendIntegrity(ByteBuffer out, int start, Mac mac) {
    int end = out.position();
    out.putShort(start + 2, (short) (end - start - HEADER_BYTES + 4 + HMAC_BYTES));
    ByteBuffer view = out.duplicate();
    view.limit(end).position(start);
    mac.reset();
    mac.update(view);
    byte[] hmac = mac.doFinal();
    out.putShort((short) MESSAGE_INTEGRITY).putShort((short) HMAC_BYTES).put(hmac);
  }

  /**
   * Appends a FINGERPRINT (RFC 8489 section 14.7) to the message that starts at {@code start} of
   * {@code out} and ends at its position. Returns the bytes appended (8).
   */
  public static int appendFingerprint(ByteBuffer out, int start) {
    int end = out.position();
    out.putShort(start + 2, (short) (end - start - HEADER_BYTES + 8));
    int fingerprint = StunCodec.fingerprint(out, start, end - start);
    out.putShort((short) FINGERPRINT).putShort((short) 4).putInt(fingerprint);
    return 8;
  }

  /**
   * Whether the MESSAGE-INTEGRITY of {@code m}, parsed from {@code packet} (the message starts at
   * its position), is the HMAC-SHA1 that {@code mac} (initialised with the long-term key) computes
   * over the message up to the attribute, with the header's length counting up to the attribute's
   * end (RFC 8489 section 14.5). False without one. The buffer is unchanged.
   */
  public static boolean verifyIntegrity(ByteBuffer packet, TurnMessage m, Mac mac) {
    int at = m.integrityAt();
    int start = packet.position();
    if (at < HEADER_BYTES || packet.remaining() < at + 4 + HMAC_BYTES) {
      return false;
    }
    int adjusted = at - HEADER_BYTES + 4 + HMAC_BYTES;
    mac.reset();
    mac.update(packet.get(start));
    mac.update(packet.get(start + 1));
    mac.update((byte) (adjusted >>> 8));
    mac.update((byte) adjusted);
    ByteBuffer view = packet.duplicate();
    view.limit(start + at).position(start + 4);
    mac.update(view);
    byte[] expected = mac.doFinal();
    int diff = 0;
    for (int i = 0; i < HMAC_BYTES; i++) {
      diff |= expected[i] ^ packet.get(start + at + 4 + i);
    }
    return diff == 0;
  }

  /**
   * Parses the STUN message between {@code packet}'s position and limit; the buffer is unchanged.
   */
  public static TurnParsed parse(ByteBuffer packet) {
    int start = packet.position();
    int length = packet.remaining();
    if (length < HEADER_BYTES) {
      return TurnParsed.error(TurnError.TOO_SHORT);
    }
    if ((packet.get(start) & 0xC0) != 0 || packet.getInt(start + 4) != COOKIE) {
      return TurnParsed.error(TurnError.NOT_STUN);
    }
    int type = packet.getShort(start) & 0xFFFF;
    int bodyLength = packet.getShort(start + 2) & 0xFFFF;
    if ((bodyLength & 3) != 0 || HEADER_BYTES + bodyLength != length) {
      return TurnParsed.error(TurnError.BAD_LENGTH);
    }
    long idHigh = packet.getLong(start + 8);
    int idLow = packet.getInt(start + 16);
    Fields f = new Fields();
    int at = start + HEADER_BYTES;
    int end = start + length;
    while (at < end) {
      if (end - at < 4) {
        return TurnParsed.error(TurnError.TRUNCATED_ATTRIBUTE);
      }
      int attrType = packet.getShort(at) & 0xFFFF;
      int attrLength = packet.getShort(at + 2) & 0xFFFF;
      int value = at + 4;
      int padded = (attrLength + 3) & ~3;
      if (padded > end - value) {
        return TurnParsed.error(TurnError.TRUNCATED_ATTRIBUTE);
      }
      TurnError e;
      if (attrType == FINGERPRINT) {
        e = fingerprint(packet, start, at, attrLength, end);
      } else if (f.integrityAt >= 0) {
        e = null; // ignored after MESSAGE-INTEGRITY
      } else {
        e = attribute(f, packet, attrType, value, attrLength, start + 8);
        if (attrType == MESSAGE_INTEGRITY && e == null) {
          f.integrityAt = at - start;
        }
      }
      if (e != null) {
        return TurnParsed.error(e);
      }
      at = value + padded;
    }
    return TurnParsed.ok(
        new TurnMessage(
            type,
            new TransactionId(idHigh, idLow),
            f.errorCode,
            f.reason,
            f.username,
            f.realm,
            f.nonce,
            f.lifetime,
            f.channel,
            f.requestedTransport,
            f.peer,
            f.relayed,
            f.mapped,
            f.data,
            f.integrityAt));
  }

  /** The attributes found so far; the first of each counts. */
  private static final class Fields {
    int errorCode;
    String reason;
    String username;
    String realm;
    String nonce;
    int lifetime = -1;
    int channel = -1;
    int requestedTransport = -1;
    InetSocketAddress peer;
    InetSocketAddress relayed;
    InetSocketAddress mapped;
    ByteBuffer data;
    int integrityAt = -1;
  }

  private static TurnError attribute(
      Fields f, ByteBuffer b, int type, int value, int length, int idIndex) {
    switch (type) {
      case XOR_PEER_ADDRESS, XOR_RELAYED_ADDRESS, XOR_MAPPED_ADDRESS -> {
        InetSocketAddress a = StunCodec.address(b, value, length, true, idIndex);
        if (a == null) {
          return TurnError.BAD_ADDRESS;
        }
        if (type == XOR_PEER_ADDRESS && f.peer == null) {
          f.peer = a;
        } else if (type == XOR_RELAYED_ADDRESS && f.relayed == null) {
          f.relayed = a;
        } else if (type == XOR_MAPPED_ADDRESS && f.mapped == null) {
          f.mapped = a;
        }
      }
      case LIFETIME, CHANNEL_NUMBER, REQUESTED_TRANSPORT -> {
        if (length != 4) {
          return TurnError.BAD_SIZE;
        }
        if (type == LIFETIME && f.lifetime < 0) {
          // an unsigned 32-bit number of seconds; anything past 2^31 - 1 is "forever" for us
          long v = b.getInt(value) & 0xFFFFFFFFL;
          f.lifetime = (int) Math.min(v, Integer.MAX_VALUE);
        } else if (type == CHANNEL_NUMBER && f.channel < 0) {
          int c = b.getShort(value) & 0xFFFF;
          if (c < FIRST_CHANNEL || c > LAST_CHANNEL) {
            return TurnError.BAD_CHANNEL;
          }
          f.channel = c;
        } else if (type == REQUESTED_TRANSPORT && f.requestedTransport < 0) {
          f.requestedTransport = b.get(value) & 0xFF;
        }
      }
      case ERROR_CODE -> {
        if (length < 4 || length - 4 > MAX_TEXT_BYTES) {
          return TurnError.BAD_ERROR_CODE;
        }
        int errorClass = b.get(value + 2) & 0x07;
        int number = b.get(value + 3) & 0xFF;
        if (errorClass < 3 || errorClass > 6 || number > 99) {
          return TurnError.BAD_ERROR_CODE;
        }
        String reason = text(b, value + 4, length - 4);
        if (reason == null) {
          return TurnError.BAD_TEXT;
        }
        if (f.errorCode == 0) {
          f.errorCode = errorClass * 100 + number;
          f.reason = reason;
        }
      }
      case USERNAME, REALM, NONCE -> {
        if (length > (type == USERNAME ? MAX_USERNAME_BYTES : MAX_TEXT_BYTES)) {
          return TurnError.BAD_TEXT;
        }
        String s = text(b, value, length);
        if (s == null) {
          return TurnError.BAD_TEXT;
        }
        if (type == USERNAME && f.username == null) {
          f.username = s;
        } else if (type == REALM && f.realm == null) {
          f.realm = s;
        } else if (type == NONCE && f.nonce == null) {
          f.nonce = s;
        }
      }
      case DATA -> {
        if (f.data == null) {
          ByteBuffer d = b.duplicate();
          d.limit(value + length).position(value);
          f.data = d.slice();
        }
      }
      case MESSAGE_INTEGRITY -> {
        if (length != HMAC_BYTES) {
          return TurnError.BAD_INTEGRITY;
        }
      }
      default -> {}
    }
    return null;
  }

  private static TurnError fingerprint(ByteBuffer b, int start, int at, int length, int end) {
    if (length != 4 || at + 8 != end) {
      return TurnError.BAD_FINGERPRINT;
    }
    int expected = StunCodec.fingerprint(b, start, at - start);
    return b.getInt(at + 4) == expected ? null : TurnError.BAD_FINGERPRINT;
  }

  /** Strict UTF-8, or null. */
  private static String text(ByteBuffer b, int at, int length) {
    ByteBuffer view = b.duplicate();
    view.limit(at + length).position(at);
    try {
      CharBuffer chars = StandardCharsets.UTF_8.newDecoder().decode(view);
      return chars.toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /**
   * Checks the ChannelData message between {@code packet}'s position and limit (RFC 8656 section
   * 12.4): a channel number in 0x4000-0x4FFF and a length that fits, followed by at most the
   * padding to a multiple of 4. Returns null when it is one; its channel is {@link #channelNumber},
   * its data the {@link #channelDataLength} bytes after the 4-byte header. The buffer is unchanged.
   */
  public static TurnError checkChannelData(ByteBuffer packet) {
    int pos = packet.position();
    int len = packet.remaining();
    if (len < CHANNEL_DATA_HEADER_BYTES) {
      return TurnError.TOO_SHORT;
    }
    int channel = packet.getShort(pos) & 0xFFFF;
    if (channel < FIRST_CHANNEL || channel > LAST_CHANNEL) {
      return TurnError.NOT_CHANNEL_DATA;
    }
    int n = packet.getShort(pos + 2) & 0xFFFF;
    if (n > len - CHANNEL_DATA_HEADER_BYTES || len - CHANNEL_DATA_HEADER_BYTES > ((n + 3) & ~3)) {
      return TurnError.BAD_CHANNEL_DATA_LENGTH;
    }
    return null;
  }

  /** The channel number of the ChannelData at {@code packet}'s position. */
  public static int channelNumber(ByteBuffer packet) {
    return packet.getShort(packet.position()) & 0xFFFF;
  }

  /** The data length of the ChannelData at {@code packet}'s position. */
  public static int channelDataLength(ByteBuffer packet) {
    return packet.getShort(packet.position() + 2) & 0xFFFF;
  }

  /**
   * Writes ChannelData for {@code channel} carrying {@code payload} (position to limit, not moved)
   * into {@code out} from its position, padded to a multiple of 4 when {@code pad} (required over
   * TCP, optional over UDP). Returns the bytes written.
   */
  public static int writeChannelData(ByteBuffer out, int channel, ByteBuffer payload, boolean pad) {
    int start = out.position();
    int n = payload.remaining();
    out.putShort((short) channel).putShort((short) n).put(payload.duplicate());
    if (pad) {
      pad(out, n);
    }
    return out.position() - start;
  }

  /**
   * Turns the {@code length} bytes at the start of {@code b} into ChannelData for {@code channel}:
   * moves them right by 4 and writes the header before them, unpadded (UDP). Returns the new
   * length, or -1 (with nothing changed) if it would not fit below {@code b}'s limit. Allocates
   * nothing.
   */
  public static int wrapChannelData(ByteBuffer b, int length, int channel) {
    int total = CHANNEL_DATA_HEADER_BYTES + length;
    if (total > b.limit() || length > 0xFFFF) {
      return -1;
    }
    shiftRight(b, length, CHANNEL_DATA_HEADER_BYTES);
    b.putShort(0, (short) channel);
    b.putShort(2, (short) length);
    return total;
  }

  /** The bytes a Send indication adds before a datagram to an address of {@code addressBytes}. */
  public static int sendIndicationOverhead(int addressBytes) {
    return HEADER_BYTES + 4 + 4 + addressBytes + 4;
  }

  /**
   * Turns the {@code length} bytes at the start of {@code b} into a Send indication (RFC 8656
   * section 10.1) with transaction id {@code idHigh}/{@code idLow}, XOR-PEER-ADDRESS {@code
   * peerAddress} (4 or 16 bytes) and {@code port}, and DATA: moves the bytes right by {@link
   * #sendIndicationOverhead}, writes the header and attributes before them and zero padding after.
   * Returns the new length, or -1 (with nothing changed) if it would not fit. Allocates nothing.
   */
  public static int wrapSendIndication(
      ByteBuffer b, int length, long idHigh, int idLow, byte[] peerAddress, int port) {
    int head = sendIndicationOverhead(peerAddress.length);
    int padded = (length + 3) & ~3;
    int total = head + padded;
    if (total > b.limit() || total - HEADER_BYTES > 0xFFFF) {
      return -1;
    }
    shiftRight(b, length, head);
    for (int i = head + length; i < total; i++) {
      b.put(i, (byte) 0);
    }
    b.putShort(0, (short) TurnMessage.SEND_INDICATION);
    b.putShort(2, (short) (total - HEADER_BYTES));
    b.putInt(4, COOKIE);
    b.putLong(8, idHigh);
    b.putInt(16, idLow);
    b.putShort(HEADER_BYTES, (short) XOR_PEER_ADDRESS);
    b.putShort(HEADER_BYTES + 2, (short) (4 + peerAddress.length));
    putXorAddressValue(b, HEADER_BYTES + 4, peerAddress, port, idHigh, idLow);
    int data = HEADER_BYTES + 8 + peerAddress.length;
    b.putShort(data, (short) DATA);
    b.putShort(data + 2, (short) length);
    return total;
  }

  /** Moves bytes [0, length) of {@code b} to [by, by + length), overlap and all. */
  private static void shiftRight(ByteBuffer b, int length, int by) {
    if (b.hasArray()) {
      byte[] a = b.array();
      int off = b.arrayOffset();
      System.arraycopy(a, off, a, off + by, length);
      return;
    }
    int i = length;
    while (i >= 8) {
      i -= 8;
      b.putLong(i + by, b.getLong(i)); // read before write: overlapping chunks are safe backwards
    }
    while (i > 0) {
      i--;
      b.put(i + by, b.get(i));
    }
  }
}
