package io.natswarm.dht;

/**
 * An immutable snapshot of one {@link DhtNode}'s counters, taken on the node's thread ({@link
 * DhtNode#counters()}; from another thread, {@code DhtService.counters()} takes it on the event
 * loop). A record, so that its text, equality and accessors always cover every counter.
 *
 * @param datagramsIn datagrams of our address family offered to the node (the other family's are
 *     declined and not counted)
 * @param datagramsOut datagrams the node handed to its host
 * @param badDatagrams datagrams that failed to parse as KRPC (or were too large): dropped and
 *     counted, never a penalty for their spoofable source
 * @param queriesIn well-formed queries received
 * @param responsesIn responses that matched one of our calls
 * @param errorsIn KRPC errors that matched one of our calls
 * @param queriesOut queries we sent (pings, lookups, announces)
 * @param errorsOut KRPC errors we sent (malformed queries, bad tokens, port 0)
 * @param timeouts queries that failed at their hard timeout
 * @param stalls queries that passed their adaptive timeout (a lookup moved on)
 * @param rateLimited queries dropped by the per-source rate limit
 * @param bans sources banned for abuse proven by a valid write token
 * @param bannedDrops datagrams dropped because their source was banned
 * @param unmatchedResponses responses with an unknown transaction id or from the wrong address
 * @param selfOrPortZero messages carrying our own node id, or from / announcing port 0
 * @param badTokens announces with a token that is not valid for their source address
 * @param announcesStored peers stored from announce_peer
 * @param unknownMethods queries with a method we do not know
 * @param outboundDropped datagrams dropped because the outbound queue was full
 * @param lookupsStarted lookups started (bootstrap, find_node, get_peers, announce, refresh)
 * @param lookupsDone lookups finished
 * @param unsolicitedQueries queries from addresses we had not sent to in the last 10 minutes: each
 *     came through whatever NAT or firewall is in front of us unasked (reachability evidence)
 * @param nodeIdChanges new node ids taken because the votes settled on an external address the id
 *     was not valid for (BEP 42)
 */
public record DhtCounters(
    long datagramsIn,
    long datagramsOut,
    long badDatagrams,
    long queriesIn,
    long responsesIn,
    long errorsIn,
    long queriesOut,
    long errorsOut,
    long timeouts,
    long stalls,
    long rateLimited,
    long bans,
    long bannedDrops,
    long unmatchedResponses,
    long selfOrPortZero,
    long badTokens,
    long announcesStored,
    long unknownMethods,
    long outboundDropped,
    long lookupsStarted,
    long lookupsDone,
    long unsolicitedQueries,
    long nodeIdChanges) {}
