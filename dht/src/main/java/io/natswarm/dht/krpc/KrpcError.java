package io.natswarm.dht.krpc;

/** Why a datagram is not a usable KRPC message (BEP 5, "KRPC Protocol"). */
public enum KrpcError {
  NONE(false),
  /** Not bencode, or bencode past our limits; see {@link KrpcParser#bencodeError()}. */
  BENCODE(false),
  NOT_A_DICT(false),
  MISSING_TRANSACTION(false),
  BAD_TRANSACTION(false),
  BAD_TYPE(false),
  /** The following errors carry a usable transaction id: a query can be answered with 203. */
  MISSING_METHOD(true),
  MISSING_ARGUMENTS(true),
  MISSING_ID(true),
  BAD_ID(true),
  BAD_TARGET(true),
  BAD_INFO_HASH(true),
  BAD_PORT(true),
  BAD_TOKEN(true),
  MISSING_RESPONSE(true),
  BAD_NODES(true),
  BAD_VALUES(true),
  BAD_ERROR(true),
  BAD_IP(true),
  BAD_SAMPLES(true),
  /** An unknown method with neither target nor info_hash: answered with 204/203. */
  UNKNOWN_METHOD(true);

  private final boolean hasTransaction;

  KrpcError(boolean hasTransaction) {
    this.hasTransaction = hasTransaction;
  }

  /** Whether the message's transaction id was read, so that an error reply can be sent. */
  public boolean hasTransaction() {
    return hasTransaction;
  }
}
