package io.natswarm.holepunch.portmap.upnp;

import java.net.InetAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.xml.sax.Attributes;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * The WAN connection service of an Internet Gateway Device, from its device description (UPnP
 * Device Architecture 1.1 section 2.3; InternetGatewayDevice:1 and :2): the first service of type
 * WANIPConnection:2, else WANIPConnection:1, else WANPPPConnection:1, and its control URL resolved
 * against URLBase or the description's own URL (section 2.1) and held to {@link LanUrls}' rule: the
 * same host as the description.
 *
 * <p>Parsed with {@link HardenedXml} by our own handler, not weupnp's {@code GatewayDeviceHandler}:
 * that one keeps only the last text chunk of an element (SAX may split text), takes the WAN service
 * only after a WANCommonInterfaceConfig service, and has no bound on depth. Ours caps depth at
 * {@value #MAX_DEPTH}, each text at {@value #MAX_TEXT} characters and the services at {@value
 * #MAX_SERVICES}. A pure function of the bytes; never throws on bad input.
 *
 * @param serviceType the exact service type, e.g. {@code
 *     urn:schemas-upnp-org:service:WANIPConnection:1}, used in SOAP actions
 * @param controlUrl where to send SOAP actions
 */
public record DeviceDescription(String serviceType, URI controlUrl) {
  /** WAN connection service types we control, most preferred first. */
  public static final List<String> SERVICE_TYPES =
      List.of(
          "urn:schemas-upnp-org:service:WANIPConnection:2",
          "urn:schemas-upnp-org:service:WANIPConnection:1",
          "urn:schemas-upnp-org:service:WANPPPConnection:1");

  static final int MAX_DEPTH = 32;
  static final int MAX_TEXT = 1024;
  static final int MAX_SERVICES = 64;

  /**
   * Finds the WAN connection service in {@code length} bytes of {@code xml}.
   *
   * @param location the URL the description came from: the base of relative URLs, and its host is
   *     the only host a control URL may name
   */
  public static DescriptionParsed parse(byte[] xml, int length, URI location) {
    InetAddress device = LanUrls.literalHost(location);
    if (device == null) {
      return new DescriptionParsed(
          null, UpnpFailure.of(UpnpError.URL_REFUSED, "the description URL has no IP literal"));
    }
    Handler h = new Handler();
    try {
      HardenedXml.parse(xml, length, h);
      String[] chosen = null;
      for (String type : SERVICE_TYPES) {
        for (String[] s : h.services) {
          if (type.equals(s[0]) && s[1] != null && !s[1].isEmpty()) {
            chosen = s;
            break;
          }
        }
        if (chosen != null) {
          break;
        }
      }
      if (chosen == null) {
        return new DescriptionParsed(
            null,
            UpnpFailure.of(
                UpnpError.NO_WAN_SERVICE,
                "the device offers no WANIPConnection or WANPPPConnection service: it is not an"
                    + " Internet gateway, or its UPnP port mapping is off"));
      }
      URI base = location;
      if (h.urlBase != null && !h.urlBase.isBlank()) {
        base = LanUrls.parse(h.urlBase, device);
      }
      URI control = LanUrls.resolve(base, chosen[1], device);
      return new DescriptionParsed(new DeviceDescription(chosen[0], control), null);
    } catch (UpnpException e) {
      return new DescriptionParsed(null, e.failure());
    }
  }

  /** Collects URLBase and each service's type and control URL. */
  private static final class Handler extends DefaultHandler {
    final List<String[]> services = new ArrayList<>();
    String urlBase;
    private int depth;
    private boolean inService;
    private String serviceType;
    private String controlUrl;
    private final StringBuilder text = new StringBuilder();

    @Override
    public void startElement(String uri, String localName, String qName, Attributes a)
        throws SAXException {
      if (++depth > MAX_DEPTH) {
        throw new SAXException("upnp: elements nested too deep");
      }
      text.setLength(0);
      if (localName.equals("service")) {
        inService = true;
        serviceType = null;
        controlUrl = null;
      }
    }

    @Override
    public void endElement(String uri, String localName, String qName) throws SAXException {
      depth--;
      if (localName.equals("URLBase") && depth == 1) {
        urlBase = text.toString();
      } else if (inService && localName.equals("serviceType")) {
        serviceType = text.toString().trim();
      } else if (inService && localName.equals("controlURL")) {
        controlUrl = text.toString().trim();
      } else if (localName.equals("service")) {
        inService = false;
        if (services.size() >= MAX_SERVICES) {
          throw new SAXException("upnp: too many services");
        }
        services.add(new String[] {serviceType, controlUrl});
      }
      text.setLength(0);
    }

    @Override
    public void characters(char[] ch, int start, int length) throws SAXException {
      if (text.length() + length > MAX_TEXT) {
        throw new SAXException("upnp: text too long");
      }
      text.append(ch, start, length);
    }
  }
}
