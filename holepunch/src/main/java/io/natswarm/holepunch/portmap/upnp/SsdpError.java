package io.natswarm.holepunch.portmap.upnp;

/** Why a datagram is not an SSDP search reply we use (UPnP Device Architecture 1.1, 1.3.3). */
public enum SsdpError {
  /** Longer than {@link SsdpReply#MAX_LENGTH} bytes. */
  TOO_LONG,
  /** Bytes other than printable ASCII, tab, CR and LF. */
  NOT_TEXT,
  /** The first line is not {@code HTTP/1.x 200 ...}. */
  BAD_STATUS_LINE,
  /** A header line without a name and a colon, or a folded line. */
  MALFORMED_HEADER,
  /** More than {@link SsdpReply#MAX_HEADERS} header lines. */
  TOO_MANY_HEADERS,
  /** No LOCATION header. */
  MISSING_LOCATION,
  /** Two LOCATION or two ST headers. */
  DUPLICATE_HEADER,
  /** LOCATION is not an http:// URL to an IP literal. */
  BAD_LOCATION,
  /** No ST (search target) header. */
  MISSING_SEARCH_TARGET
}
