/**
 * Competing traffic for simulations: {@link io.natswarm.netsim.traffic.BulkFlow}, a TCP-like bulk
 * transfer (NewReno or CUBIC) made of two sans-IO {@link io.natswarm.datagram.DatagramCore}s, for
 * testing that a LEDBAT sender yields to it on a shared bottleneck.
 */
package io.natswarm.netsim.traffic;
