package io.natswarm.holepunch.turn;

import io.natswarm.holepunch.stun.TransactionId;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A STUN message of the TURN methods (RFC 8656 section 17) with the attributes a TURN client sends
 * and reads (section 18, RFC 8489 section 14). Absent attributes are null, or -1 for numbers
 * ({@link #errorCode} is 0 without an ERROR-CODE). Build one with {@link #of} and the {@code with}
 * methods.
 *
 * @param type the message type: method and class (for instance {@link #ALLOCATE_REQUEST})
 * @param transactionId the transaction
 * @param errorCode the ERROR-CODE (300-699), 0 without one
 * @param reason the ERROR-CODE's reason phrase, null without one
 * @param username USERNAME (RFC 8489 section 14.3)
 * @param realm REALM (section 14.9)
 * @param nonce NONCE (section 14.10)
 * @param lifetime LIFETIME in seconds (RFC 8656 section 18.2), -1 without one
 * @param channel CHANNEL-NUMBER (section 18.1), -1 without one
 * @param requestedTransport REQUESTED-TRANSPORT's protocol number (section 18.7), -1 without one
 * @param peer XOR-PEER-ADDRESS (section 18.3)
 * @param relayed XOR-RELAYED-ADDRESS (section 18.5)
 * @param mapped XOR-MAPPED-ADDRESS (RFC 8489 section 14.2)
 * @param data DATA (RFC 8656 section 18.4): after a parse, a view of the parsed bytes, valid as
 *     long as they are
 * @param integrityAt where MESSAGE-INTEGRITY starts, counted from the message's first byte; -1
 *     without one (written messages get theirs from {@link TurnCodec#write})
 */
public record TurnMessage(
    int type,
    TransactionId transactionId,
    int errorCode,
    String reason,
    String username,
    String realm,
    String nonce,
    int lifetime,
    int channel,
    int requestedTransport,
    InetSocketAddress peer,
    InetSocketAddress relayed,
    InetSocketAddress mapped,
    ByteBuffer data,
    int integrityAt) {

  /** Allocate (RFC 8656 section 7.1). */
  public static final int ALLOCATE_REQUEST = 0x0003;

  public static final int ALLOCATE_SUCCESS = 0x0103;
  public static final int ALLOCATE_ERROR = 0x0113;

  /** Refresh (section 7.3). */
  public static final int REFRESH_REQUEST = 0x0004;

  public static final int REFRESH_SUCCESS = 0x0104;
  public static final int REFRESH_ERROR = 0x0114;

  /** Send indication (section 10.1). */
  public static final int SEND_INDICATION = 0x0016;

  /** Data indication (section 10.3). */
  public static final int DATA_INDICATION = 0x0017;

  /** CreatePermission (section 9.1). */
  public static final int CREATE_PERMISSION_REQUEST = 0x0008;

  public static final int CREATE_PERMISSION_SUCCESS = 0x0108;
  public static final int CREATE_PERMISSION_ERROR = 0x0118;

  /** ChannelBind (section 12.1). */
  public static final int CHANNEL_BIND_REQUEST = 0x0009;

  public static final int CHANNEL_BIND_SUCCESS = 0x0109;
  public static final int CHANNEL_BIND_ERROR = 0x0119;

  /** REQUESTED-TRANSPORT's value for UDP (RFC 8656 section 18.7). */
  public static final int UDP = 17;

  /** The class bits of a message type (RFC 8489 section 5): C1 at 0x0100, C0 at 0x0010. */
  private static final int CLASS_MASK = 0x0110;

  private static final int SUCCESS_CLASS = 0x0100;
  private static final int ERROR_CLASS = 0x0110;
  private static final int INDICATION_CLASS = 0x0010;

  public TurnMessage {
    Objects.requireNonNull(transactionId, "transactionId");
  }

  /** A message of {@code type} with no attributes. */
  public static TurnMessage of(int type, TransactionId id) {
    return new TurnMessage(
        type, id, 0, null, null, null, null, -1, -1, -1, null, null, null, null, -1);
  }

  /** The method, without the class bits (RFC 8489 section 5). */
  public int method() {
    return (type & 0x000F) | ((type & 0x00E0) >>> 1) | ((type & 0x3E00) >>> 2);
  }

  /** True for a success response. */
  public boolean isSuccess() {
    return (type & CLASS_MASK) == SUCCESS_CLASS;
  }

  /** True for an error response. */
  public boolean isError() {
    return (type & CLASS_MASK) == ERROR_CLASS;
  }

  /** True for a success or error response. */
  public boolean isResponse() {
    return (type & SUCCESS_CLASS) != 0;
  }

  /** True for an indication. */
  public boolean isIndication() {
    return (type & CLASS_MASK) == INDICATION_CLASS;
  }

  /** With an ERROR-CODE. */
  public TurnMessage withError(int code, String reasonPhrase) {
    return new TurnMessage(
        type,
        transactionId,
        code,
        reasonPhrase,
        username,
        realm,
        nonce,
        lifetime,
        channel,
        requestedTransport,
        peer,
        relayed,
        mapped,
        data,
        integrityAt);
  }

  /** With USERNAME, REALM and NONCE (any may be null). */
  public TurnMessage withCredentials(String user, String realmValue, String nonceValue) {
    return new TurnMessage(
        type,
        transactionId,
        errorCode,
        reason,
        user,
        realmValue,
        nonceValue,
        lifetime,
        channel,
        requestedTransport,
        peer,
        relayed,
        mapped,
        data,
        integrityAt);
  }

  /** With a LIFETIME in seconds. */
  public TurnMessage withLifetime(int seconds) {
    return new TurnMessage(
        type,
        transactionId,
        errorCode,
        reason,
        username,
        realm,
        nonce,
        seconds,
        channel,
        requestedTransport,
        peer,
        relayed,
        mapped,
        data,
        integrityAt);
  }

  /** With a CHANNEL-NUMBER. */
  public TurnMessage withChannel(int number) {
    return new TurnMessage(
        type,
        transactionId,
        errorCode,
        reason,
        username,
        realm,
        nonce,
        lifetime,
        number,
        requestedTransport,
        peer,
        relayed,
        mapped,
        data,
        integrityAt);
  }

  /** With a REQUESTED-TRANSPORT. */
  public TurnMessage withRequestedTransport(int protocol) {
    return new TurnMessage(
        type,
        transactionId,
        errorCode,
        reason,
        username,
        realm,
        nonce,
        lifetime,
        channel,
        protocol,
        peer,
        relayed,
        mapped,
        data,
        integrityAt);
  }

  /** With an XOR-PEER-ADDRESS. */
  public TurnMessage withPeer(InetSocketAddress address) {
    return new TurnMessage(
        type,
        transactionId,
        errorCode,
        reason,
        username,
        realm,
        nonce,
        lifetime,
        channel,
        requestedTransport,
        address,
        relayed,
        mapped,
        data,
        integrityAt);
  }

  /** With an XOR-RELAYED-ADDRESS. */
  public TurnMessage withRelayed(InetSocketAddress address) {
    return new TurnMessage(
        type,
        transactionId,
        errorCode,
        reason,
        username,
        realm,
        nonce,
        lifetime,
        channel,
        requestedTransport,
        peer,
        address,
        mapped,
        data,
        integrityAt);
  }

  /** With an XOR-MAPPED-ADDRESS. */
  public TurnMessage withMapped(InetSocketAddress address) {
    return new TurnMessage(
        type,
        transactionId,
        errorCode,
        reason,
        username,
        realm,
        nonce,
        lifetime,
        channel,
        requestedTransport,
        peer,
        relayed,
        address,
        data,
        integrityAt);
  }

  /** With DATA: the bytes between {@code payload}'s position and limit (not copied). */
  public TurnMessage withData(ByteBuffer payload) {
    return new TurnMessage(
        type,
        transactionId,
        errorCode,
        reason,
        username,
        realm,
        nonce,
        lifetime,
        channel,
        requestedTransport,
        peer,
        relayed,
        mapped,
        payload,
        integrityAt);
  }

  /** With {@link #integrityAt} set (for comparing a parsed message with the one written). */
  public TurnMessage withIntegrityAt(int offset) {
    return new TurnMessage(
        type,
        transactionId,
        errorCode,
        reason,
        username,
        realm,
        nonce,
        lifetime,
        channel,
        requestedTransport,
        peer,
        relayed,
        mapped,
        data,
        offset);
  }
}
