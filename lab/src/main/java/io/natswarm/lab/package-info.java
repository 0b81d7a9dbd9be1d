/**
 * The real-kernel NAT lab: Linux network namespaces joined by a bridge that stands for the
 * internet, NAT routers with nftables rules for the RFC 4787 behaviours (full, restricted and
 * port-restricted cone, symmetric with random or sequential ports), hosts behind them, carrier NATs
 * in front of home NATs, a STUN server (coturn) and, on a router, miniupnpd (UPnP-IGD, NAT-PMP,
 * PCP), with optional loss, delay and jitter (a userspace TAP link: the kernel has no netem) and
 * short conntrack timeouts (LAB.md, "Kernel NAT lab"). It is the ground truth that netsim's NAT
 * model is checked against. Test infrastructure only, on the JDK alone; modules depend on it with
 * scope test. It needs root: {@link io.natswarm.lab.KernelLab#unavailableReason()} says why it
 * cannot run, so that tests skip with that reason.
 */
package io.natswarm.lab;
