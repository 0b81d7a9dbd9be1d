/**
 * A deterministic, discrete-event virtual network that drives sans-IO protocol cores ({@link
 * io.natswarm.datagram.DatagramCore}) on a virtual clock: hosts with IPv4 and IPv6 addresses, links
 * with delay, jitter, random and burst loss, duplication, reordering, bandwidth and bounded queues,
 * and NAT boxes with the RFC 4787 behaviours. Test infrastructure only; production code never
 * depends on it. Everything here belongs to the single thread that runs the network.
 *
 * <h2>Walk-through</h2>
 *
 * <pre>{@code
 * Network net = Network.withSeed(42);                  // every random choice derives from the seed
 * Realm internet = net.internet();                      // the public address realm
 * Host a = net.addHost("a", internet, "203.0.113.1");   // one IPv4 and/or one IPv6 literal
 * a.link(LinkConfig.builder().delayMillis(20).jitterMillis(5).loss(0.01).build());
 *                                                       // both directions; or uplink(..)/downlink(..)
 * NatBox r1 = net.addNat("r1", internet, "203.0.113.10", NatConfig.portRestrictedCone());
 * Host h1 = net.addHost("h1", r1.inside(), "10.0.1.2"); // boxes nest: addNat(.., r1.inside(), ..)
 * Binding b = h1.bind(6881, endpoint);                  // endpoint is a DatagramCore; 0 = ephemeral
 * net.wake(b);                                          // drain its pollTransmit now
 * net.runFor(Duration.ofSeconds(5));
 * boolean done = net.runUntil(() -> finished, Duration.ofSeconds(60)); // bounded, never hangs
 * net.schedule(Duration.ofMillis(500), () -> ...);      // run test code at a virtual time
 * long now = net.nowNanos();
 * net.trace().hash();                                   // same seed + same scenario = same hash
 * net.trace().record(true); net.trace().events();       // readable event lines, for debugging
 * net.stats().dropped(DropReason.FILTER);               // counters; also per link: a.uplink().queueDrops()
 * }</pre>
 *
 * <h2>Model</h2>
 *
 * <ul>
 *   <li><b>Topology.</b> Every {@link io.natswarm.netsim.Node} (a {@link io.natswarm.netsim.Host}
 *       or a {@link io.natswarm.netsim.NatBox}) sits in one {@link io.natswarm.netsim.Realm} and
 *       has an access link of two {@link io.natswarm.netsim.Link} directions: uplink (node to
 *       realm) and downlink (realm to node). A datagram from host A to host B in one realm crosses
 *       A's uplink and B's downlink; through a NAT it also crosses the box's uplink or downlink
 *       (the box's inside costs nothing). Links are perfect until configured. A datagram to an
 *       address its realm does not know goes to the realm's gateway, or is dropped ({@link
 *       io.natswarm.netsim.DropReason#NO_ROUTE}) in the internet.
 *   <li><b>Links</b> ({@link io.natswarm.netsim.LinkConfig}): a FIFO queue in bytes in front of a
 *       bandwidth limit (serialization {@code size * 8 / bandwidth}, tail drop when full), then
 *       random and Gilbert-Elliott burst loss, then delay plus jitter (jitter never reorders),
 *       optional reordering (held back) and duplication. For a shared bottleneck, put the flows
 *       behind one node's uplink, e.g. two hosts behind one router whose uplink is limited.
 *   <li><b>NAT boxes</b> ({@link io.natswarm.netsim.NatConfig}): mapping and filtering each
 *       endpoint-independent, address-dependent or address-and-port-dependent; preserving,
 *       sequential or random ports; a timeout refreshed by outbound traffic (inbound optional);
 *       hairpinning on or off; presets {@code fullCone()}, {@code restrictedCone()}, {@code
 *       portRestrictedCone()}, {@code symmetric()}, {@code symmetricSequential()} and {@code
 *       firewall()} (no translation, drops unsolicited inbound). Unsolicited inbound never creates
 *       state, as on real routers; {@code acceptUnsolicitedToSelf(true)} models LAB.md's conntrack
 *       clash instead. Inspect with {@link io.natswarm.netsim.NatBox#externalAddress} and {@link
 *       io.natswarm.netsim.NatBox#activeMappings()}.
 *   <li><b>Endpoints</b> are called exactly like the real event loop calls them: {@code
 *       handleDatagram} on arrival (the buffer is only valid during the call), {@code
 *       handleTimeout} when the clock reaches {@code pollTimeout()}, and after each (and after
 *       {@code wake}) {@code pollTransmit} is drained and {@code pollTimeout()} re-read. One timer
 *       per binding, moved in place. The {@code from} address handed to an endpoint is a cached
 *       object; sending back to it costs no lookup.
 *   <li><b>Order and determinism.</b> Events run in (virtual time, scheduling order); all
 *       randomness comes from generators derived from the seed. Running a scenario twice gives the
 *       same {@link io.natswarm.netsim.Trace#hash()}.
 *   <li><b>Guards.</b> A malformed scenario throws IllegalArgumentException naming the problem. An
 *       endpoint that keeps the clock from advancing (more than 2,000,000 events at one instant) or
 *       returns 100,000 datagrams from one drain makes the run throw IllegalStateException instead
 *       of hanging.
 * </ul>
 *
 * <p>Competing TCP-like traffic for LEDBAT tests lives in {@link io.natswarm.netsim.traffic}.
 */
package io.natswarm.netsim;
