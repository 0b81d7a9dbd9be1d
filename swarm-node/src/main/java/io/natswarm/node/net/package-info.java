/**
 * The composition root of a node's UDP socket: {@link io.natswarm.node.net.NodeSocket} builds the
 * protocol cores that share it from {@link io.natswarm.node.net.NodeSocketSettings}; a real
 * endpoint or a netsim host drives the result (docs/ARCHITECTURE.md).
 */
package io.natswarm.node.net;
