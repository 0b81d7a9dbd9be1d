package io.natswarm.dht.krpc;

/** The {@code y} field of a KRPC message. */
public enum KrpcKind {
  QUERY,
  RESPONSE,
  ERROR
}
