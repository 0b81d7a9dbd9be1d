package io.natswarm.node.bt;

import io.natswarm.node.PeerEncryption;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The receiving side (B) of Message Stream Encryption (the "Message Stream Encryption" spec,
 * section "Protocol", steps 1 to 4; libtorrent calls it PE) as a sans-IO state machine, for every
 * incoming peer stream. It replaces Bt 1.10's {@code MSEHandshakeProcessor.negotiateIncoming},
 * which assumes that step 1 and step 3 each arrive in one read and that nothing follows step 3:
 * libtorrent sends its encrypted BitTorrent handshake right behind step 3, and Bt decrypted those
 * bytes twice.
 *
 * <p>The exchange, with A the initiator:
 *
 * <ol>
 *   <li>A→B: Ya, PadA (0..512 bytes). If instead the first 20 bytes are {@code "\x13BitTorrent
 *       protocol"}, the peer speaks plaintext BEP 3 and those bytes are handed on as they are (when
 *       the policy allows plaintext).
 *   <li>B→A: Yb, PadB (0..512 random bytes), as soon as Ya is complete.
 *   <li>A→B: HASH('req1', S), HASH('req2', SKEY) xor HASH('req3', S), ENCRYPT(VC, crypto_provide,
 *       len(PadC), PadC, len(IA)), ENCRYPT(IA). PadA's length is unknown, so B scans for
 *       HASH('req1', S): it must end within 96 + 512 + 20 = 628 bytes of the stream's start (the
 *       spec bounds the resynchronisation to 532 bytes after Ya), else {@link MseError#NO_SYNC}.
 *   <li>B→A: ENCRYPT(VC, crypto_select, len(PadD), PadD), then the payload stream.
 * </ol>
 *
 * <p>crypto_select follows our {@link PeerEncryption}: RC4 (0x02) when required or preferred and
 * offered, plaintext (0x01) when preferred or when it is all the peer offers and our policy allows
 * it; {@link PeerEncryption#REQUIRE_PLAINTEXT} refuses MSE altogether. With RC4 the handshake ends
 * right after len(IA): IA and everything behind it stay encrypted in the caller's buffer and the
 * decryption cipher is positioned at IA's first byte, so the message pipeline decrypts each byte
 * exactly once. With plaintext chosen, IA (still RC4 on the wire) is decrypted here and handed out
 * as {@link #initialPlaintext}. Both ciphers are RC4 past their first 1024 bytes (keyA/keyB, see
 * {@link MseCrypto}).
 *
 * <p>Buffering is bounded by the spec: at most 628 bytes up to HASH('req1', S), 514 for PadC and
 * len(IA), 65535 for an IA under plaintext. Bytes are consumed one handshake field at a time, so
 * any chunking of the peer's bytes (one byte per read, a split inside step 3, step 3 and the
 * BitTorrent handshake in one read) gives the same result.
 *
 * <p>Thread: owned by the thread that establishes the connection (one of Bt's connection workers,
 * in {@link PeerConnector}); not thread-safe.
 */
final class MseReceiver implements MseExchange {
  /** The BEP 3 handshake's first 20 bytes: pstrlen 19 and "BitTorrent protocol". */
  static final byte[] PLAINTEXT_PREFIX =
      "\u0013BitTorrent protocol".getBytes(StandardCharsets.ISO_8859_1);

  /** Where HASH('req1', S) must have ended: Ya, the longest PadA, the hash. */
  static final int REQ1_HORIZON = MseCrypto.KEY_BYTES + MseCrypto.MAX_PAD + 20;

  /** Where the exchange stands. */
  enum State {
    /** Deciding between a plaintext BitTorrent handshake and Ya. */
    DETECT,
    READ_YA,
    /** Scanning for HASH('req1', S) behind PadA. */
    SYNC_REQ1,
    /** HASH('req2', SKEY) xor HASH('req3', S). */
    READ_SKEY,
    /** ENCRYPT(VC, crypto_provide, len(PadC)). */
    READ_VC_HEADER,
    /** ENCRYPT(PadC, len(IA)). */
    READ_PAD_C,
    /** ENCRYPT(IA), read here only when plaintext was chosen. */
    READ_IA,
    DONE,
    FAILED;

    boolean isFinal() {
      return this == DONE || this == FAILED;
    }
  }

  /** The info hashes we serve, for finding SKEY. */
  interface Torrents {
    /**
     * The torrent whose info hash gives {@code HASH('req2', infoHash)} == {@code req2}, or null.
     */
    byte[] findByReq2(byte[] req2);
  }

  private final PeerEncryption policy;
  private final Torrents torrents;
  private final SecureRandom random;
  private State state = State.DETECT;
  private MseError error;

  /** The stream's first bytes up to the end of HASH('req1', S). */
  private final byte[] head = new byte[REQ1_HORIZON];

  private int headLength;

  /** Fixed-size fields after req1: the 20-byte SKEY hash, the 14-byte VC header, PadC, IA. */
  private byte[] field = new byte[20];

  private int fieldLength;
  private int fieldNeed = 20;

  private MseCrypto.KeyPair keys;
  private byte[] secret;
  private byte[] req1;
  private MseCrypto.Ciphers ciphers;
  private int selected;
  private ByteBuffer output;
  private ByteBuffer initialPlaintext = ByteBuffer.allocate(0);

  MseReceiver(PeerEncryption policy, Torrents torrents, SecureRandom random) {
    this.policy = policy;
    this.torrents = torrents;
    this.random = random;
  }

  State state() {
    return state;
  }

  /** The method chosen: {@link MseCrypto#CRYPTO_RC4}, {@link MseCrypto#CRYPTO_PLAINTEXT}, or 0. */
  int selected() {
    return selected;
  }

  /** True if the peer spoke plaintext BEP 3 without MSE. */
  boolean plaintextHandshake() {
    return state == State.DONE && selected == 0;
  }

  @Override
  public String stateName() {
    return state.name();
  }

  @Override
  public boolean isDone() {
    return state == State.DONE;
  }

  @Override
  public boolean isFailed() {
    return state == State.FAILED;
  }

  @Override
  public MseError error() {
    return error;
  }

  @Override
  public MseCrypto.Ciphers ciphers() {
    return state == State.DONE && selected == MseCrypto.CRYPTO_RC4 ? ciphers : null;
  }

  @Override
  public ByteBuffer initialPlaintext() {
    return initialPlaintext.asReadOnlyBuffer();
  }

  /** Queues {@code bytes} (read mode) behind whatever is not yet polled. */
  private void send(ByteBuffer bytes) {
    if (output == null || !output.hasRemaining()) {
      output = bytes;
      return;
    }
    output =
        ByteBuffer.allocate(output.remaining() + bytes.remaining()).put(output).put(bytes).flip();
  }

  @Override
  public ByteBuffer pollOutput() {
    ByteBuffer o = output;
    output = null;
    return o;
  }

  @Override
  public void handle(ByteBuffer in) {
    while (in.hasRemaining() && !state.isFinal()) {
      switch (state) {
        case DETECT -> detect(in.get());
        case READ_YA -> {
          head[headLength++] = in.get();
          if (headLength == MseCrypto.KEY_BYTES) {
            onYa();
          }
        }
        case SYNC_REQ1 -> syncReq1(in.get());
        case READ_SKEY, READ_VC_HEADER, READ_PAD_C, READ_IA -> {
          int n = Math.min(in.remaining(), fieldNeed - fieldLength);
          in.get(field, fieldLength, n);
          fieldLength += n;
          if (fieldLength == fieldNeed) {
            onField();
          }
        }
        default -> throw new IllegalStateException("unreachable: " + state);
      }
    }
  }

  private void detect(byte b) {
    head[headLength++] = b;
    if (b != PLAINTEXT_PREFIX[headLength - 1]) {
      if (policy == PeerEncryption.REQUIRE_PLAINTEXT) {
        fail(MseError.MSE_REFUSED);
      } else {
        transition(State.READ_YA); // Ya is 96 bytes: more than the 20 read so far
      }
    } else if (headLength == PLAINTEXT_PREFIX.length) {
      if (policy == PeerEncryption.REQUIRE_ENCRYPTED) {
        fail(MseError.PLAINTEXT_REFUSED);
      } else {
        initialPlaintext = ByteBuffer.wrap(Arrays.copyOf(head, headLength));
        transition(State.DONE);
      }
    }
  }

  private void onYa() {
    BigInteger ya = MseCrypto.decodePublicKey(head, 0);
    if (ya == null) {
      fail(MseError.BAD_PUBLIC_KEY);
      return;
    }
    keys = MseCrypto.generateKeyPair(random);
    secret = MseCrypto.sharedSecret(ya, keys);
    req1 = MseCrypto.hash("req1", secret);
    byte[] padB = new byte[random.nextInt(MseCrypto.MAX_PAD + 1)];
    random.nextBytes(padB);
    ByteBuffer o = ByteBuffer.allocate(MseCrypto.KEY_BYTES + padB.length);
    o.put(keys.publicKey()).put(padB).flip();
    send(o);
    transition(State.SYNC_REQ1);
  }

  private void syncReq1(byte b) {
    head[headLength++] = b;
    int start = headLength - 20;
    if (start >= MseCrypto.KEY_BYTES
        && Arrays.equals(head, start, headLength, req1, 0, req1.length)) {
      expect(20);
      transition(State.READ_SKEY);
    } else if (headLength == REQ1_HORIZON) {
      fail(MseError.NO_SYNC);
    }
  }

  private void expect(int n) {
    if (field.length < n) {
      field = new byte[n];
    }
    fieldLength = 0;
    fieldNeed = n;
  }

  private void onField() {
    switch (state) {
      case READ_SKEY -> onSkey();
      case READ_VC_HEADER -> onVcHeader();
      case READ_PAD_C -> onPadC();
      case READ_IA -> {
        MseCrypto.apply(ciphers.decrypt(), field, 0, fieldNeed);
        initialPlaintext = ByteBuffer.wrap(Arrays.copyOf(field, fieldNeed));
        transition(State.DONE);
      }
      default -> throw new IllegalStateException("unreachable: " + state);
    }
  }

  private void onSkey() {
    byte[] req2 = Arrays.copyOf(field, 20);
    byte[] req3 = MseCrypto.hash("req3", secret);
    for (int i = 0; i < 20; i++) {
      req2[i] ^= req3[i];
    }
    byte[] skey = torrents.findByReq2(req2);
    if (skey == null) {
      fail(MseError.UNKNOWN_TORRENT);
      return;
    }
    ciphers = MseCrypto.receiverCiphers(secret, skey);
    expect(MseCrypto.VC_BYTES + 4 + 2);
    transition(State.READ_VC_HEADER);
  }

  private void onVcHeader() {
    MseCrypto.apply(ciphers.decrypt(), field, 0, fieldNeed);
    for (int i = 0; i < MseCrypto.VC_BYTES; i++) {
      if (field[i] != 0) {
        fail(MseError.BAD_VC);
        return;
      }
    }
    int provide = ByteBuffer.wrap(field, MseCrypto.VC_BYTES, 4).getInt();
    int padC = ByteBuffer.wrap(field, MseCrypto.VC_BYTES + 4, 2).getShort() & 0xFFFF;
    int choice = select(provide);
    if (choice == 0) {
      fail(MseError.NO_COMMON_METHOD);
      return;
    }
    if (padC > MseCrypto.MAX_PAD) {
      fail(MseError.PAD_TOO_LONG);
      return;
    }
    selected = choice;
    expect(padC + 2);
    transition(State.READ_PAD_C);
  }

  private void onPadC() {
    MseCrypto.apply(ciphers.decrypt(), field, 0, fieldNeed);
    int ia = ((field[fieldNeed - 2] & 0xFF) << 8) | (field[fieldNeed - 1] & 0xFF);
    sendStep4();
    if (selected == MseCrypto.CRYPTO_PLAINTEXT && ia > 0) {
      expect(ia);
      transition(State.READ_IA);
    } else {
      transition(State.DONE);
    }
  }

  /** ENCRYPT(VC, crypto_select, len(PadD), PadD); PadD is zeros, as the spec asks for now. */
  private void sendStep4() {
    int padD = random.nextInt(MseCrypto.MAX_PAD + 1);
    byte[] m = new byte[MseCrypto.VC_BYTES + 4 + 2 + padD];
    ByteBuffer.wrap(m, MseCrypto.VC_BYTES, 6).putInt(selected).putShort((short) padD);
    MseCrypto.apply(ciphers.encrypt(), m, 0, m.length);
    send(ByteBuffer.wrap(m));
  }

  /** crypto_select for a crypto_provide under our policy, or 0 if there is none. */
  int select(int provide) {
    boolean plain = (provide & MseCrypto.CRYPTO_PLAINTEXT) != 0;
    boolean rc4 = (provide & MseCrypto.CRYPTO_RC4) != 0;
    return switch (policy) {
      case REQUIRE_ENCRYPTED -> rc4 ? MseCrypto.CRYPTO_RC4 : 0;
      case PREFER_ENCRYPTED -> rc4 ? MseCrypto.CRYPTO_RC4 : plain ? MseCrypto.CRYPTO_PLAINTEXT : 0;
      case PREFER_PLAINTEXT -> plain ? MseCrypto.CRYPTO_PLAINTEXT : rc4 ? MseCrypto.CRYPTO_RC4 : 0;
      case REQUIRE_PLAINTEXT -> 0;
    };
  }

  private void fail(MseError e) {
    error = e;
    transition(State.FAILED);
  }

  /** Moves to {@code next} if the table of legal moves allows it. */
  private void transition(State next) {
    boolean ok =
        (next == State.FAILED && !state.isFinal())
            || switch (state) {
              case DETECT -> next == State.READ_YA || next == State.DONE;
              case READ_YA -> next == State.SYNC_REQ1;
              case SYNC_REQ1 -> next == State.READ_SKEY;
              case READ_SKEY -> next == State.READ_VC_HEADER;
              case READ_VC_HEADER -> next == State.READ_PAD_C;
              case READ_PAD_C -> next == State.READ_IA || next == State.DONE;
              case READ_IA -> next == State.DONE;
              case DONE, FAILED -> false;
            };
    if (!ok) {
      throw new IllegalStateException("MSE receiver " + state + " -> " + next);
    }
    state = next;
  }
}
