package io.natswarm.datagram;

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
 * @param controlSent datagrams of {@link SendClass#CONTROL} handed out by the cores
 * @param bulkSent datagrams of {@link SendClass#BULK} handed out by the cores
 * @param dontFragmentRequests datagrams the cores asked to send unfragmented (not applied: JDK 17)
 * @param sendBlocked times the kernel's send buffer was full and the loop waited for OP_WRITE
 * @param sendErrors datagrams the kernel refused (dropped)
 * @param receiveErrors failed reads
 * @param handlerErrors exceptions thrown by cores or tasks (a bug each; the loop survives them and
 *     reports each to the {@link EndpointTracer} with its kind and cause)
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
    long controlSent,
    long bulkSent,
    long dontFragmentRequests,
    long sendBlocked,
    long sendErrors,
    long receiveErrors,
    long handlerErrors,
    long loopIterations,
    int receiveBufferBytes,
    int sendBufferBytes,
    int largestDatagramSent) {}
