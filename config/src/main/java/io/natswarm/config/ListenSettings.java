package io.natswarm.config;

import java.net.InetAddress;

/**
 * Where the node listens: its one UDP socket and its TCP port share the address and the number.
 *
 * @param address the bound address (0.0.0.0: every IPv4 interface; ::, every interface)
 * @param port the UDP and TCP port; 0 picks a free one
 */
public record ListenSettings(InetAddress address, int port) {}
