package io.natswarm.holepunch.portmap.upnp;

/**
 * Why a UPnP-IGD step failed: the kinds a caller can act on. The message a person reads travels
 * with the kind in {@link UpnpFailure}.
 */
public enum UpnpError {
  /** No Internet Gateway Device answered the SSDP search in time. */
  NO_GATEWAY,
  /** An SSDP reply was malformed, too long, or named a URL we will not fetch. */
  BAD_SSDP_REPLY,
  /** A URL (LOCATION, URLBase, controlURL) is not http:// on the host that answered SSDP. */
  URL_REFUSED,
  /** The device answered with a redirect; redirects are never followed. */
  REDIRECT_REFUSED,
  /** The device's HTTP headers or body exceeded the size cap. */
  TOO_LARGE,
  /** The device did not connect or answer within the time allowed. */
  TIMEOUT,
  /** The connection failed or the HTTP framing was broken. */
  HTTP_FAILED,
  /** The description or SOAP XML was malformed or hostile (a DTD, entities, too deep). */
  BAD_XML,
  /** The description lists no WANIPConnection or WANPPPConnection service. */
  NO_WAN_SERVICE,
  /** The device answered a SOAP action with a UPnP error code. */
  UPNP_FAULT,
  /** The device's answer lacked a value or had one of the wrong type. */
  BAD_ANSWER
}
