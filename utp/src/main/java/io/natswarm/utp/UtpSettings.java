package io.natswarm.utp;

import java.time.Duration;

/**
 * Immutable settings of one {@link UtpStack} (BEP 29). Build with {@link #builder()}; the builder
 * validates every value and names the offending setting in its exception message.
 *
 * @param maxConnections connections of all states one stack holds at most; SYNs beyond are dropped
 * @param maxHalfOpen accepted connections that have seen nothing but the SYN (SYN flood bound)
 * @param acceptBacklog accepted connections waiting for {@link UtpStack#pollAccepted()} at most
 * @param receiveBufferBytes per-connection receive buffer; the advertised window never exceeds it
 * @param sendBufferBytes per-connection send buffer (unsent plus unacknowledged bytes)
 * @param packetSize the UDP payload size of full µTP packets, header included (default 1472, what
 *     fits a 1500-byte IPv4 MTU)
 * @param minPacketSize the floor of path-MTU discovery (default 508 = 576 - 60 - 8)
 * @param maxPacketSize the ceiling of path-MTU probing; when larger than {@code packetSize} the
 *     connection probes larger packets by binary search and keeps a size only once it is acked
 * @param connectTimeout how long a dialled connection waits for its SYN to be answered, unless
 *     {@link UtpStack#connect(java.net.InetSocketAddress, long, long)} gives its own deadline (then
 *     it ends with {@link UtpError#CONNECT_TIMED_OUT}); also how long an accepted connection may
 *     stay half-open (then {@link UtpError#TIMED_OUT})
 * @param synRetries how often a SYN is resent before the connection fails with CONNECT_TIMED_OUT
 * @param minTimeout the floor of the retransmission timeout (BEP 29: 500 ms)
 * @param maxConsecutiveTimeouts retransmission timeouts in a row after which the peer is dead
 * @param idleTimeout a connection that receives nothing for this long fails with TIMED_OUT
 * @param keepAliveInterval an idle connection sends an ST_STATE this often (NAT mapping upkeep)
 * @param targetDelay LEDBAT's queuing-delay target: 60 ms, as LEDBAT++ chose (BEP 29 and RFC 6817
 *     say 100 ms; with 100 ms a lone flow kept a 100 ms kernel queue nearly full, 87 ms in {@code
 *     bench/run utp-ledbat-lab})
 * @param gainBytesPerRtt LEDBAT's maximum window growth per round trip
 * @param lingerTime how long a fully closed connection still answers retransmitted FINs
 * @param tracer hears of every connection's state changes (default {@link UtpTracer#NOOP})
 */
public record UtpSettings(
    int maxConnections,
    int maxHalfOpen,
    int acceptBacklog,
    int receiveBufferBytes,
    int sendBufferBytes,
    int packetSize,
    int minPacketSize,
    int maxPacketSize,
    Duration connectTimeout,
    int synRetries,
    Duration minTimeout,
    int maxConsecutiveTimeouts,
    Duration idleTimeout,
    Duration keepAliveInterval,
    Duration targetDelay,
    int gainBytesPerRtt,
    Duration lingerTime,
    UtpTracer tracer) {

  /** The µTP header is 20 bytes; a packet must carry some payload beyond it and a SACK. */
  static final int MIN_PACKET = 150;

  /** The largest UDP payload over IPv4. */
  static final int MAX_UDP_PAYLOAD = 65_507;

  /** Validates; prefer {@link #builder()}. */
  public UtpSettings {
    require(maxConnections >= 1 && maxConnections <= 1 << 20, "maxConnections", maxConnections);
    require(maxHalfOpen >= 1 && maxHalfOpen <= maxConnections, "maxHalfOpen", maxHalfOpen);
    require(acceptBacklog >= 1, "acceptBacklog", acceptBacklog);
    require(
        receiveBufferBytes >= 4096 && receiveBufferBytes <= 1 << 28,
        "receiveBufferBytes",
        receiveBufferBytes);
    require(
        sendBufferBytes >= 4096 && sendBufferBytes <= 1 << 28, "sendBufferBytes", sendBufferBytes);
    require(
        minPacketSize >= MIN_PACKET && minPacketSize <= packetSize, "minPacketSize", minPacketSize);
    require(packetSize >= MIN_PACKET && packetSize <= MAX_UDP_PAYLOAD, "packetSize", packetSize);
    require(
        maxPacketSize >= packetSize && maxPacketSize <= MAX_UDP_PAYLOAD,
        "maxPacketSize",
        maxPacketSize);
    requirePositive(connectTimeout, "connectTimeout");
    require(synRetries >= 0 && synRetries <= 10, "synRetries", synRetries);
    requirePositive(minTimeout, "minTimeout");
    require(
        maxConsecutiveTimeouts >= 1 && maxConsecutiveTimeouts <= 30,
        "maxConsecutiveTimeouts",
        maxConsecutiveTimeouts);
    requirePositive(idleTimeout, "idleTimeout");
    requirePositive(keepAliveInterval, "keepAliveInterval");
    require(
        keepAliveInterval.compareTo(idleTimeout) < 0,
        "keepAliveInterval",
        keepAliveInterval + " (must be shorter than idleTimeout " + idleTimeout + ")");
    requirePositive(targetDelay, "targetDelay");
    require(gainBytesPerRtt >= 1, "gainBytesPerRtt", gainBytesPerRtt);
    requirePositive(lingerTime, "lingerTime");
    if (tracer == null) {
      throw new IllegalArgumentException(
          "utp setting tracer must not be null (use UtpTracer.NOOP)");
    }
  }

  /** The defaults: 1 MiB buffers, 1472-byte packets, libtorrent-like timers. */
  public static UtpSettings defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these settings. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.maxConnections = maxConnections;
    b.maxHalfOpen = maxHalfOpen;
    b.acceptBacklog = acceptBacklog;
    b.receiveBufferBytes = receiveBufferBytes;
    b.sendBufferBytes = sendBufferBytes;
    b.packetSize = packetSize;
    b.minPacketSize = minPacketSize;
    b.maxPacketSize = maxPacketSize;
    b.connectTimeout = connectTimeout;
    b.synRetries = synRetries;
    b.minTimeout = minTimeout;
    b.maxConsecutiveTimeouts = maxConsecutiveTimeouts;
    b.idleTimeout = idleTimeout;
    b.keepAliveInterval = keepAliveInterval;
    b.targetDelay = targetDelay;
    b.gainBytesPerRtt = gainBytesPerRtt;
    b.lingerTime = lingerTime;
    b.tracer = tracer;
    return b;
  }

  private static void require(boolean ok, String name, Object value) {
    if (!ok) {
      throw new IllegalArgumentException("utp setting " + name + " is out of range: " + value);
    }
  }

  private static void requirePositive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("utp setting " + name + " must be positive: " + d);
    }
  }

  /** Mutable builder; {@link #build()} validates. */
  public static final class Builder {
    private int maxConnections = 16_384;
    private int maxHalfOpen = 256;
    private int acceptBacklog = 256;
    private int receiveBufferBytes = 1 << 20;
    private int sendBufferBytes = 1 << 20;
    private int packetSize = 1472;
    private int minPacketSize = 508;
    private int maxPacketSize = 1472;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private int synRetries = 3;
    private Duration minTimeout = Duration.ofMillis(500);
    private int maxConsecutiveTimeouts = 6;
    private Duration idleTimeout = Duration.ofMinutes(2);
    private Duration keepAliveInterval = Duration.ofSeconds(29);
    private Duration targetDelay = Duration.ofMillis(60);
    private int gainBytesPerRtt = 3000;
    private Duration lingerTime = Duration.ofSeconds(3);
    private UtpTracer tracer = UtpTracer.NOOP;

    private Builder() {}

    public Builder maxConnections(int v) {
      maxConnections = v;
      return this;
    }

    public Builder maxHalfOpen(int v) {
      maxHalfOpen = v;
      return this;
    }

    public Builder acceptBacklog(int v) {
      acceptBacklog = v;
      return this;
    }

    public Builder receiveBufferBytes(int v) {
      receiveBufferBytes = v;
      return this;
    }

    public Builder sendBufferBytes(int v) {
      sendBufferBytes = v;
      return this;
    }

    /** Sets the packet size; also raises {@code maxPacketSize} if it was smaller. */
    public Builder packetSize(int v) {
      packetSize = v;
      if (maxPacketSize < v) {
        maxPacketSize = v;
      }
      return this;
    }

    public Builder minPacketSize(int v) {
      minPacketSize = v;
      return this;
    }

    public Builder maxPacketSize(int v) {
      maxPacketSize = v;
      return this;
    }

    public Builder connectTimeout(Duration v) {
      connectTimeout = v;
      return this;
    }

    public Builder synRetries(int v) {
      synRetries = v;
      return this;
    }

    public Builder minTimeout(Duration v) {
      minTimeout = v;
      return this;
    }

    public Builder maxConsecutiveTimeouts(int v) {
      maxConsecutiveTimeouts = v;
      return this;
    }

    public Builder idleTimeout(Duration v) {
      idleTimeout = v;
      return this;
    }

    public Builder keepAliveInterval(Duration v) {
      keepAliveInterval = v;
      return this;
    }

    public Builder targetDelay(Duration v) {
      targetDelay = v;
      return this;
    }

    public Builder gainBytesPerRtt(int v) {
      gainBytesPerRtt = v;
      return this;
    }

    public Builder lingerTime(Duration v) {
      lingerTime = v;
      return this;
    }

    /** The tracer of the stack's connection events (default {@link UtpTracer#NOOP}). */
    public Builder tracer(UtpTracer v) {
      tracer = v;
      return this;
    }

    public UtpSettings build() {
      return new UtpSettings(
          maxConnections,
          maxHalfOpen,
          acceptBacklog,
          receiveBufferBytes,
          sendBufferBytes,
          packetSize,
          minPacketSize,
          maxPacketSize,
          connectTimeout,
          synRetries,
          minTimeout,
          maxConsecutiveTimeouts,
          idleTimeout,
          keepAliveInterval,
          targetDelay,
          gainBytesPerRtt,
          lingerTime,
          tracer);
    }
  }
}
