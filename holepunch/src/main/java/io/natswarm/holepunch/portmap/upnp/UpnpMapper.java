package io.natswarm.holepunch.portmap.upnp;

import io.natswarm.holepunch.portmap.PortMapping;
import io.natswarm.holepunch.portmap.Protocol;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Maps the node's one port for UDP and TCP through a UPnP Internet Gateway Device
 * (InternetGatewayDevice:1 and :2; WANIPConnection:1 section 2.4.16 AddPortMapping and 2.4.17
 * DeletePortMapping), safe against a rogue device on the LAN:
 *
 * <ol>
 *   <li>discovery: an SSDP M-SEARCH ({@link SsdpSearch}) to the configured target; replies parsed
 *       strictly ({@link SsdpReply}); a LOCATION must be http:// to the address the reply came
 *       from;
 *   <li>the device description fetched with {@link LanHttp} (timeouts, a deadline, size caps, no
 *       redirects, no proxy) and parsed with {@link HardenedXml} (no DTD, no entities, no XInclude)
 *       into its WANIPConnection:2/1 or WANPPPConnection:1 service ({@link DeviceDescription});
 *       URLBase and the control URL held to the same host ({@link LanUrls});
 *   <li>GetExternalIPAddress, then AddPortMapping for UDP and TCP with the configured lease; a
 *       gateway answering 725 OnlyPermanentLeasesSupported gets lease 0 instead, and that permanent
 *       mapping is deleted on release like any other;
 *   <li>renewal at half the lease ({@link #maintain}); DeletePortMapping on {@link #release},
 *       idempotent (a second call does nothing; 714 NoSuchEntryInArray counts as deleted).
 * </ol>
 *
 * <p>Of weupnp (org.bitlet:weupnp) only {@code NameValueHandler} runs, under our parser, to read
 * SOAP answers; see {@link SoapAnswer} for why the rest of it is not used.
 *
 * <p>Every call blocks (HTTP to the gateway, up to the configured timeouts) and must run on a
 * thread of its own, e.g. a single-thread executor of the node's, never on the UDP event loop.
 * Methods are synchronized; one thread at a time. UPnP error codes become messages a person
 * understands ({@link UpnpErrorCodes}).
 */
public final class UpnpMapper implements AutoCloseable {
  /** How mappings made here are named in {@link PortMapping#via()}. */
  public static final String VIA = "UPnP-IGD";

  /**
   * Counters since the mapper was made.
   *
   * @param searches SSDP searches made
   * @param ssdpRejected SSDP replies refused (malformed, another host's LOCATION, wrong target)
   * @param descriptionsRejected descriptions refused (bad or hostile XML, too large, too slow,
   *     redirect, URL on another host, no WAN service)
   * @param soapActions SOAP actions sent
   * @param soapFaults UPnP faults answered
   * @param mapped successful AddPortMapping for a new mapping
   * @param renewals successful AddPortMapping renewing a held mapping
   * @param permanentFallbacks lease-0 retries after 725
   * @param deletions DeletePortMapping answered with success or 714
   */
  public record Counters(
      long searches,
      long ssdpRejected,
      long descriptionsRejected,
      long soapActions,
      long soapFaults,
      long mapped,
      long renewals,
      long permanentFallbacks,
      long deletions) {}

  private record Gateway(URI location, IgdControl control, InetAddress lanAddress) {}

  private final UpnpConfig config;
  private final Map<Protocol, PortMapping> held = new EnumMap<>(Protocol.class);
  private Set<Protocol> wanted = EnumSet.allOf(Protocol.class);
  private Gateway gateway;
  private InetAddress externalAddress;
  private int port = -1;
  private boolean released;
  private boolean permanentOnly;
  private long retryAtNanos = Long.MAX_VALUE;
  private long searches;
  private long ssdpRejected;
  private long descriptionsRejected;
  private long soapActions;
  private long soapFaults;
  private long mapped;
  private long renewals;
  private long permanentFallbacks;
  private long deletions;

  /** A mapper with these settings; does nothing until {@link #map}. */
  public UpnpMapper(UpnpConfig config) {
    this.config = config;
  }

  /**
   * Maps {@code port} (external = internal) for UDP and TCP to this host, finding the gateway first
   * if needed. Blocks for up to the discovery time plus a few HTTP exchanges.
   *
   * @return the mappings held and what failed
   */
  public synchronized UpnpStatus map(int port) {
    return map(port, EnumSet.allOf(Protocol.class));
  }

  /**
   * Maps {@code port} for the given protocols only, e.g. those PCP and NAT-PMP could not map
   * ({@code PortMapSequence.Status#tryUpnp}). Mappings held for other protocols are deleted.
   */
  public synchronized UpnpStatus map(int port, Set<Protocol> protocols) {
    if (port < 1 || port > 65535 || protocols.isEmpty()) {
      throw new IllegalArgumentException("port " + port + " for " + protocols);
    }
    if (!held.isEmpty() && port != this.port) {
      release();
    }
    this.port = port;
    this.released = false;
    this.wanted = EnumSet.copyOf(protocols);
    for (Protocol p : Protocol.values()) {
      if (!wanted.contains(p) && held.containsKey(p)) {
        delete(p, held.remove(p), new ArrayList<>());
      }
    }
    List<UpnpFailure> failures = new ArrayList<>();
    mapMissing(failures);
    return status(failures);
  }

  /**
   * Renews the mappings due for renewal and retries missing ones when their retry time has come.
   * Call at {@link UpnpStatus#nextActionNanos}.
   */
  public synchronized UpnpStatus maintain() {
    List<UpnpFailure> failures = new ArrayList<>();
    if (released || port < 0) {
      return status(failures);
    }
    long now = config.nanoClock().getAsLong();
    List<Protocol> due = new ArrayList<>();
    for (PortMapping m : held.values()) {
      if (now - m.renewAfterNanos() >= 0) {
        due.add(m.protocol());
      }
    }
    if (!due.isEmpty()) {
      // Find the gateway again if it was lost, and refresh the external address (a new one from
      // the ISP shows in the renewed mappings).
      boolean reachable = true;
      try {
        if (gateway == null) {
          gateway = findGateway();
        }
        soapActions++;
        externalAddress = gateway.control().externalAddress();
      } catch (UpnpException e) {
        failures.add(e.failure());
        if (e.failure().kind() == UpnpError.UPNP_FAULT) {
          soapFaults++; // the gateway answers: renew with the address known
        } else {
          reachable = false;
          gateway = null; // search again at the next try
        }
      }
      for (Protocol p : due) {
        PortMapping m = held.get(p);
        try {
          if (!reachable) {
            throw new UpnpException(UpnpError.NO_GATEWAY, "the gateway was lost");
          }
          held.put(p, add(p, gateway));
          renewals++;
          continue;
        } catch (UpnpException e) {
          if (reachable) {
            failures.add(e.failure().about(p));
            if (e.failure().kind() != UpnpError.UPNP_FAULT) {
              gateway = null;
              reachable = false;
            }
          }
        }
        if (m.goodUntilNanos() - now <= 0) {
          held.remove(p);
        } else {
          held.put(p, retryLater(m, now));
        }
      }
    }
    if (held.size() < wanted.size() && now - retryAtNanos >= 0) {
      mapMissing(failures);
    }
    return status(failures);
  }

  /**
   * Deletes every mapping held (DeletePortMapping), permanent ones included. Idempotent: a second
   * call sends nothing. A mapping the gateway no longer holds (714) counts as deleted.
   */
  public synchronized UpnpStatus release() {
    List<UpnpFailure> failures = new ArrayList<>();
    released = true;
    retryAtNanos = Long.MAX_VALUE;
    for (Protocol p : Protocol.values()) {
      PortMapping m = held.remove(p);
      if (m == null) {
        continue;
      }
      delete(p, m, failures);
    }
    return status(failures);
  }

  /** What is held now. */
  public synchronized UpnpStatus status() {
    return status(List.of());
  }

  /** Counters since the mapper was made. */
  public synchronized Counters counters() {
    return new Counters(
        searches,
        ssdpRejected,
        descriptionsRejected,
        soapActions,
        soapFaults,
        mapped,
        renewals,
        permanentFallbacks,
        deletions);
  }

  /** Same as {@link #release}. */
  @Override
  public void close() {
    release();
  }

  private void delete(Protocol p, PortMapping m, List<UpnpFailure> failures) {
    if (gateway == null) {
      failures.add(leftBehind(m, "the gateway could not be reached"));
      return;
    }
    try {
      soapActions++;
      SoapAnswer a = gateway.control().deletePortMapping(p, m.external().getPort());
      if (a.fault() && a.errorCode() != UpnpErrorCodes.NO_SUCH_ENTRY_IN_ARRAY) {
        soapFaults++;
        throw IgdControl.fault(a);
      }
      deletions++;
    } catch (UpnpException e) {
      failures.add(leftBehind(m, e.failure().message()));
    }
  }

  private void mapMissing(List<UpnpFailure> failures) {
    long now = config.nanoClock().getAsLong();
    try {
      if (gateway == null) {
        gateway = findGateway();
      }
      soapActions++;
      externalAddress = gateway.control().externalAddress();
    } catch (UpnpException e) {
      if (e.failure().kind() == UpnpError.UPNP_FAULT) {
        soapFaults++;
      }
      failures.add(e.failure());
      retryAtNanos = now + config.retrySeconds() * 1_000_000_000L;
      return;
    }
    boolean allOk = true;
    for (Protocol p : wanted) {
      if (held.containsKey(p)) {
        continue;
      }
      try {
        held.put(p, add(p, gateway));
        mapped++;
      } catch (UpnpException e) {
        failures.add(e.failure().about(p));
        allOk = false;
      }
    }
    retryAtNanos = allOk ? Long.MAX_VALUE : now + config.retrySeconds() * 1_000_000_000L;
  }

  /** AddPortMapping with the lease, or lease 0 when the gateway takes only permanent ones. */
  private PortMapping add(Protocol p, Gateway g) throws UpnpException {
    int lease = permanentOnly ? 0 : config.leaseSeconds();
    soapActions++;
    SoapAnswer a =
        g.control().addPortMapping(p, port, port, g.lanAddress(), config.description(), lease);
    if (a.fault()
        && a.errorCode() == UpnpErrorCodes.ONLY_PERMANENT_LEASES_SUPPORTED
        && lease != 0) {
      soapFaults++;
      permanentOnly = true;
      permanentFallbacks++;
      lease = 0;
      soapActions++;
      a = g.control().addPortMapping(p, port, port, g.lanAddress(), config.description(), 0);
    }
    if (a.fault()) {
      soapFaults++;
      throw IgdControl.fault(a);
    }
    long now = config.nanoClock().getAsLong();
    // A permanent mapping never expires but is re-added as often, so a rebooted gateway gets it
    // back; a leased one is renewed at half its lease (as RFC 6886 section 3.3 does for NAT-PMP).
    long renewSeconds = lease == 0 ? Math.max(60, config.leaseSeconds() / 2) : lease / 2;
    long goodUntil = lease == 0 ? Long.MAX_VALUE : now + lease * 1_000_000_000L;
    return new PortMapping(
        p,
        port,
        new InetSocketAddress(externalAddress, port),
        goodUntil,
        now + Math.max(1, renewSeconds) * 1_000_000_000L,
        VIA);
  }

  private Gateway findGateway() throws UpnpException {
    searches++;
    UpnpFailure last = null;
    try (SsdpSearch search = new SsdpSearch(config)) {
      try {
        for (SsdpSearch.Found f = search.next(); f != null; f = search.next()) {
          try {
            return describe(f);
          } catch (UpnpException e) {
            descriptionsRejected++;
            last = e.failure();
          }
        }
      } finally {
        ssdpRejected += search.rejected();
      }
    } catch (IOException e) {
      throw new UpnpException(
          UpnpError.NO_GATEWAY, "cannot search for a UPnP gateway: " + e.getMessage());
    }
    if (last != null) {
      throw new UpnpException(last);
    }
    throw new UpnpException(
        UpnpError.NO_GATEWAY,
        "no UPnP gateway answered within "
            + config.discoveryTimeoutMillis()
            + " ms: UPnP is off on the router, or there is none");
  }

  private Gateway describe(SsdpSearch.Found f) throws UpnpException {
    URI location = LanUrls.check(f.location(), f.source());
    LanHttp.Response r = LanHttp.get(location, config.httpLimits());
    if (r.status() != 200) {
      throw new UpnpException(
          UpnpError.HTTP_FAILED, "the device answered HTTP " + r.status() + " for its description");
    }
    DescriptionParsed d = DeviceDescription.parse(r.body(), r.length(), location);
    if (!d.ok()) {
      throw new UpnpException(d.error());
    }
    return new Gateway(
        location, new IgdControl(d.description(), config.httpLimits()), r.localAddress());
  }

  private PortMapping retryLater(PortMapping m, long now) {
    long retry = now + config.retrySeconds() * 1_000_000_000L;
    long half = now + (m.goodUntilNanos() - now) / 2;
    return new PortMapping(
        m.protocol(),
        m.internalPort(),
        m.external(),
        m.goodUntilNanos(),
        m.goodUntilNanos() == Long.MAX_VALUE ? retry : Math.min(retry, Math.max(half, now + 1)),
        m.via());
  }

  private static UpnpFailure leftBehind(PortMapping m, String why) {
    String left =
        m.goodUntilNanos() == Long.MAX_VALUE
            ? "a permanent mapping of port "
                + m.external().getPort()
                + "/"
                + m.protocol().name().toLowerCase(java.util.Locale.ROOT)
                + " may be left on the router (delete it in the router's settings): "
            : "the mapping of port "
                + m.external().getPort()
                + "/"
                + m.protocol().name().toLowerCase(java.util.Locale.ROOT)
                + " may stay on the router until its lease ends: ";
    return new UpnpFailure(UpnpError.HTTP_FAILED, m.protocol(), 0, left + why);
  }

  private UpnpStatus status(List<UpnpFailure> failures) {
    long next = retryAtNanos;
    for (PortMapping m : held.values()) {
      next = Math.min(next, m.renewAfterNanos());
    }
    return new UpnpStatus(
        gateway == null ? null : gateway.location(),
        externalAddress,
        new ArrayList<>(held.values()),
        failures,
        released ? Long.MAX_VALUE : next);
  }
}
