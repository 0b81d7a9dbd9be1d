package io.natswarm.utp.endpoint;

/**
 * A snapshot of a {@link UdpEndpoint}'s counters, taken on its event-loop thread.
 *
 * @param datagramsReceived datagrams read from the socket
 * @param bytesReceived their payload bytes
 * @param datagramsSent datagrams handed to the kernel
 * @param bytesSent their payload bytes
 * @param utpConsumed datagrams consumed by µTP
 * @param krpcConsumed datagrams consumed by KRPC handlers
 * @param stunConsumed datagrams consumed by STUN handlers
 * @param holepunchConsumed datagrams consumed by hole-punch probe handlers
 * @param unclaimed datagrams no handler consumed (dropped)
 * @param sendBlocked times the kernel's send buffer was full and the loop waited for OP_WRITE
 * @param sendErrors datagrams the kernel refused (dropped)
 * @param receiveErrors failed reads
 * @param handlerErrors exceptions thrown by handlers or tasks (a bug; the loop survives them)
 * @param loopIterations event-loop iterations (wake-ups)
 * @param receiveBufferBytes effective SO_RCVBUF
 * @param sendBufferBytes effective SO_SNDBUF
 * @param largestDatagramSent the largest UDP payload sent so far, in bytes
 */
public record EndpointStats(
    long datagramsReceived,
    long bytesReceived,
    long datagramsSent,
    long bytesSent,
    long utpConsumed,
    long krpcConsumed,
    long stunConsumed,
    long holepunchConsumed,
    long unclaimed,
    long sendBlocked,
    long sendErrors,
    long receiveErrors,
    long handlerErrors,
    long loopIterations,
    int receiveBufferBytes,
    int sendBufferBytes,
    int largestDatagramSent) {}
