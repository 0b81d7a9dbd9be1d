/**
 * The real I/O side of µTP: one UDP socket ({@link io.natswarm.utp.endpoint.UdpEndpoint}), the
 * event-loop thread that owns it and every protocol core sharing it, the demultiplexer other
 * datagram protocols register with ({@link io.natswarm.utp.endpoint.DatagramHandler}), and the
 * blocking/non-blocking stream API ({@link io.natswarm.utp.endpoint.UtpChannel}) that applications
 * (Bt) use as a plain {@link java.nio.channels.ByteChannel}.
 *
 * <p>Threading: everything except the public API methods of {@code UdpEndpoint}, {@code
 * UtpChannel}, {@code UtpServerSocket} and {@code UtpSocket} runs on the endpoint's event-loop
 * thread. Other threads hand work over through {@link
 * io.natswarm.utp.endpoint.UdpEndpoint#execute(Runnable)}.
 */
package io.natswarm.utp.endpoint;
