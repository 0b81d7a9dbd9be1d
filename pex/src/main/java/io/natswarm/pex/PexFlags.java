package io.natswarm.pex;

/**
 * The one-byte flags that travel with each added peer in {@code added.f} / {@code added6.f} (BEP
 * 11; 0x08 and 0x10 as libtorrent and BEP 55 use them). A flag is a hint from the sender, never a
 * proof: the swarm node uses them to choose what to try first (µTP when 0x04 is set; a peer with
 * 0x08 as a future hole-punch rendezvous).
 */
public final class PexFlags {
  /** The peer prefers encrypted connections (MSE). */
  public static final int ENCRYPTION = 0x01;

  /** The peer is a seed (or upload-only). */
  public static final int SEED = 0x02;

  /** The peer supports µTP (BEP 29). */
  public static final int UTP = 0x04;

  /** The peer supports ut_holepunch (BEP 55) and can act as a rendezvous. */
  public static final int HOLEPUNCH = 0x08;

  /** The sender's connection to the peer was outgoing, so the peer is reachable. */
  public static final int REACHABLE = 0x10;

  private static final int KNOWN = ENCRYPTION | SEED | UTP | HOLEPUNCH | REACHABLE;

  private PexFlags() {}

  /** Whether {@code flags} has every bit of {@code flag}. */
  public static boolean has(int flags, int flag) {
    return (flags & flag) == flag;
  }

  /** The flags a person can read, e.g. {@code "utp,reachable"}; {@code "-"} for none. */
  public static String describe(int flags) {
    StringBuilder out = new StringBuilder();
    append(out, flags, ENCRYPTION, "encryption");
    append(out, flags, SEED, "seed");
    append(out, flags, UTP, "utp");
    append(out, flags, HOLEPUNCH, "holepunch");
    append(out, flags, REACHABLE, "reachable");
    int unknown = flags & ~KNOWN & 0xff;
    if (unknown != 0) {
      append(out, unknown, unknown, "0x" + Integer.toHexString(unknown));
    }
    return out.length() == 0 ? "-" : out.toString();
  }

  private static void append(StringBuilder out, int flags, int flag, String name) {
    if (has(flags, flag)) {
      if (out.length() > 0) {
        out.append(',');
      }
      out.append(name);
    }
  }
}
