/**
 * The one UDP socket of a node and the one contract every datagram protocol implements
 * (docs/ARCHITECTURE.md): {@link io.natswarm.datagram.DatagramCore} (sans-IO: datagrams and {@code
 * nowNanos} in, {@link io.natswarm.datagram.Transmit}s and a deadline out), the {@link
 * io.natswarm.datagram.Demultiplexer} that composes cores into one, the real {@link
 * io.natswarm.datagram.UdpEndpoint} that hosts it on one event-loop thread, the injected {@link
 * io.natswarm.datagram.NanoClock} with {@link io.natswarm.datagram.Deadlines}, and the {@link
 * io.natswarm.datagram.EndpointTracer}. Depends on nothing but the JDK; netsim hosts the same
 * cores.
 */
package io.natswarm.datagram;
