package io.natswarm.node.bt;

import io.natswarm.node.PeerEncryption;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The initiating side (A) of Message Stream Encryption (the "Message Stream Encryption" spec,
 * section "Protocol", steps 1 to 4) as a sans-IO state machine, for every stream we dial. It
 * replaces Bt 1.10's {@code MSEHandshakeProcessor.negotiateOutgoing}, which decrypts whatever its
 * reads return behind step 4 and leaves those bytes decrypted in the buffer its message pipeline
 * then decrypts again.
 *
 * <ol>
 *   <li>A→B: Ya, PadA (0..512 random bytes), at construction.
 *   <li>B→A: Yb, PadB. As soon as Yb is complete, A sends step 3.
 *   <li>A→B: HASH('req1', S), HASH('req2', SKEY) xor HASH('req3', S), ENCRYPT(VC, crypto_provide,
 *       len(PadC), PadC, len(IA)) with an empty IA: Bt sends the BitTorrent handshake afterwards.
 *   <li>B→A: ENCRYPT(VC, crypto_select, len(PadD), PadD). PadB's length is unknown, so A scans for
 *       ENCRYPT(VC), which must end within 96 + 512 + 8 = 616 bytes, else {@link MseError#NO_SYNC}.
 * </ol>
 *
 * <p>crypto_provide follows our {@link PeerEncryption}: RC4 only (0x02) when required, both (0x03)
 * otherwise; crypto_select must be one of them. The handshake ends right after PadD: bytes behind
 * it stay in the caller's buffer as they came, RC4-encrypted with {@link #ciphers()}'s decryption
 * cipher positioned at their first byte (or plaintext if plaintext was chosen).
 *
 * <p>Thread: owned by the thread that dials the connection (one of Bt's connection workers, in
 * {@link PeerConnector}); not thread-safe.
 */
final class MseInitiator implements MseExchange {
  /** Where ENCRYPT(VC) must have ended: Yb, the longest PadB, VC. */
  static final int VC_HORIZON = MseCrypto.KEY_BYTES + MseCrypto.MAX_PAD + MseCrypto.VC_BYTES;

  /** Where the exchange stands. */
  enum State {
    READ_YB,
    /** Scanning for ENCRYPT(VC) behind PadB. */
    SYNC_VC,
    /** ENCRYPT(crypto_select, len(PadD)). */
    READ_SELECT,
    READ_PAD_D,
    DONE,
    FAILED;

    boolean isFinal() {
      return this == DONE || this == FAILED;
    }
  }

  private final int provide;
  private final byte[] skey;
  private final MseCrypto.KeyPair keys;
  private State state = State.READ_YB;
  private MseError error;
  private final byte[] head = new byte[VC_HORIZON];
  private int headLength;
  private final byte[] field = new byte[MseCrypto.MAX_PAD];
  private int fieldLength;
  private int fieldNeed;
  private byte[] encryptedVc;
  private MseCrypto.Ciphers ciphers;
  private int selected;
  private ByteBuffer output;

  /**
   * Starts the exchange for the torrent {@code infoHash}; step 1 is ready in {@link #pollOutput}.
   */
  MseInitiator(PeerEncryption policy, byte[] infoHash, SecureRandom random) {
    this.provide =
        policy == PeerEncryption.REQUIRE_ENCRYPTED
            ? MseCrypto.CRYPTO_RC4
            : policy == PeerEncryption.REQUIRE_PLAINTEXT
                ? MseCrypto.CRYPTO_PLAINTEXT
                : MseCrypto.CRYPTO_RC4 | MseCrypto.CRYPTO_PLAINTEXT;
    this.skey = infoHash.clone();
    this.keys = MseCrypto.generateKeyPair(random);
    byte[] padA = new byte[random.nextInt(MseCrypto.MAX_PAD + 1)];
    random.nextBytes(padA);
    ByteBuffer o = ByteBuffer.allocate(MseCrypto.KEY_BYTES + padA.length);
    o.put(keys.publicKey()).put(padA).flip();
    send(o);
  }

  State state() {
    return state;
  }

  /**
   * The method the peer chose: {@link MseCrypto#CRYPTO_RC4} or {@link MseCrypto#CRYPTO_PLAINTEXT}.
   */
  int selected() {
    return selected;
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
    return ByteBuffer.allocate(0);
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
        case READ_YB -> {
          head[headLength++] = in.get();
          if (headLength == MseCrypto.KEY_BYTES) {
            onYb();
          }
        }
        case SYNC_VC -> syncVc(in.get());
        case READ_SELECT, READ_PAD_D -> {
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

  private void onYb() {
    BigInteger yb = MseCrypto.decodePublicKey(head, 0);
    if (yb == null) {
      fail(MseError.BAD_PUBLIC_KEY);
      return;
    }
    byte[] secret = MseCrypto.sharedSecret(yb, keys);
    ciphers = MseCrypto.initiatorCiphers(secret, skey);
    encryptedVc = new byte[MseCrypto.VC_BYTES];
    MseCrypto.apply(
        MseCrypto.rc4(MseCrypto.hash("keyB", secret, skey)), encryptedVc, 0, encryptedVc.length);
    int padC = 0; // PadC is reserved; libtorrent sends none either way it matters
    byte[] crypt = new byte[MseCrypto.VC_BYTES + 4 + 2 + padC + 2];
    ByteBuffer.wrap(crypt, MseCrypto.VC_BYTES, 8).putInt(provide).putShort((short) padC);
    MseCrypto.apply(ciphers.encrypt(), crypt, 0, crypt.length);
    ByteBuffer o = ByteBuffer.allocate(40 + crypt.length);
    o.put(MseCrypto.hash("req1", secret)).put(MseCrypto.obfuscatedSkey(skey, secret)).put(crypt);
    send(o.flip());
    transition(State.SYNC_VC);
  }

  private void syncVc(byte b) {
    head[headLength++] = b;
    int start = headLength - MseCrypto.VC_BYTES;
    if (start >= MseCrypto.KEY_BYTES
        && Arrays.equals(head, start, headLength, encryptedVc, 0, encryptedVc.length)) {
      // advance the real decryption cipher past VC
      MseCrypto.apply(ciphers.decrypt(), head, start, MseCrypto.VC_BYTES);
      fieldLength = 0;
      fieldNeed = 4 + 2;
      transition(State.READ_SELECT);
    } else if (headLength == VC_HORIZON) {
      fail(MseError.NO_SYNC);
    }
  }

  private void onField() {
    MseCrypto.apply(ciphers.decrypt(), field, 0, fieldNeed);
    if (state == State.READ_PAD_D) {
      transition(State.DONE);
      return;
    }
    int select = ByteBuffer.wrap(field, 0, 4).getInt();
    int padD = ByteBuffer.wrap(field, 4, 2).getShort() & 0xFFFF;
    if ((select != MseCrypto.CRYPTO_RC4 && select != MseCrypto.CRYPTO_PLAINTEXT)
        || (select & provide) == 0) {
      fail(MseError.BAD_CRYPTO_SELECT);
      return;
    }
    if (padD > MseCrypto.MAX_PAD) {
      fail(MseError.PAD_TOO_LONG);
      return;
    }
    selected = select;
    fieldLength = 0;
    fieldNeed = padD;
    if (padD == 0) {
      transition(State.READ_PAD_D);
      transition(State.DONE);
    } else {
      transition(State.READ_PAD_D);
    }
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
              case READ_YB -> next == State.SYNC_VC;
              case SYNC_VC -> next == State.READ_SELECT;
              case READ_SELECT -> next == State.READ_PAD_D;
              case READ_PAD_D -> next == State.DONE;
              case DONE, FAILED -> false;
            };
    if (!ok) {
      throw new IllegalStateException("MSE initiator " + state + " -> " + next);
    }
    state = next;
  }
}
