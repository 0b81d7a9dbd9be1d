package io.natswarm.holepunch.relay;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One ns_relay message (see {@link RelayCodec} for the wire format): a type, the circuit id of the
 * link it travels on, and the fields of its type. Immutable in practice; made by the engine thread
 * or by {@link RelayCodec#parse}, and handed between the engine thread's cores.
 *
 * <p>Fields a type does not carry are null (or 0 for {@code code}). The canonical constructor
 * checks that each type carries exactly its fields, with the right lengths, and throws {@link
 * IllegalArgumentException} otherwise; the parser only builds valid messages. An IPv4-mapped IPv6
 * endpoint is kept as the IPv4 endpoint it maps, as the codec reads it.
 *
 * <p>Arrays and the data buffer are held, not copied, by the canonical constructor (the static
 * factories copy the arrays they are given), and the accessors return them: do not modify them. The
 * data of a parsed DATA message is a read-only view of the parsed payload (see {@link
 * RelayCodec#parse(ByteBuffer)}); {@link #data()} returns a fresh read-only view each call, so
 * reading it moves nothing the message holds. Equality compares contents, not identities.
 *
 * @param type the message type
 * @param circuit the circuit id on this hop, an unsigned 32-bit value held in an int's bits (see
 *     {@link RelayCodec} for the bits its sender sets)
 * @param key an X25519 public key, 32 bytes, in CONNECT, INCOMING and ACCEPT; else null
 * @param peerId a BitTorrent peer id, 20 bytes, in INCOMING and ACCEPT; else null
 * @param endpoint the target (CONNECT) or the initiator as the relay names it (INCOMING); else null
 * @param code the reason byte (0 to 255) of REFUSE and CLOSE, the credit (1 to 2^31 - 1) of WINDOW,
 *     else 0
 * @param data the sealed frame of DATA, 1 to {@link RelayCodec#MAX_DATA} bytes, read-only and at
 *     position 0; else null
 */
@SuppressWarnings("ArrayRecordComponent") // equals, hashCode and toString compare contents
public record RelayMessage(
    RelayMessageType type,
    int circuit,
    byte[] key,
    byte[] peerId,
    InetSocketAddress endpoint,
    int code,
    ByteBuffer data) {
  /** Bytes of an X25519 public key. */
  public static final int KEY_LENGTH = 32;

  /** Bytes of a BitTorrent peer id. */
  public static final int PEER_ID_LENGTH = 20;

  public RelayMessage {
    Objects.requireNonNull(type, "type");
    boolean hasKey = type == RelayMessageType.CONNECT || type == RelayMessageType.INCOMING;
    hasKey |= type == RelayMessageType.ACCEPT;
    boolean hasPeerId = type == RelayMessageType.INCOMING || type == RelayMessageType.ACCEPT;
    boolean hasEndpoint = type == RelayMessageType.CONNECT || type == RelayMessageType.INCOMING;
    boolean hasReason = type == RelayMessageType.REFUSE || type == RelayMessageType.CLOSE;
    check(hasKey, key, "key");
    if (key != null && key.length != KEY_LENGTH) {
      throw new IllegalArgumentException("key of " + key.length + " bytes, not " + KEY_LENGTH);
    }
    check(hasPeerId, peerId, "peerId");
    if (peerId != null && peerId.length != PEER_ID_LENGTH) {
      throw new IllegalArgumentException(
          "peer id of " + peerId.length + " bytes, not " + PEER_ID_LENGTH);
    }
    check(hasEndpoint, endpoint, "endpoint");
    if (endpoint != null) {
      if (endpoint.isUnresolved()) {
        throw new IllegalArgumentException("unresolved endpoint " + endpoint);
      }
      if (endpoint.getPort() == 0) {
        throw new IllegalArgumentException("endpoint " + endpoint + " has port 0");
      }
      endpoint = RelayCodec.canonical(endpoint);
    }
    check(type == RelayMessageType.DATA, data, "data");
    if (data != null) {
      int n = data.remaining();
      if (n < 1 || n > RelayCodec.MAX_DATA) {
        throw new IllegalArgumentException(
            "data of " + n + " bytes, not 1 to " + RelayCodec.MAX_DATA);
      }
      if (data.position() != 0 || !data.isReadOnly()) {
        data = data.slice().asReadOnlyBuffer();
      }
    }
    if (hasReason) {
      if (code < 0 || code > 255) {
        throw new IllegalArgumentException(type + " reason " + code + " is not a byte");
      }
    } else if (type == RelayMessageType.WINDOW) {
      if (code < 1) {
        throw new IllegalArgumentException("window credit " + code + " is not 1 to 2^31 - 1");
      }
    } else if (code != 0) {
      throw new IllegalArgumentException(type + " carries code 0, not " + code);
    }
  }

  private static void check(boolean wanted, Object value, String name) {
    if (wanted && value == null) {
      throw new IllegalArgumentException(name + " missing");
    }
    if (!wanted && value != null) {
      throw new IllegalArgumentException(name + " not carried by this type");
    }
  }

  /** Asks a relay to join us to its peer at {@code target}; {@code key} is our ephemeral key. */
  public static RelayMessage connect(int circuit, byte[] key, InetSocketAddress target) {
    return new RelayMessage(RelayMessageType.CONNECT, circuit, key.clone(), null, target, 0, null);
  }

  /** Tells a target that the peer {@code peerId} at {@code from} asks to be joined to it. */
  public static RelayMessage incoming(
      int circuit, byte[] key, byte[] peerId, InetSocketAddress from) {
    return new RelayMessage(
        RelayMessageType.INCOMING, circuit, key.clone(), peerId.clone(), from, 0, null);
  }

  /** Opens the circuit: {@code key} is the target's ephemeral key, {@code peerId} its peer id. */
  public static RelayMessage accept(int circuit, byte[] key, byte[] peerId) {
    return new RelayMessage(
        RelayMessageType.ACCEPT, circuit, key.clone(), peerId.clone(), null, 0, null);
  }

  /** Refuses a circuit; {@link RelayReason#UNKNOWN} is not sent. */
  public static RelayMessage refuse(int circuit, RelayReason r) {
    return new RelayMessage(RelayMessageType.REFUSE, circuit, null, null, null, sendable(r), null);
  }

  /**
   * One frame of the stream: the bytes between {@code bytes}'s position and limit, held as a
   * read-only view (not copied; {@code bytes} does not move).
   */
  public static RelayMessage data(int circuit, ByteBuffer bytes) {
    return new RelayMessage(
        RelayMessageType.DATA, circuit, null, null, null, 0, bytes.slice().asReadOnlyBuffer());
  }

  /** Grants the other end {@code credit} more bytes of data (1 to 2^31 - 1). */
  public static RelayMessage window(int circuit, int credit) {
    return new RelayMessage(RelayMessageType.WINDOW, circuit, null, null, null, credit, null);
  }

  /** Ends a circuit; {@link RelayReason#UNKNOWN} is not sent. */
  public static RelayMessage close(int circuit, RelayReason r) {
    return new RelayMessage(RelayMessageType.CLOSE, circuit, null, null, null, sendable(r), null);
  }

  private static int sendable(RelayReason r) {
    if (r == RelayReason.UNKNOWN) {
      throw new IllegalArgumentException("UNKNOWN is not a reason to send");
    }
    return r.code();
  }

  /**
   * The reason of a REFUSE or CLOSE ({@link RelayReason#UNKNOWN} for a byte ns_relay does not
   * define; {@link #code} keeps it); null for the other types.
   */
  public RelayReason reason() {
    return type == RelayMessageType.REFUSE || type == RelayMessageType.CLOSE
        ? RelayReason.of(code)
        : null;
  }

  /** The circuit id as the unsigned value it is on the wire. */
  public long circuitUnsigned() {
    return Integer.toUnsignedLong(circuit);
  }

  /** The credit of a WINDOW; 0 for the other types. */
  public int credit() {
    return type == RelayMessageType.WINDOW ? code : 0;
  }

  /**
   * The sealed frame of a DATA message as a new read-only view (position 0, limit its length) of
   * the bytes the message holds; null for the other types.
   */
  @Override
  public ByteBuffer data() {
    return data == null ? null : data.duplicate();
  }

  /** Bytes {@link RelayCodec#encode} writes for this message. */
  public int encodedLength() {
    return RelayCodec.encodedLength(this);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RelayMessage m
        && type == m.type
        && circuit == m.circuit
        && code == m.code
        && Arrays.equals(key, m.key)
        && Arrays.equals(peerId, m.peerId)
        && Objects.equals(endpoint, m.endpoint)
        && Objects.equals(data, m.data);
  }

  @Override
  public int hashCode() {
    int h = Objects.hash(type, circuit, code, endpoint, data);
    h = 31 * h + Arrays.hashCode(key);
    return 31 * h + Arrays.hashCode(peerId);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("RelayMessage[").append(type);
    s.append(" circuit=").append(circuitUnsigned());
    if (key != null) {
      s.append(" key=").append(HexFormat.of().formatHex(key, 0, 4)).append('…');
    }
    if (peerId != null) {
      s.append(" peerId=").append(HexFormat.of().formatHex(peerId));
    }
    if (endpoint != null) {
      s.append(" endpoint=").append(endpoint);
    }
    if (type == RelayMessageType.REFUSE || type == RelayMessageType.CLOSE) {
      s.append(" reason=").append(reason()).append('(').append(code).append(')');
    } else if (type == RelayMessageType.WINDOW) {
      s.append(" credit=").append(code);
    }
    if (data != null) {
      s.append(" data=").append(data.remaining()).append(" bytes");
    }
    return s.append(']').toString();
  }
}
