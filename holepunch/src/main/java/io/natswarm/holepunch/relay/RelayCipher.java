package io.natswarm.holepunch.relay;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.agreement.X25519Agreement;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PublicKeyParameters;

/**
 * One end (the initiator I or the target T) of the end-to-end encryption of an ns_relay circuit:
 * the relay in between forwards DATA messages whose bytes are frames this class seals and opens.
 *
 * <p>Handshake: I makes an ephemeral X25519 key pair ({@link #initiator}) and sends its public key
 * in CONNECT; the relay passes it to T in INCOMING with I's peer id; T makes its own pair ({@link
 * #target}), is ready at once, and sends its public key in ACCEPT, which the relay passes to I with
 * T's peer id; I then calls {@link #complete}. Key schedule (RFC 7748 X25519, RFC 5869 HKDF with
 * SHA-256):
 *
 * <pre>
 * shared = X25519(own secret, other's public key)     (all zero: refused, a low-order point)
 * prk    = HKDF-Extract(salt = info-hash, ikm = shared)
 * okm    = HKDF-Expand(prk, "natswarm relay v1" || I's key || T's key || I's peer id || T's peer id, 64)
 * okm[0..32)  = the key of frames from I to T, okm[32..64) = the key of frames from T to I
 * </pre>
 *
 * <p>Frames: ChaCha20-Poly1305 (RFC 8439) of at most {@link #MAX_PLAINTEXT} bytes, so a frame is
 * the plaintext plus a {@value #TAG}-byte tag and fits one DATA message. Each direction's nonce is
 * 4 zero bytes and a 64-bit big-endian frame counter starting at 0; frames carry no counter, so
 * each end must open the other's frames exactly once and in order: a replayed, reordered, dropped,
 * truncated or altered frame fails to open ({@link Status#AUTH_FAILED}), after which the cipher is
 * dead (every later open fails too) and the stream must be closed.
 *
 * <p>What it protects, plainly: the keys are bound to the torrent's info-hash and to both peer ids
 * as each end learnt them, so a relay that lies about a peer id (or ends of different torrents)
 * derive different keys and the first frame fails. A passive relay, or anyone else on the path, can
 * neither read nor alter the stream unnoticed. There are no long-term identity keys, though, so an
 * active relay that knows the info-hash can run one handshake with each end itself (giving each its
 * own key and the true peer ids) and read and rewrite everything: the encryption is as strong
 * against the relay as BitTorrent's own peer authentication is, which is to say not at all against
 * a relay that chooses to attack. Trust a relayed peer as much as an unauthenticated direct one.
 *
 * <p>Sans-IO and not thread-safe: owned by the engine thread that owns the circuit. Buffers given
 * to {@link #seal} and {@link #open} must not share memory. After setup, sealing and opening
 * allocate only Bouncy Castle's small parameter objects; the two ChaCha20-Poly1305 instances and
 * nonce arrays are reused, and direct buffers go through one lazily made scratch array.
 */
public final class RelayCipher {
  /** The most plaintext one frame carries. */
  public static final int MAX_PLAINTEXT = 16384;

  /** Bytes of the Poly1305 tag ending each frame. */
  public static final int TAG = 16;

  /** The longest frame: a full plaintext and its tag. */
  public static final int MAX_FRAME = MAX_PLAINTEXT + TAG;

  private static final byte[] LABEL = "natswarm relay v1".getBytes(StandardCharsets.US_ASCII);
  private static final int KEY = 32;
  private static final int NONCE = 12;

  /** The outcome of {@link #open}. */
  public enum Status {
    /** The frame opened; {@link OpenResult#length} bytes of plaintext were written. */
    OK,
    /** The frame is not the next frame of the other end: the cipher is now dead. */
    AUTH_FAILED,
    /** Fewer bytes than a tag: not a frame (nothing consumed; the cipher is not harmed). */
    TOO_SHORT,
    /** The output buffer has less room than the frame's plaintext (nothing consumed). */
    NO_ROOM
  }

  /**
   * The outcome of {@link #open}: a status and, when {@link Status#OK}, the plaintext's length.
   * Immutable; the failures are shared instances.
   *
   * @param status what happened
   * @param length bytes of plaintext written; 0 unless OK
   */
  public record OpenResult(Status status, int length) {
    static final OpenResult AUTH_FAILED = new OpenResult(Status.AUTH_FAILED, 0);
    static final OpenResult TOO_SHORT = new OpenResult(Status.TOO_SHORT, 0);
    static final OpenResult NO_ROOM = new OpenResult(Status.NO_ROOM, 0);

    /** True when the frame opened. */
    public boolean ok() {
      return status == Status.OK;
    }
  }

  private final boolean isInitiator;
  private final byte[] infoHash;
  private final byte[] ownPeerId;
  private final byte[] publicKey;
  private X25519PrivateKeyParameters secret; // null once the keys are derived
  private final ChaCha20Poly1305 sealer = new ChaCha20Poly1305();
  private final ChaCha20Poly1305 opener = new ChaCha20Poly1305();
  private final byte[] sealNonce = new byte[NONCE];
  private final byte[] openNonce = new byte[NONCE];
  private long sealed;
  private long opened;
  private byte[] scratch; // for buffers without an accessible array
  private boolean completed;
  private boolean ready;
  private boolean dead;

  private RelayCipher(boolean isInitiator, byte[] infoHash, byte[] ownPeerId, SecureRandom random) {
    Objects.requireNonNull(infoHash, "infoHash");
    if (infoHash.length == 0) {
      throw new IllegalArgumentException("empty info-hash");
    }
    if (ownPeerId.length != RelayMessage.PEER_ID_LENGTH) {
      throw new IllegalArgumentException("own peer id of " + ownPeerId.length + " bytes, not 20");
    }
    this.isInitiator = isInitiator;
    this.infoHash = infoHash.clone();
    this.ownPeerId = ownPeerId.clone();
    this.secret = new X25519PrivateKeyParameters(Objects.requireNonNull(random, "random"));
    this.publicKey = secret.generatePublicKey().getEncoded();
  }

  /**
   * The initiator's end: its public key goes in CONNECT; {@link #complete} it on ACCEPT.
   *
   * @param infoHash the torrent's info-hash (20 bytes for v1, 32 for v2)
   * @param ownPeerId our peer id, 20 bytes, as we sent it in our BitTorrent handshake with the
   *     relay
   * @param random the source of the ephemeral key; a {@link SecureRandom}, never a seeded one
   */
  public static RelayCipher initiator(byte[] infoHash, byte[] ownPeerId, SecureRandom random) {
    return new RelayCipher(true, infoHash, ownPeerId, random);
  }

  /**
   * The target's end, ready at once; its {@link #publicKey} goes in ACCEPT.
   *
   * @param initiatorKey the key in INCOMING
   * @param initiatorPeerId the peer id in INCOMING
   * @return the cipher, or null when {@code initiatorKey} is not a usable X25519 public key (a
   *     low-order point, whose shared secret is all zero) or the remote values have the wrong
   *     lengths: refuse the circuit then
   */
  public static RelayCipher target(
      byte[] infoHash,
      byte[] ownPeerId,
      byte[] initiatorKey,
      byte[] initiatorPeerId,
      SecureRandom random) {
    RelayCipher c = new RelayCipher(false, infoHash, ownPeerId, random);
    return c.derive(initiatorKey, initiatorPeerId) ? c : null;
  }

  /** Our ephemeral X25519 public key, 32 bytes (a copy). */
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /** True when this is the initiator's end. */
  public boolean isInitiator() {
    return isInitiator;
  }

  /** True once the keys are derived: the target at once, the initiator after {@link #complete}. */
  public boolean ready() {
    return ready;
  }

  /** True after a frame failed to open: the stream must be closed. */
  public boolean dead() {
    return dead;
  }

  /**
   * The initiator's end learns the target's key and peer id from ACCEPT.
   *
   * @param targetPeerId the peer id in ACCEPT (the relay's view of the target's)
   * @return true when ready; false when {@code targetKey} is a low-order point (all-zero shared
   *     secret) or the values have the wrong lengths: close the circuit then
   * @throws IllegalStateException on the target's end, or when called a second time
   */
  public boolean complete(byte[] targetKey, byte[] targetPeerId) {
    if (!isInitiator) {
      throw new IllegalStateException("the target's end is complete from the start");
    }
    if (completed) {
      throw new IllegalStateException("complete called twice");
    }
    return derive(targetKey, targetPeerId);
  }

  /** The key agreement and key schedule with the other end's key and peer id. */
  private boolean derive(byte[] otherKey, byte[] otherPeerId) {
    completed = true;
    X25519PrivateKeyParameters own = secret;
    secret = null;
    if (otherKey == null
        || otherKey.length != KEY
        || otherPeerId == null
        || otherPeerId.length != RelayMessage.PEER_ID_LENGTH) {
      return false;
    }
    byte[] shared = new byte[KEY];
    try {
      X25519Agreement agreement = new X25519Agreement();
      agreement.init(own);
      agreement.calculateAgreement(new X25519PublicKeyParameters(otherKey, 0), shared, 0);
    } catch (IllegalStateException lowOrder) {
      return false; // Bouncy Castle refuses an all-zero shared secret
    }
    int bits = 0;
    for (byte b : shared) {
      bits |= b;
    }
    if (bits == 0) {
      return false;
    }
    byte[] iKey = isInitiator ? publicKey : otherKey;
    byte[] tKey = isInitiator ? otherKey : publicKey;
    byte[] iId = isInitiator ? ownPeerId : otherPeerId;
    byte[] tId = isInitiator ? otherPeerId : ownPeerId;
    byte[] info = new byte[LABEL.length + 2 * KEY + 2 * RelayMessage.PEER_ID_LENGTH];
    int i = 0;
    for (byte[] part : new byte[][] {LABEL, iKey, tKey, iId, tId}) {
      System.arraycopy(part, 0, info, i, part.length);
      i += part.length;
    }
    HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
    hkdf.init(new HKDFParameters(shared, infoHash, info));
    byte[] okm = new byte[2 * KEY];
    hkdf.generateBytes(okm, 0, okm.length);
    KeyParameter toTarget = new KeyParameter(okm, 0, KEY);
    KeyParameter toInitiator = new KeyParameter(okm, KEY, KEY);
    // These inits set the keys, with a nonce no frame uses (frames' nonces start with 4 zero
    // bytes): Bouncy Castle refuses to encrypt twice under one nonce, so the first frame's
    // init (nonce 0, key kept) must not repeat this one's.
    byte[] unused = new byte[NONCE];
    Arrays.fill(unused, (byte) 0xFF);
    sealer.init(true, new ParametersWithIV(isInitiator ? toTarget : toInitiator, unused));
    opener.init(false, new ParametersWithIV(isInitiator ? toInitiator : toTarget, unused));
    Arrays.fill(shared, (byte) 0);
    Arrays.fill(okm, (byte) 0);
    ready = true;
    return true;
  }

  /**
   * Seals the next min({@code plaintext.remaining()}, {@link #MAX_PLAINTEXT}) bytes of {@code
   * plaintext} (advancing it) into one frame written into {@code frameOut} (advancing it), and
   * returns the frame's length: the plaintext's plus {@value #TAG}. An empty plaintext makes a
   * frame of just the tag.
   *
   * @throws BufferOverflowException if {@code frameOut} has no room for the frame; nothing moves
   * @throws IllegalStateException before the keys are derived
   */
  public int seal(ByteBuffer plaintext, ByteBuffer frameOut) {
    if (!ready) {
      throw new IllegalStateException("relay cipher not ready");
    }
    int n = Math.min(plaintext.remaining(), MAX_PLAINTEXT);
    int frame = n + TAG;
    if (frameOut.remaining() < frame) {
      throw new BufferOverflowException();
    }
    if (sealed == -1L) {
      throw new IllegalStateException("2^64 frames sealed: nonce space exhausted");
    }
    nonce(sealNonce, sealed++);
    sealer.init(true, new ParametersWithIV(null, sealNonce));
    byte[] in;
    int inOff;
    if (plaintext.hasArray()) {
      in = plaintext.array();
      inOff = plaintext.arrayOffset() + plaintext.position();
    } else {
      in = scratch();
      inOff = 0;
      plaintext.get(plaintext.position(), in, 0, n);
    }
    boolean direct = frameOut.hasArray() && !frameOut.isReadOnly();
    byte[] out = direct ? frameOut.array() : scratch();
    int outOff = direct ? frameOut.arrayOffset() + frameOut.position() : MAX_FRAME;
    try {
      int w = sealer.processBytes(in, inOff, n, out, outOff);
      sealer.doFinal(out, outOff + w);
    } catch (InvalidCipherTextException e) {
      throw new AssertionError("sealing checks no tag", e);
    }
    plaintext.position(plaintext.position() + n);
    if (direct) {
      frameOut.position(frameOut.position() + frame);
    } else {
      frameOut.put(out, outOff, frame);
    }
    return frame;
  }

  /**
   * Opens the next frame of the other end: the bytes between {@code frame}'s position and limit,
   * whole. On {@link Status#OK} the plaintext is written into {@code plaintextOut} (advanced) and
   * {@code frame} is consumed; otherwise neither moves, and nothing unauthenticated is left in
   * {@code plaintextOut}. A frame longer than {@link #MAX_FRAME} was never sealed by an honest end:
   * AUTH_FAILED. Never throws on any frame bytes.
   *
   * @throws IllegalStateException before the keys are derived
   */
  public OpenResult open(ByteBuffer frame, ByteBuffer plaintextOut) {
    if (!ready) {
      throw new IllegalStateException("relay cipher not ready");
    }
    if (dead) {
      return OpenResult.AUTH_FAILED;
    }
    int length = frame.remaining();
    if (length < TAG) {
      return OpenResult.TOO_SHORT;
    }
    if (length > MAX_FRAME) {
      dead = true;
      return OpenResult.AUTH_FAILED;
    }
    int n = length - TAG;
    if (plaintextOut.remaining() < n) {
      return OpenResult.NO_ROOM;
    }
    nonce(openNonce, opened);
    opener.init(false, new ParametersWithIV(null, openNonce));
    byte[] in;
    int inOff;
    if (frame.hasArray()) {
      in = frame.array();
      inOff = frame.arrayOffset() + frame.position();
    } else {
      in = scratch();
      inOff = 0;
      frame.get(frame.position(), in, 0, length);
    }
    boolean direct = plaintextOut.hasArray() && !plaintextOut.isReadOnly();
    byte[] out = direct ? plaintextOut.array() : scratch();
    int outOff = direct ? plaintextOut.arrayOffset() + plaintextOut.position() : MAX_FRAME;
    try {
      int w = opener.processBytes(in, inOff, length, out, outOff);
      opener.doFinal(out, outOff + w);
    } catch (InvalidCipherTextException e) {
      Arrays.fill(out, outOff, outOff + n, (byte) 0); // no unauthenticated plaintext stays
      dead = true;
      return OpenResult.AUTH_FAILED;
    }
    opened++;
    frame.position(frame.position() + length);
    if (direct) {
      plaintextOut.position(plaintextOut.position() + n);
    } else {
      plaintextOut.put(out, outOff, n);
    }
    return new OpenResult(Status.OK, n);
  }

  /** Two frames of room: input at 0, output at {@link #MAX_FRAME}. */
  private byte[] scratch() {
    if (scratch == null) {
      scratch = new byte[2 * MAX_FRAME];
    }
    return scratch;
  }

  /** 4 zero bytes, then {@code counter} big-endian. */
  private static void nonce(byte[] nonce, long counter) {
    for (int k = 0; k < 8; k++) {
      nonce[4 + k] = (byte) (counter >>> (56 - 8 * k));
    }
  }
}
