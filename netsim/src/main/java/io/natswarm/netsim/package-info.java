/**
 * A deterministic, discrete-event virtual network that drives sans-IO protocol cores ({@link
 * io.natswarm.netsim.SimEndpoint}) on a virtual clock: hosts, links with delay, jitter, loss,
 * bandwidth and bounded queues, and NAT boxes with the RFC 4787 behaviours. Test infrastructure
 * only; production code never depends on it.
 *
 * <h2>Walk-through</h2>
 *
 * <pre>{@code
 * Network net = Network.withSeed(42);                  // every random choice derives from the seed
 * Realm internet = net.internet();                      // the public address realm
 * Host a = net.addHost("a", internet, "203.0.113.1");   // IPv4 and/or IPv6 literals
 * a.link(LinkConfig.builder().delayMillis(20).jitterMillis(5).loss(0.01).build());
 *                                                       // both directions; or uplink(..)/downlink(..)
 * NatBox r1 = net.addNat("r1", internet, "203.0.113.10", NatConfig.portRestrictedCone());
 * Host h1 = net.addHost("h1", r1.inside(), "10.0.1.2"); // boxes nest: addNat(.., r1.inside(), ..)
 * Binding b = h1.bind(6881, endpoint);                  // endpoint is a SimEndpoint
 * net.wake(b);                                          // drain its pollTransmit now
 * net.runFor(Duration.ofSeconds(5));
 * boolean done = net.runUntil(() -> finished, Duration.ofSeconds(60)); // bounded, never hangs
 * long now = net.nowNanos();
 * net.trace().hash();                                   // same seed + same scenario = same hash
 * net.stats().dropped(DropReason.FILTER);               // counters
 * }</pre>
 *
 * <h2>Model</h2>
 *
 * <ul>
 *   <li>Every {@link io.natswarm.netsim.Node} (host or NAT box) sits in one {@link
 *       io.natswarm.netsim.Realm} and has an access link with two {@link io.natswarm.netsim.Link}
 *       directions: uplink (node to realm) and downlink (realm to node). A datagram from host A to
 *       host B in the same realm crosses A's uplink and B's downlink; through a NAT it also crosses
 *       the box's uplink or downlink. Links are perfect until configured.
 *   <li>A datagram to an address unknown in its realm goes to the realm's gateway (the NAT box
 *       whose inside it is), or is dropped as {@link io.natswarm.netsim.DropReason#NO_ROUTE} in the
 *       internet.
 *   <li>Endpoints are called exactly like the real event loop calls them: {@code handleDatagram} on
 *       arrival, {@code handleTimeout} when the clock reaches {@code pollTimeout()}, and after each
 *       (and after {@code wake}) {@code pollTransmit} is drained and {@code pollTimeout()} re-read.
 *       One timer per binding, moved in place.
 *   <li>Events at the same virtual time run in the order they were scheduled.
 * </ul>
 *
 * <p>Everything here belongs to the single thread that runs the network.
 */
package io.natswarm.netsim;
