package io.natswarm.node.status;

/**
 * One µTP connection's path as its BEP 29 engine sees it now (issue 10: "µTP retransmits and
 * delay").
 *
 * @param retransmits packets sent again on this connection (timeouts, fast and selective-ACK
 *     retransmits)
 * @param timeouts retransmission timeouts
 * @param rttMicros smoothed round-trip time in microseconds (0 before the first sample)
 * @param queuingDelayMicros LEDBAT's latest queuing-delay estimate in microseconds, or -1 before
 *     the first sample
 */
public record UtpPathView(
    long retransmits, long timeouts, long rttMicros, long queuingDelayMicros) {}
