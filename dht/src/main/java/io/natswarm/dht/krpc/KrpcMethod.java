package io.natswarm.dht.krpc;

import java.nio.charset.StandardCharsets;

/** KRPC query methods (BEP 5, BEP 51) and their wire names. */
public enum KrpcMethod {
  PING("ping"),
  FIND_NODE("find_node"),
  GET_PEERS("get_peers"),
  ANNOUNCE_PEER("announce_peer"),
  SAMPLE_INFOHASHES("sample_infohashes"),
  /** A method we do not know that carries a target or info_hash: answered like find_node. */
  UNKNOWN("");

  private static final java.util.Map<KrpcMethod, byte[]> WIRE =
      new java.util.EnumMap<>(KrpcMethod.class);

  static {
    for (KrpcMethod m : values()) {
      WIRE.put(m, m.wireName.getBytes(StandardCharsets.US_ASCII));
    }
  }

  private final String wireName;

  KrpcMethod(String wireName) {
    this.wireName = wireName;
  }

  /** The method name as sent in the {@code q} field. */
  public String wireName() {
    return wireName;
  }

  byte[] wire() {
    return WIRE.get(this);
  }
}
