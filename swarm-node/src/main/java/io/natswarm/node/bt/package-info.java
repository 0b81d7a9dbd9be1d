/**
 * The Bt adapter: everything that touches Bt 1.10 (DESIGN.md, "Bt"). {@link
 * io.natswarm.node.bt.BtEngine} builds Bt's runtime with {@code BtRuntime.builder(config)}, peer
 * exchange and local service discovery disabled, no DHT module of Bt's, and {@link
 * io.natswarm.node.bt.NatswarmBtModule} overriding Bt's bindings; {@link
 * io.natswarm.node.bt.EngineConfig} maps the node's settings onto Bt's {@code Config} and records
 * the measurement behind each value. No type of this package leaks into the public API of {@code
 * io.natswarm.node}.
 */
package io.natswarm.node.bt;
