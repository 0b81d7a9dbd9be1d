package io.natswarm.dht;

/**
 * The one place a {@link DhtNode}'s counters live (docs/ARCHITECTURE.md, "Observability"): plain
 * fields, incremented by the node and its parts on the node's thread, which leave that thread only
 * as an immutable {@link DhtCounters} snapshot taken there ({@link #snapshot()}). Every field is
 * described on the snapshot's component of the same name.
 */
final class Counters {
  long datagramsIn;
  long datagramsOut;
  long badDatagrams;
  long queriesIn;
  long unsolicitedQueries;
  long nodeIdChanges;
  long responsesIn;
  long errorsIn;
  long queriesOut;
  long errorsOut;
  long timeouts;
  long stalls;
  long rateLimited;
  long bans;
  long bannedDrops;
  long unmatchedResponses;
  long selfOrPortZero;
  long badTokens;
  long announcesStored;
  long unknownMethods;
  long outboundDropped;
  long lookupsStarted;
  long lookupsDone;

  /** An immutable copy; call on the node's thread. */
  DhtCounters snapshot() {
    return new DhtCounters(
        datagramsIn,
        datagramsOut,
        badDatagrams,
        queriesIn,
        responsesIn,
        errorsIn,
        queriesOut,
        errorsOut,
        timeouts,
        stalls,
        rateLimited,
        bans,
        bannedDrops,
        unmatchedResponses,
        selfOrPortZero,
        badTokens,
        announcesStored,
        unknownMethods,
        outboundDropped,
        lookupsStarted,
        lookupsDone,
        unsolicitedQueries,
        nodeIdChanges);
  }
}
