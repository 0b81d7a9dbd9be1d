package io.natswarm.holepunch.portmap.upnp;

import com.google.common.net.InetAddresses;
import io.natswarm.holepunch.portmap.Protocol;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/**
 * SOAP actions of a WANIPConnection or WANPPPConnection service (UPnP Device Architecture 1.1
 * section 3.2; WANIPConnection:1 sections 2.4.14 to 2.4.18): GetExternalIPAddress, AddPortMapping,
 * DeletePortMapping. Requests are built here with every argument escaped (weupnp's {@code
 * simpleUPnPcommand} pastes values into the XML unescaped); the service type is one of {@link
 * DeviceDescription#SERVICE_TYPES}, so nothing a device chose reaches the SOAPAction header.
 *
 * <p>Blocking; runs on the {@link UpnpMapper}'s thread.
 */
final class IgdControl {
  private final DeviceDescription service;
  private final LanHttp.Limits limits;

  IgdControl(DeviceDescription service, LanHttp.Limits limits) {
    if (!DeviceDescription.SERVICE_TYPES.contains(service.serviceType())) {
      throw new IllegalArgumentException("not a WAN connection service: " + service.serviceType());
    }
    this.service = service;
    this.limits = limits;
  }

  /** GetExternalIPAddress: the gateway's IPv4 address on its WAN side. */
  Inet4Address externalAddress() throws UpnpException {
    SoapAnswer a = call("GetExternalIPAddress");
    if (a.fault()) {
      throw fault(a);
    }
    String v = a.values().get("NewExternalIPAddress");
    String ip = v == null ? "" : v.trim();
    if (ip.isEmpty() || ip.equals("0.0.0.0")) {
      throw new UpnpException(
          UpnpError.BAD_ANSWER,
          "the gateway has no external address: it is not connected to the internet");
    }
    if (ip.length() > 15 || !InetAddresses.isInetAddress(ip)) {
      throw new UpnpException(
          UpnpError.BAD_ANSWER, "the gateway's external address is not an IPv4 address");
    }
    InetAddress addr = InetAddresses.forString(ip);
    if (!(addr instanceof Inet4Address a4)) {
      throw new UpnpException(
          UpnpError.BAD_ANSWER, "the gateway's external address is not an IPv4 address");
    }
    return a4;
  }

  /** AddPortMapping for any remote host; the answer may be a fault for the caller to judge. */
  SoapAnswer addPortMapping(
      Protocol protocol,
      int externalPort,
      int internalPort,
      InetAddress internalClient,
      String description,
      int leaseSeconds)
      throws UpnpException {
    return call(
        "AddPortMapping",
        "NewRemoteHost",
        "",
        "NewExternalPort",
        Integer.toString(externalPort),
        "NewProtocol",
        protocol.name(),
        "NewInternalPort",
        Integer.toString(internalPort),
        "NewInternalClient",
        InetAddresses.toAddrString(internalClient),
        "NewEnabled",
        "1",
        "NewPortMappingDescription",
        description,
        "NewLeaseDuration",
        Integer.toString(leaseSeconds));
  }

  /** DeletePortMapping; the answer may be a fault (714: the gateway holds no such mapping). */
  SoapAnswer deletePortMapping(Protocol protocol, int externalPort) throws UpnpException {
    return call(
        "DeletePortMapping",
        "NewRemoteHost",
        "",
        "NewExternalPort",
        Integer.toString(externalPort),
        "NewProtocol",
        protocol.name());
  }

  static UpnpException fault(SoapAnswer a) {
    return new UpnpException(
        new UpnpFailure(
            UpnpError.UPNP_FAULT,
            null,
            a.errorCode(),
            UpnpErrorCodes.message(a.errorCode(), a.errorDescription())));
  }

  private SoapAnswer call(String action, String... namesAndValues) throws UpnpException {
    String type = service.serviceType();
    StringBuilder b = new StringBuilder(512);
    b.append("<?xml version=\"1.0\"?>\r\n")
        .append("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"")
        .append(" s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body>")
        .append("<u:")
        .append(action)
        .append(" xmlns:u=\"")
        .append(type)
        .append("\">");
    for (int i = 0; i < namesAndValues.length; i += 2) {
      String name = namesAndValues[i];
      b.append('<').append(name).append('>');
      escape(namesAndValues[i + 1], b);
      b.append("</").append(name).append('>');
    }
    b.append("</u:").append(action).append("></s:Body></s:Envelope>\r\n");
    LanHttp.Response r =
        LanHttp.postSoap(
            service.controlUrl(),
            type + "#" + action,
            b.toString().getBytes(StandardCharsets.UTF_8),
            limits);
    return SoapAnswer.parse(r.body(), r.length(), r.status());
  }

  private static void escape(String s, StringBuilder b) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&apos;");
        default -> b.append(c < 0x20 ? ' ' : c);
      }
    }
  }
}
