package io.natswarm.netsim;

import java.time.Duration;

/**
 * The behaviour of a {@link NatBox}, in the terms of RFC 4787 (NAT Behavioral Requirements for
 * Unicast UDP): mapping behaviour (section 4.1), port assignment (4.2.1), mapping refresh and
 * timeout (4.3), filtering behaviour (5) and hairpinning (6). A non-translating configuration is a
 * stateful firewall: inside addresses are public, unsolicited inbound is filtered.
 *
 * <p>{@code acceptUnsolicitedToSelf} models a router that lets unsolicited inbound datagrams reach
 * its own input path, leaving an unreplied connection-tracking entry behind (LAB.md, "the conntrack
 * clash"): a later outbound flow to that same remote endpoint must then be given a different
 * external port. Real routers drop such packets, which is the default here.
 *
 * <p>Immutable. Presets: {@link #fullCone()}, {@link #restrictedCone()}, {@link
 * #portRestrictedCone()}, {@link #symmetric()}, {@link #symmetricSequential()}, {@link
 * #firewall()}; or {@link #builder()}.
 */
public final class NatConfig {
  /** RFC 4787 section 4.1: what an external mapping is keyed on besides the internal endpoint. */
  public enum Mapping {
    ENDPOINT_INDEPENDENT,
    ADDRESS_DEPENDENT,
    ADDRESS_AND_PORT_DEPENDENT
  }

  /** RFC 4787 section 5: which inbound datagrams a mapping lets through. */
  public enum Filtering {
    ENDPOINT_INDEPENDENT,
    ADDRESS_DEPENDENT,
    ADDRESS_AND_PORT_DEPENDENT
  }

  /** RFC 4787 section 4.2.1: how the external port of a new mapping is chosen. */
  public enum PortAllocation {
    /** The internal port if free, else the next free one. */
    PRESERVING,
    /** One more than the previous mapping's port (predictable). */
    SEQUENTIAL,
    /** Uniformly random in the port range. */
    RANDOM
  }

  final Mapping mapping;
  final Filtering filtering;
  final PortAllocation portAllocation;
  final long timeoutNanos;
  final boolean hairpin;
  final boolean translating;
  final boolean inboundRefresh;
  final boolean acceptUnsolicitedToSelf;
  final int portLow;
  final int portHigh;

  private NatConfig(Builder b) {
    this.mapping = b.mapping;
    this.filtering = b.filtering;
    this.portAllocation = b.portAllocation;
    this.timeoutNanos = b.timeoutNanos;
    this.hairpin = b.hairpin;
    this.translating = b.translating;
    this.inboundRefresh = b.inboundRefresh;
    this.acceptUnsolicitedToSelf = b.acceptUnsolicitedToSelf;
    this.portLow = b.portLow;
    this.portHigh = b.portHigh;
  }

  /** Endpoint-independent mapping and filtering (RFC 3489 "full cone"), ports preserved. */
  public static NatConfig fullCone() {
    return builder()
        .mapping(Mapping.ENDPOINT_INDEPENDENT)
        .filtering(Filtering.ENDPOINT_INDEPENDENT)
        .build();
  }

  /** Endpoint-independent mapping, address-dependent filtering ("restricted cone"). */
  public static NatConfig restrictedCone() {
    return builder()
        .mapping(Mapping.ENDPOINT_INDEPENDENT)
        .filtering(Filtering.ADDRESS_DEPENDENT)
        .build();
  }

  /**
   * Endpoint-independent mapping, address-and-port-dependent filtering ("port-restricted cone",
   * what Linux masquerading does).
   */
  public static NatConfig portRestrictedCone() {
    return builder()
        .mapping(Mapping.ENDPOINT_INDEPENDENT)
        .filtering(Filtering.ADDRESS_AND_PORT_DEPENDENT)
        .build();
  }

  /** Address-and-port-dependent mapping and filtering with random ports ("symmetric"). */
  public static NatConfig symmetric() {
    return builder()
        .mapping(Mapping.ADDRESS_AND_PORT_DEPENDENT)
        .filtering(Filtering.ADDRESS_AND_PORT_DEPENDENT)
        .portAllocation(PortAllocation.RANDOM)
        .build();
  }

  /** Symmetric, but each new mapping takes the next port: predictable for port prediction. */
  public static NatConfig symmetricSequential() {
    return builder()
        .mapping(Mapping.ADDRESS_AND_PORT_DEPENDENT)
        .filtering(Filtering.ADDRESS_AND_PORT_DEPENDENT)
        .portAllocation(PortAllocation.SEQUENTIAL)
        .build();
  }

  /**
   * No translation; address-and-port-dependent filtering drops unsolicited inbound (an IPv6 home
   * router's default).
   */
  public static NatConfig firewall() {
    return builder().translating(false).filtering(Filtering.ADDRESS_AND_PORT_DEPENDENT).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.mapping = mapping;
    b.filtering = filtering;
    b.portAllocation = portAllocation;
    b.timeoutNanos = timeoutNanos;
    b.hairpin = hairpin;
    b.translating = translating;
    b.inboundRefresh = inboundRefresh;
    b.acceptUnsolicitedToSelf = acceptUnsolicitedToSelf;
    b.portLow = portLow;
    b.portHigh = portHigh;
    return b;
  }

  public Mapping mapping() {
    return mapping;
  }

  public Filtering filtering() {
    return filtering;
  }

  public PortAllocation portAllocation() {
    return portAllocation;
  }

  public Duration timeout() {
    return Duration.ofNanos(timeoutNanos);
  }

  public boolean hairpin() {
    return hairpin;
  }

  public boolean translating() {
    return translating;
  }

  @Override
  public String toString() {
    return (translating ? "NAT{" + mapping + " mapping, " : "Firewall{")
        + filtering
        + " filtering, "
        + (translating ? portAllocation + " ports " + portLow + "-" + portHigh + ", " : "")
        + "timeout "
        + timeoutNanos / 1_000_000
        + "ms"
        + (hairpin ? ", hairpin" : "")
        + (inboundRefresh ? ", inbound refresh" : "")
        + (acceptUnsolicitedToSelf ? ", conntrack clash" : "")
        + "}";
  }

  /** Builds a {@link NatConfig}; defaults: EIM, APDF, preserving ports, 120 s, no hairpin. */
  public static final class Builder {
    private Mapping mapping = Mapping.ENDPOINT_INDEPENDENT;
    private Filtering filtering = Filtering.ADDRESS_AND_PORT_DEPENDENT;
    private PortAllocation portAllocation = PortAllocation.PRESERVING;
    private long timeoutNanos = Duration.ofMinutes(2).toNanos();
    private boolean hairpin;
    private boolean translating = true;
    private boolean inboundRefresh;
    private boolean acceptUnsolicitedToSelf;
    private int portLow = 1024;
    private int portHigh = 65_535;

    private Builder() {}

    public Builder mapping(Mapping m) {
      this.mapping = nonNull("mapping", m);
      return this;
    }

    public Builder filtering(Filtering f) {
      this.filtering = nonNull("filtering", f);
      return this;
    }

    public Builder portAllocation(PortAllocation p) {
      this.portAllocation = nonNull("port allocation", p);
      return this;
    }

    /** A mapping (and its filter state) expires this long after its last outbound datagram. */
    public Builder timeout(Duration timeout) {
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("NAT mapping timeout must be > 0, got " + timeout);
      }
      this.timeoutNanos = timeout.toNanos();
      return this;
    }

    /** Whether inside hosts can reach each other through the box's external address. */
    public Builder hairpin(boolean on) {
      this.hairpin = on;
      return this;
    }

    /** False makes the box a stateful firewall without address translation. */
    public Builder translating(boolean on) {
      this.translating = on;
      return this;
    }

    /** Whether inbound datagrams also refresh a mapping (RFC 4787 REQ-6 allows either). */
    public Builder inboundRefresh(boolean on) {
      this.inboundRefresh = on;
      return this;
    }

    /** Models the conntrack clash (see the class comment); off by default, as on real routers. */
    public Builder acceptUnsolicitedToSelf(boolean on) {
      this.acceptUnsolicitedToSelf = on;
      return this;
    }

    /** The external ports the box hands out, inclusive. */
    public Builder portRange(int low, int high) {
      if (low < 1 || high > 65_535 || low > high) {
        throw new IllegalArgumentException(
            "NAT port range must satisfy 1 <= low <= high <= 65535, got " + low + "-" + high);
      }
      this.portLow = low;
      this.portHigh = high;
      return this;
    }

    public NatConfig build() {
      return new NatConfig(this);
    }

    private static <T> T nonNull(String what, T v) {
      if (v == null) {
        throw new IllegalArgumentException("NAT " + what + " must not be null");
      }
      return v;
    }
  }
}
