package io.natswarm.holepunch.turn;

/**
 * A snapshot of a {@link TurnClient}'s counters since it was made.
 *
 * @param allocations Allocate success responses accepted (RFC 8656 section 7.2)
 * @param refreshes Refresh success responses accepted, the final LIFETIME 0 one excluded (section
 *     7.3)
 * @param permissions CreatePermission success responses accepted, first or refresh (section 9)
 * @param channelBinds ChannelBind success responses accepted, first or refresh (section 12)
 * @param datagramsIn datagrams from peers delivered to the listener (Data indications and
 *     ChannelData)
 * @param datagramsOut datagrams to peers wrapped into Send indications or ChannelData
 * @param bytesIn application bytes of {@code datagramsIn}
 * @param bytesOut application bytes of {@code datagramsOut}
 * @param errorResponses error responses to our requests, expected challenges (401, 438) included
 * @param integrityFailures success responses to authenticated requests refused because their
 *     MESSAGE-INTEGRITY was missing or wrong (RFC 8489 section 9.2.5)
 * @param malformed datagrams from the server that did not parse, or ChannelData on a channel we
 *     have not bound
 * @param retransmits requests sent again after a timeout (RFC 8489 section 6.2.1)
 */
public record TurnCounters(
    long allocations,
    long refreshes,
    long permissions,
    long channelBinds,
    long datagramsIn,
    long datagramsOut,
    long bytesIn,
    long bytesOut,
    long errorResponses,
    long integrityFailures,
    long malformed,
    long retransmits) {}
