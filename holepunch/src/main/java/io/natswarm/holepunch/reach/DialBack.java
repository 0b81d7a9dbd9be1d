package io.natswarm.holepunch.reach;

/**
 * One message of natswarm's dial-back extension ({@code nsw_dialback}, a BEP 10 extension between
 * natswarm peers): a {@link Kind#REQUEST} asks the peer to reach us back on {@code port} over
 * {@code transport} from a fresh port of its own; a {@link Kind#REPORT} says what the peer did: for
 * TCP whether the connection was made, for µTP that the probe datagrams were sent (whether they
 * arrived, only the asker can tell). Twelve bytes: kind, transport, port (network order, 0 in a
 * report), and a 64-bit nonce that ties a report and a probe to their request.
 *
 * @param kind request or report
 * @param transport what to reach us back with
 * @param port the port to reach (requests only; the address is always the connection's, so a peer
 *     cannot be made to send anywhere else)
 * @param ok in a report: the TCP connection was made, or the µTP probes were sent
 * @param nonce ties the messages and the probe together
 */
public record DialBack(Kind kind, Transport transport, int port, boolean ok, long nonce) {
  /** The encoded length of every message. */
  public static final int LENGTH = 12;

  /** The name in the BEP 10 handshake's {@code m} dictionary. */
  public static final String EXTENSION = "nsw_dialback";

  /** A request or a report. */
  public enum Kind {
    REQUEST,
    REPORT
  }

  /** Why bytes are not a dial-back message. */
  public enum Problem {
    /** Not exactly {@link #LENGTH} bytes. */
    BAD_LENGTH,
    /** A kind byte other than 1 (request) and 2 (report). */
    UNKNOWN_KIND,
    /** A transport byte other than 0 (µTP) and 1 (TCP). */
    UNKNOWN_TRANSPORT,
    /** A request for port 0. */
    NO_PORT,
    /** A result byte other than 0 and 1. */
    BAD_RESULT,
    /** A report whose reserved byte (the request's low port byte) is not zero. */
    RESERVED_NOT_ZERO
  }

  /** A parse: the message, or why there is none. */
  public record Parsed(DialBack message, Problem error) {
    /** Whether it parsed. */
    public boolean ok() {
      return message != null;
    }
  }

  /** A request to reach us back on {@code port}. */
  public static DialBack request(Transport transport, int port, long nonce) {
    return new DialBack(Kind.REQUEST, transport, port, false, nonce);
  }

  /** A report on the request with {@code nonce}. */
  public static DialBack report(Transport transport, boolean ok, long nonce) {
    return new DialBack(Kind.REPORT, transport, 0, ok, nonce);
  }

  /** The twelve bytes of this message. */
  public byte[] encode() {
    byte[] b = new byte[LENGTH];
    b[0] = (byte) (kind == Kind.REQUEST ? 1 : 2);
    b[1] = (byte) (transport == Transport.UTP ? 0 : 1);
    if (kind == Kind.REQUEST) {
      b[2] = (byte) (port >>> 8);
      b[3] = (byte) port;
    } else {
      b[2] = (byte) (ok ? 1 : 0);
    }
    for (int i = 0; i < 8; i++) {
      b[4 + i] = (byte) (nonce >>> (56 - 8 * i));
    }
    return b;
  }

  /** Parses {@code b}; never throws. */
  public static Parsed parse(byte[] b) {
    if (b == null || b.length != LENGTH) {
      return new Parsed(null, Problem.BAD_LENGTH);
    }
    Kind kind;
    if (b[0] == 1) {
      kind = Kind.REQUEST;
    } else if (b[0] == 2) {
      kind = Kind.REPORT;
    } else {
      return new Parsed(null, Problem.UNKNOWN_KIND);
    }
    Transport t;
    if (b[1] == 0) {
      t = Transport.UTP;
    } else if (b[1] == 1) {
      t = Transport.TCP;
    } else {
      return new Parsed(null, Problem.UNKNOWN_TRANSPORT);
    }
    long nonce = 0;
    for (int i = 0; i < 8; i++) {
      nonce = (nonce << 8) | (b[4 + i] & 0xFF);
    }
    if (kind == Kind.REQUEST) {
      int port = ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
      if (port == 0) {
        return new Parsed(null, Problem.NO_PORT);
      }
      return new Parsed(request(t, port, nonce), null);
    }
    if (b[2] != 0 && b[2] != 1) {
      return new Parsed(null, Problem.BAD_RESULT);
    }
    if (b[3] != 0) {
      return new Parsed(null, Problem.RESERVED_NOT_ZERO);
    }
    return new Parsed(report(t, b[2] == 1, nonce), null);
  }
}
