package io.natswarm.holepunch.stun;

import java.net.InetSocketAddress;

/**
 * The parts of a STUN Binding response that binding discovery uses (RFC 8489 section 14, RFC 5780
 * section 7). Absent attributes are null; {@link #errorCode} is 0 without an ERROR-CODE.
 *
 * @param type the message type (0x0101 a Binding success response, 0x0111 an error response)
 * @param transactionId the transaction this answers
 * @param mapped where the server saw the request come from: XOR-MAPPED-ADDRESS, or the legacy
 *     MAPPED-ADDRESS when only that was sent
 * @param otherAddress RFC 5780 OTHER-ADDRESS: the server's alternate address and port
 * @param responseOrigin RFC 5780 RESPONSE-ORIGIN: the address and port the response was sent from
 * @param errorCode the ERROR-CODE (300-699), 0 without one
 */
public record StunMessage(
    int type,
    TransactionId transactionId,
    InetSocketAddress mapped,
    InetSocketAddress otherAddress,
    InetSocketAddress responseOrigin,
    int errorCode) {

  /** A Binding request. */
  public static final int BINDING_REQUEST = 0x0001;

  /** A Binding success response. */
  public static final int BINDING_SUCCESS = 0x0101;

  /** A Binding error response. */
  public static final int BINDING_ERROR = 0x0111;

  /** True for a Binding success response. */
  public boolean isSuccess() {
    return type == BINDING_SUCCESS;
  }
}
