package io.natswarm.config;

/**
 * The node's one UDP socket.
 *
 * @param receiveBufferBytes the kernel receive buffer asked for
 * @param sendBufferBytes the kernel send buffer asked for
 */
public record UdpSocketSettings(int receiveBufferBytes, int sendBufferBytes) {}
