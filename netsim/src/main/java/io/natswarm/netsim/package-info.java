/**
 * A deterministic, discrete-event virtual network that drives sans-IO protocol cores on a virtual
 * clock: hosts, links with delay, jitter, loss and bounded queues, and NAT boxes with the RFC 4787
 * behaviours. Test infrastructure only; production code never depends on it.
 */
package io.natswarm.netsim;
