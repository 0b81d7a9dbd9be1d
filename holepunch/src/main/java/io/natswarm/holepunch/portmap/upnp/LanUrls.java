package io.natswarm.holepunch.portmap.upnp;

import com.google.common.net.InetAddresses;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The one rule for every URL a UPnP device hands us (SSDP LOCATION, URLBase, controlURL): plain
 * {@code http://} to an IP literal that is the very host that answered the SSDP search, no user
 * info. Host names are refused rather than resolved, so a reply can neither send the node to
 * another host nor rebind a name through DNS.
 */
final class LanUrls {
  private LanUrls() {}

  /** Parses {@code text} as an absolute URL that passes {@link #check}. */
  static URI parse(String text, InetAddress device) throws UpnpException {
    URI u;
    try {
      u = new URI(text.trim());
    } catch (URISyntaxException e) {
      throw new UpnpException(UpnpError.URL_REFUSED, "the device gave a malformed URL");
    }
    return check(u, device);
  }

  /**
   * Resolves {@code reference} (absolute, or relative to {@code base} as UPnP Device Architecture
   * 1.1 section 2.1 says) and checks the result.
   */
  static URI resolve(URI base, String reference, InetAddress device) throws UpnpException {
    URI ref;
    try {
      ref = new URI(reference.trim());
    } catch (URISyntaxException e) {
      throw new UpnpException(UpnpError.URL_REFUSED, "the device gave a malformed URL");
    }
    URI u = ref.isAbsolute() ? ref : base.resolve(ref);
    return check(u, device);
  }

  /** Refuses anything but http:// to {@code device}'s address given as a literal. */
  static URI check(URI u, InetAddress device) throws UpnpException {
    String scheme = u.getScheme();
    if (scheme == null || !scheme.toLowerCase(Locale.ROOT).equals("http")) {
      throw refused("the device gave a URL that is not plain http://");
    }
    if (u.getRawUserInfo() != null) {
      throw refused("the device gave a URL with user information");
    }
    InetAddress host = literalHost(u);
    if (host == null) {
      throw refused("the device gave a URL whose host is not an IP address");
    }
    if (!host.equals(device)) {
      throw refused(
          "the device gave a URL on another host ("
              + InetAddresses.toAddrString(host)
              + ", not "
              + InetAddresses.toAddrString(device)
              + "); only the host that answered the search is contacted");
    }
    if (u.getPort() == 0 || u.getPort() > 65535) {
      throw refused("the device gave a URL with an invalid port");
    }
    return u;
  }

  /** The host of {@code u} when it is an IP literal, else null; never resolves a name. */
  static InetAddress literalHost(URI u) {
    String h = u.getHost();
    if (h == null || !InetAddresses.isUriInetAddress(h)) {
      return null;
    }
    return InetAddresses.forUriString(h);
  }

  /** Where to connect for a checked URL. */
  static InetSocketAddress endpoint(URI u) {
    return new InetSocketAddress(literalHost(u), u.getPort() == -1 ? 80 : u.getPort());
  }

  /** The request target of a checked URL: its path and query, "/" when empty. */
  static String requestTarget(URI u) {
    String p = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
    return u.getRawQuery() == null ? p : p + "?" + u.getRawQuery();
  }

  private static UpnpException refused(String m) {
    return new UpnpException(UpnpError.URL_REFUSED, m);
  }
}
