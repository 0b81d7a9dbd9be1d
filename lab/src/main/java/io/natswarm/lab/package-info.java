/**
 * The real-kernel NAT lab: Linux network namespaces joined by a bridge that stands for the
 * internet, NAT routers with nftables rules for the RFC 4787 behaviours, and hosts behind them
 * (LAB.md, "Kernel NAT lab"). It is the ground truth that netsim's NAT model is checked against.
 * Test infrastructure only, on the JDK alone; modules depend on it with scope test. It needs root:
 * {@link io.natswarm.lab.KernelLab#unavailableReason()} says why it cannot run, so that tests skip
 * with that reason.
 */
package io.natswarm.lab;
