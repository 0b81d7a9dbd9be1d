/**
 * The µTP stream API: {@link io.natswarm.utp.stream.UtpSocket} puts a {@link
 * io.natswarm.utp.UtpStack} on a {@link io.natswarm.datagram.UdpEndpoint} (registered as its {@code
 * DatagramKind.UTP} core) and hands out each connection as a blocking or non-blocking {@link
 * io.natswarm.utp.stream.UtpChannel}, a plain {@link java.nio.channels.ByteChannel} that
 * applications (Bt) use; {@link io.natswarm.utp.stream.UtpServerSocket} accepts. Bytes cross
 * between application threads and the event loop through pooled {@code ByteQueue}s.
 *
 * <p>Threading: everything except the public API methods of {@code UtpChannel}, {@code
 * UtpServerSocket} and {@code UtpSocket} runs on the endpoint's event-loop thread. Other threads
 * hand work over through {@link io.natswarm.datagram.UdpEndpoint#execute(Runnable)}.
 */
package io.natswarm.utp.stream;
