package io.natswarm.dht;

/**
 * Counters of one {@link DhtNode}, for tests, metrics and status. Plain fields written by the
 * node's thread; read them on that thread (or accept slightly stale values).
 */
public final class DhtCounters {
  long datagramsIn;
  long datagramsOut;
  long badDatagrams;
  long queriesIn;
  long responsesIn;
  long errorsIn;
  long queriesOut;
  long errorsOut;
  long timeouts;
  long stalls;
  long rateLimited;
  long bannedDrops;
  long unmatchedResponses;
  long selfOrPortZero;
  long badTokens;
  long announcesStored;
  long unknownMethods;
  long outboundDropped;
  long lookupsStarted;
  long lookupsDone;

  public long datagramsIn() {
    return datagramsIn;
  }

  public long datagramsOut() {
    return datagramsOut;
  }

  /** Datagrams that failed to parse as KRPC. */
  public long badDatagrams() {
    return badDatagrams;
  }

  public long queriesIn() {
    return queriesIn;
  }

  public long responsesIn() {
    return responsesIn;
  }

  public long errorsIn() {
    return errorsIn;
  }

  public long queriesOut() {
    return queriesOut;
  }

  public long errorsOut() {
    return errorsOut;
  }

  /** Queries that failed (hard timeout). */
  public long timeouts() {
    return timeouts;
  }

  /** Queries that passed their adaptive timeout (a lookup moved on). */
  public long stalls() {
    return stalls;
  }

  public long rateLimited() {
    return rateLimited;
  }

  /** Datagrams dropped because their source sent garbage recently. */
  public long bannedDrops() {
    return bannedDrops;
  }

  /** Responses with an unknown transaction id or from the wrong address. */
  public long unmatchedResponses() {
    return unmatchedResponses;
  }

  /** Messages carrying our own node id, or announces/nodes with port 0. */
  public long selfOrPortZero() {
    return selfOrPortZero;
  }

  public long badTokens() {
    return badTokens;
  }

  public long announcesStored() {
    return announcesStored;
  }

  public long unknownMethods() {
    return unknownMethods;
  }

  public long outboundDropped() {
    return outboundDropped;
  }

  public long lookupsStarted() {
    return lookupsStarted;
  }

  public long lookupsDone() {
    return lookupsDone;
  }

  @Override
  public String toString() {
    return "in="
        + datagramsIn
        + " out="
        + datagramsOut
        + " bad="
        + badDatagrams
        + " qIn="
        + queriesIn
        + " rIn="
        + responsesIn
        + " eIn="
        + errorsIn
        + " qOut="
        + queriesOut
        + " timeouts="
        + timeouts
        + " stalls="
        + stalls
        + " rateLimited="
        + rateLimited
        + " badTokens="
        + badTokens
        + " stored="
        + announcesStored;
  }
}
