package io.natswarm.dht.routing;

/** BEP 5 node states: good (heard from recently), questionable, bad (failed repeatedly). */
public enum NodeStatus {
  GOOD,
  QUESTIONABLE,
  BAD
}
