package io.natswarm.holepunch.portmap.upnp;

import java.util.HashMap;
import java.util.Map;
import org.bitlet.weupnp.NameValueHandler;

/**
 * A device's answer to a SOAP action (UPnP Device Architecture 1.1 section 3.2): the output
 * arguments, or a UPnP error code from a SOAP fault (section 3.2.2).
 *
 * <p>This is the one place weupnp's code runs: its {@link NameValueHandler}, a SAX content handler
 * that maps each element's local name to its text, driven by our {@link HardenedXml} reader over a
 * body {@link LanHttp} already capped. The handler does no I/O and resolves nothing, so under our
 * reader it is safe; weupnp's own reader ({@code XMLReaderFactory.createXMLReader()} with default
 * features) would resolve external entities. weupnp's discovery ({@code GatewayDiscover}: fixed
 * multicast target, every interface, a reply line without a colon throws), its HTTP ({@code
 * URLConnection}: follows redirects, no connect timeout for descriptions, unbounded bodies) and its
 * request building ({@code simpleUPnPcommand}: argument values not escaped, lease always 0) are not
 * used.
 *
 * @param values output arguments by name (on a fault, the fault's fields)
 * @param errorCode the UPnP error code of a fault, 0 when the action succeeded
 * @param errorDescription the fault's description, null when absent
 */
record SoapAnswer(Map<String, String> values, int errorCode, String errorDescription) {

  /** True when the device reported a UPnP error. */
  boolean fault() {
    return errorCode != 0;
  }

  /**
   * Reads an answer.
   *
   * @param httpStatus 200 for success, 500 for a fault (section 3.2.2); other statuses never get
   *     here
   */
  static SoapAnswer parse(byte[] body, int length, int httpStatus) throws UpnpException {
    Map<String, String> values = new HashMap<>();
    HardenedXml.parse(body, length, new NameValueHandler(values));
    String code = values.get("errorCode");
    if (code != null) {
      String c = code.trim();
      if (c.isEmpty() || c.length() > 4 || !c.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
        throw new UpnpException(UpnpError.BAD_ANSWER, "the device sent a fault without a code");
      }
      int n = Integer.parseInt(c);
      return new SoapAnswer(values, n == 0 ? -1 : n, values.get("errorDescription"));
    }
    if (httpStatus != 200) {
      throw new UpnpException(
          UpnpError.BAD_ANSWER, "the device failed the action (HTTP " + httpStatus + ")");
    }
    return new SoapAnswer(values, 0, null);
  }
}
