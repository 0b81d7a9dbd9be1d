package io.natswarm.dht.krpc;

/**
 * A parsed KRPC message (BEP 5, with BEP 32, 42, 43 and 51 fields) as a reusable, mutable view over
 * the datagram bytes: byte fields are offsets into {@link #buf()} (valid until the next parse),
 * absent fields are -1. Filled by {@link KrpcParser}; allocation-free.
 *
 * <p>Owned by the thread that owns the DHT node.
 */
public final class KrpcMessage {
  public static final int WANT_N4 = 1;
  public static final int WANT_N6 = 2;
  static final int MAX_VALUES = 512;

  byte[] buf;
  KrpcKind kind;
  KrpcMethod method;
  int txOff;
  int txLen;
  int idOff;
  int targetOff;
  int infoHashOff;
  int tokenOff;
  int tokenLen;
  int port;
  boolean impliedPort;
  int want;
  boolean readOnly;
  int ipOff;
  int ipLen;
  int nodesOff;
  int nodesLen;
  int nodes6Off;
  int nodes6Len;
  int valueCount;
  final int[] valueOff = new int[MAX_VALUES];
  final int[] valueLen = new int[MAX_VALUES];
  int errorCode;
  int errorMsgOff;
  int errorMsgLen;
  int responsePort;
  int samplesOff;
  int samplesLen;
  long interval;
  long num;
  int versionOff;
  int versionLen;

  void reset(byte[] b) {
    buf = b;
    kind = null;
    method = null;
    txOff = txLen = -1;
    idOff = targetOff = infoHashOff = tokenOff = -1;
    tokenLen = 0;
    port = -1;
    impliedPort = false;
    want = 0;
    readOnly = false;
    ipOff = -1;
    ipLen = 0;
    nodesOff = nodes6Off = -1;
    nodesLen = nodes6Len = 0;
    valueCount = 0;
    errorCode = 0;
    errorMsgOff = -1;
    errorMsgLen = 0;
    responsePort = -1;
    samplesOff = -1;
    samplesLen = 0;
    interval = -1;
    num = -1;
    versionOff = -1;
    versionLen = 0;
  }

  public byte[] buf() {
    return buf;
  }

  public KrpcKind kind() {
    return kind;
  }

  /** The query method, or null for responses and errors. */
  public KrpcMethod method() {
    return method;
  }

  public int txOff() {
    return txOff;
  }

  public int txLen() {
    return txLen;
  }

  /** The transaction id as an int when it is 1 to 4 bytes long (ours are 2), else -1. */
  public int txAsInt() {
    if (txLen < 1 || txLen > 4) {
      return -1;
    }
    int v = 0;
    for (int i = 0; i < txLen; i++) {
      v = (v << 8) | (buf[txOff + i] & 0xff);
    }
    return txLen == 4 && v < 0 ? -1 : v;
  }

  /** Offset of the sender's 20-byte node id, or -1 (error messages). */
  public int idOff() {
    return idOff;
  }

  public int targetOff() {
    return targetOff;
  }

  public int infoHashOff() {
    return infoHashOff;
  }

  public int tokenOff() {
    return tokenOff;
  }

  public int tokenLen() {
    return tokenLen;
  }

  /** The announce_peer {@code port}, or -1. */
  public int port() {
    return port;
  }

  public boolean impliedPort() {
    return impliedPort;
  }

  /** BEP 32 {@code want} as {@link #WANT_N4}/{@link #WANT_N6} bits; 0 when absent. */
  public int want() {
    return want;
  }

  /** BEP 43: the querier is read-only and must not be added to routing tables. */
  public boolean readOnly() {
    return readOnly;
  }

  /** BEP 42 top-level {@code ip}: compact address (6 or 18 bytes) of the receiver, or -1. */
  public int ipOff() {
    return ipOff;
  }

  public int ipLen() {
    return ipLen;
  }

  public int nodesOff() {
    return nodesOff;
  }

  public int nodesLen() {
    return nodesLen;
  }

  public int nodes6Off() {
    return nodes6Off;
  }

  public int nodes6Len() {
    return nodes6Len;
  }

  public int valueCount() {
    return valueCount;
  }

  /** Offset of compact peer {@code i} (6 bytes IPv4 or 18 bytes IPv6). */
  public int valueOff(int i) {
    return valueOff[i];
  }

  public int valueLen(int i) {
    return valueLen[i];
  }

  public int errorCode() {
    return errorCode;
  }

  public String errorMessage() {
    return errorMsgOff < 0
        ? ""
        : new String(buf, errorMsgOff, errorMsgLen, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** libtorrent's {@code r.p}: the UDP port it saw us on, or -1. */
  public int responsePort() {
    return responsePort;
  }

  public int samplesOff() {
    return samplesOff;
  }

  public int samplesLen() {
    return samplesLen;
  }

  public long interval() {
    return interval;
  }

  public long num() {
    return num;
  }

  public int versionOff() {
    return versionOff;
  }

  public int versionLen() {
    return versionLen;
  }
}
