package io.natswarm.holepunch.portmap.upnp;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * An SSDP M-SEARCH reply (UPnP Device Architecture 1.1 section 1.3.3): the device's description URL
 * and the search target it answered for. Parsed strictly from at most {@link #MAX_LENGTH} bytes of
 * printable ASCII: a status line {@code HTTP/1.x 200}, at most {@link #MAX_HEADERS} {@code name:
 * value} lines (CRLF or LF), exactly one LOCATION (http:// to an IP literal) and one ST. Whether
 * LOCATION names the host that sent the reply is checked by the caller, which knows the source.
 *
 * <p>A pure function of the bytes; never throws on bad input.
 *
 * @param location the device description URL
 * @param locationHost its host, an IP literal
 * @param searchTarget the ST header
 */
public record SsdpReply(URI location, InetAddress locationHost, String searchTarget) {
  /** Replies longer than this are refused (real ones are about 300 bytes). */
  public static final int MAX_LENGTH = 2048;

  /** Header lines beyond this many are refused. */
  public static final int MAX_HEADERS = 32;

  /** Parses {@code length} bytes of {@code data} from {@code offset}. */
  public static SsdpParsed parse(byte[] data, int offset, int length) {
    if (length > MAX_LENGTH) {
      return SsdpParsed.error(SsdpError.TOO_LONG);
    }
    for (int i = offset; i < offset + length; i++) {
      int b = data[i] & 0xff;
      if ((b < 0x20 || b > 0x7e) && b != '\t' && b != '\r' && b != '\n') {
        return SsdpParsed.error(SsdpError.NOT_TEXT);
      }
    }
    String text = new String(data, offset, length, StandardCharsets.US_ASCII);
    String[] lines = text.split("\n", -1);
    if (!isOkStatus(stripCr(lines[0]))) {
      return SsdpParsed.error(SsdpError.BAD_STATUS_LINE);
    }
    String location = null;
    String st = null;
    int headers = 0;
    for (int i = 1; i < lines.length; i++) {
      String line = stripCr(lines[i]);
      if (line.isEmpty()) {
        break; // end of headers; SSDP replies have no body
      }
      if (++headers > MAX_HEADERS) {
        return SsdpParsed.error(SsdpError.TOO_MANY_HEADERS);
      }
      int colon = line.indexOf(':');
      if (colon <= 0 || !isToken(line, colon)) {
        return SsdpParsed.error(SsdpError.MALFORMED_HEADER);
      }
      String name = line.substring(0, colon).toUpperCase(Locale.ROOT);
      String value = line.substring(colon + 1).trim();
      if (name.equals("LOCATION")) {
        if (location != null) {
          return SsdpParsed.error(SsdpError.DUPLICATE_HEADER);
        }
        location = value;
      } else if (name.equals("ST")) {
        if (st != null) {
          return SsdpParsed.error(SsdpError.DUPLICATE_HEADER);
        }
        st = value;
      }
    }
    if (location == null) {
      return SsdpParsed.error(SsdpError.MISSING_LOCATION);
    }
    if (st == null || st.isEmpty()) {
      return SsdpParsed.error(SsdpError.MISSING_SEARCH_TARGET);
    }
    URI u;
    try {
      u = new URI(location);
    } catch (URISyntaxException e) {
      return SsdpParsed.error(SsdpError.BAD_LOCATION);
    }
    InetAddress host = LanUrls.literalHost(u);
    if (host == null
        || u.getScheme() == null
        || !u.getScheme().toLowerCase(Locale.ROOT).equals("http")
        || u.getRawUserInfo() != null
        || u.getPort() == 0
        || u.getPort() > 65535) {
      return SsdpParsed.error(SsdpError.BAD_LOCATION);
    }
    return SsdpParsed.ok(new SsdpReply(u, host, st));
  }

  private static String stripCr(String line) {
    return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
  }

  private static boolean isOkStatus(String line) {
    // "HTTP/1.1 200 OK"; the reason phrase is not checked.
    return (line.startsWith("HTTP/1.1 200") || line.startsWith("HTTP/1.0 200"))
        && (line.length() == 12 || line.charAt(12) == ' ');
  }

  private static boolean isToken(String line, int end) {
    for (int i = 0; i < end; i++) {
      char c = line.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_'
              || c == '.';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
