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

  private final byte[] wire;

  KrpcMethod(String name) {
    this.wire = name.getBytes(StandardCharsets.US_ASCII);
  }

  /** The method name as sent in the {@code q} field. */
  byte[] wire() {
    return wire;
  }
}
