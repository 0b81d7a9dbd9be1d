package io.natswarm.holepunch.portmap.upnp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * A minimal HTTP/1.1 client (RFC 9112) for talking to a LAN device, bounded in every dimension: a
 * connect timeout, a timeout per read and one deadline for the whole exchange (a device that drips
 * a byte at a time still ends within it), at most {@link Limits#maxHeaderBytes} of status line and
 * headers and {@link Limits#maxBodyBytes} of body whether framed by Content-Length (a larger length
 * is refused before a byte of body is read), chunked or by the end of the connection. No proxy, no
 * redirects (a 3xx is an error), no cookies, no keep-alive, no DNS: the URL passed {@link
 * LanUrls#check} and names an IP literal.
 *
 * <p>Blocking; runs on the caller's thread (the {@link UpnpMapper}'s, never the UDP event loop).
 */
final class LanHttp {
  private LanHttp() {}

  /**
   * Bounds on one exchange.
   *
   * @param connectTimeoutMillis to establish the TCP connection
   * @param readTimeoutMillis the longest silence between two reads
   * @param totalTimeoutMillis from connecting to the last byte of the body
   * @param maxHeaderBytes status line and headers together
   * @param maxBodyBytes the body after de-chunking
   */
  record Limits(
      int connectTimeoutMillis,
      int readTimeoutMillis,
      int totalTimeoutMillis,
      int maxHeaderBytes,
      int maxBodyBytes) {
    Limits {
      if (connectTimeoutMillis < 1
          || readTimeoutMillis < 1
          || totalTimeoutMillis < 1
          || maxHeaderBytes < 256
          || maxBodyBytes < 1) {
        throw new IllegalArgumentException("HTTP limits must be positive: " + this);
      }
    }
  }

  /** A response with status 200 or 500 (a SOAP fault). */
  static final class Response {
    private final int status;
    private final byte[] body;
    private final int length;
    private final InetAddress localAddress;

    Response(int status, byte[] body, int length, InetAddress localAddress) {
      this.status = status;
      this.body = body;
      this.length = length;
      this.localAddress = localAddress;
    }

    /** The HTTP status. */
    int status() {
      return status;
    }

    /** The body's bytes, valid up to {@link #length}; not copied. */
    byte[] body() {
      return body;
    }

    /** The body's length. */
    int length() {
      return length;
    }

    /** This host's address on the connection: the LAN address the device sees. */
    InetAddress localAddress() {
      return localAddress;
    }
  }

  static Response get(URI url, Limits limits) throws UpnpException {
    String head =
        "GET "
            + LanUrls.requestTarget(url)
            + " HTTP/1.1\r\nHost: "
            + url.getRawAuthority()
            + "\r\nConnection: close\r\nAccept: text/xml\r\nUser-Agent: natswarm UPnP/1.1\r\n\r\n";
    return exchange(url, head.getBytes(StandardCharsets.US_ASCII), limits);
  }

  static Response postSoap(URI url, String soapAction, byte[] body, Limits limits)
      throws UpnpException {
    String head =
        "POST "
            + LanUrls.requestTarget(url)
            + " HTTP/1.1\r\nHost: "
            + url.getRawAuthority()
            + "\r\nConnection: close\r\nContent-Type: text/xml; charset=\"utf-8\"\r\nSOAPAction: \""
            + soapAction
            + "\"\r\nUser-Agent: natswarm UPnP/1.1\r\nContent-Length: "
            + body.length
            + "\r\n\r\n";
    byte[] h = head.getBytes(StandardCharsets.US_ASCII);
    byte[] request = Arrays.copyOf(h, h.length + body.length);
    System.arraycopy(body, 0, request, h.length, body.length);
    return exchange(url, request, limits);
  }

  private static Response exchange(URI url, byte[] request, Limits limits) throws UpnpException {
    long deadline = System.nanoTime() + limits.totalTimeoutMillis() * 1_000_000L;
    try (Socket s = new Socket(Proxy.NO_PROXY)) {
      s.connect(LanUrls.endpoint(url), limits.connectTimeoutMillis());
      OutputStream out = s.getOutputStream();
      s.setSoTimeout(limits.readTimeoutMillis());
      out.write(request);
      out.flush();
      Input in = new Input(s, deadline, limits);
      int status;
      Headers headers;
      do {
        status = statusLine(in.line());
        headers = headers(in);
      } while (status == 100);
      if (status >= 300 && status < 400) {
        throw new UpnpException(
            UpnpError.REDIRECT_REFUSED,
            "the device answered with a redirect (HTTP " + status + "), which is not followed");
      }
      if (status != 200 && status != 500) {
        throw new UpnpException(
            UpnpError.HTTP_FAILED, "the device answered with HTTP status " + status);
      }
      byte[] body;
      int length;
      if (headers.chunked) {
        in.newLineBudget(limits.maxBodyBytes()); // chunk-size lines and trailers
        body = new byte[Math.min(4096, limits.maxBodyBytes())];
        length = 0;
        while (true) {
          long size = chunkSize(in.line());
          if (size == 0) {
            while (!in.line().isEmpty()) {
              // trailers, bounded by the header budget
            }
            break;
          }
          if (length + size > limits.maxBodyBytes()) {
            throw tooLarge(limits);
          }
          if (length + size > body.length) {
            body = Arrays.copyOf(body, (int) Math.min(limits.maxBodyBytes(), 2L * (length + size)));
          }
          in.readFully(body, length, (int) size);
          length += (int) size;
          if (!in.line().isEmpty()) {
            throw framing("a chunk not followed by CRLF");
          }
        }
      } else if (headers.contentLength >= 0) {
        if (headers.contentLength > limits.maxBodyBytes()) {
          throw tooLarge(limits);
        }
        length = (int) headers.contentLength;
        body = new byte[length];
        in.readFully(body, 0, length);
      } else {
        body = new byte[Math.min(4096, limits.maxBodyBytes())];
        length = 0;
        while (true) {
          if (length == body.length) {
            if (length == limits.maxBodyBytes()) {
              if (in.read() < 0) {
                break;
              }
              throw tooLarge(limits);
            }
            body = Arrays.copyOf(body, Math.min(limits.maxBodyBytes(), 2 * length));
          }
          int n = in.read(body, length, body.length - length);
          if (n < 0) {
            break;
          }
          length += n;
        }
      }
      return new Response(status, body, length, s.getLocalAddress());
    } catch (SocketTimeoutException e) {
      throw timeout(limits);
    } catch (IOException e) {
      throw new UpnpException(
          UpnpError.HTTP_FAILED,
          "cannot talk to the device at " + url.getRawAuthority() + ": " + e.getMessage());
    }
  }

  private static int statusLine(String line) throws UpnpException {
    // HTTP/1.1 200 OK
    if (line.length() < 12
        || !(line.startsWith("HTTP/1.1 ") || line.startsWith("HTTP/1.0 "))
        || (line.length() > 12 && line.charAt(12) != ' ')) {
      throw framing("a malformed status line");
    }
    int status = 0;
    for (int i = 9; i < 12; i++) {
      char c = line.charAt(i);
      if (c < '0' || c > '9') {
        throw framing("a malformed status line");
      }
      status = status * 10 + (c - '0');
    }
    return status;
  }

  private static final class Headers {
    long contentLength = -1;
    boolean chunked;
  }

  private static Headers headers(Input in) throws IOException, UpnpException {
    Headers h = new Headers();
    for (String line = in.line(); !line.isEmpty(); line = in.line()) {
      int colon = line.indexOf(':');
      if (colon <= 0 || line.charAt(0) == ' ' || line.charAt(0) == '\t') {
        throw framing("a malformed header line");
      }
      String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = line.substring(colon + 1).trim();
      if (name.equals("content-length")) {
        long n = digits(value, 12);
        if (n < 0 || (h.contentLength >= 0 && h.contentLength != n)) {
          throw framing("a bad Content-Length");
        }
        h.contentLength = n;
      } else if (name.equals("transfer-encoding")) {
        if (!value.toLowerCase(Locale.ROOT).equals("chunked")) {
          throw framing("a transfer coding other than chunked");
        }
        h.chunked = true;
      }
    }
    if (h.chunked) {
      h.contentLength = -1; // RFC 9112 section 6.3: chunked wins over Content-Length
    }
    return h;
  }

  private static long chunkSize(String line) throws UpnpException {
    int semi = line.indexOf(';');
    String hex = (semi < 0 ? line : line.substring(0, semi)).trim();
    if (hex.isEmpty() || hex.length() > 8) {
      throw framing("a bad chunk size");
    }
    long n = 0;
    for (int i = 0; i < hex.length(); i++) {
      int d = Character.digit(hex.charAt(i), 16);
      if (d < 0) {
        throw framing("a bad chunk size");
      }
      n = n * 16 + d;
    }
    return n;
  }

  private static long digits(String s, int maxDigits) {
    if (s.isEmpty() || s.length() > maxDigits) {
      return -1;
    }
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  private static UpnpException framing(String what) {
    return new UpnpException(UpnpError.HTTP_FAILED, "the device sent broken HTTP: " + what);
  }

  private static UpnpException tooLarge(Limits l) {
    return new UpnpException(
        UpnpError.TOO_LARGE,
        "the device sent more than " + l.maxBodyBytes() + " bytes; the answer was dropped");
  }

  private static UpnpException timeout(Limits l) {
    return new UpnpException(
        UpnpError.TIMEOUT,
        "the device did not answer in full within " + l.totalTimeoutMillis() + " ms");
  }

  /** The socket's input under the deadline, the header budget and a small buffer. */
  private static final class Input {
    private final Socket socket;
    private final InputStream in;
    private final long deadline;
    private final Limits limits;
    private final byte[] buf = new byte[4096];
    private int pos;
    private int end;
    private int lineBytes;
    private int lineBudget;

    Input(Socket socket, long deadline, Limits limits) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
      this.deadline = deadline;
      this.limits = limits;
      this.lineBudget = limits.maxHeaderBytes();
    }

    void newLineBudget(int bytes) {
      lineBytes = 0;
      lineBudget = bytes;
    }

    /** Fills the buffer; false at the end of the stream. */
    private boolean fill() throws IOException, UpnpException {
      long remainingMillis = (deadline - System.nanoTime()) / 1_000_000L;
      if (remainingMillis <= 0) {
        throw timeout(limits);
      }
      socket.setSoTimeout((int) Math.min(limits.readTimeoutMillis(), remainingMillis));
      int n = in.read(buf, 0, buf.length);
      if (n < 0) {
        return false;
      }
      pos = 0;
      end = n;
      return true;
    }

    int read() throws IOException, UpnpException {
      if (pos == end && !fill()) {
        return -1;
      }
      return buf[pos++] & 0xff;
    }

    int read(byte[] b, int off, int len) throws IOException, UpnpException {
      if (pos == end && !fill()) {
        return -1;
      }
      int n = Math.min(len, end - pos);
      System.arraycopy(buf, pos, b, off, n);
      pos += n;
      return n;
    }

    void readFully(byte[] b, int off, int len) throws IOException, UpnpException {
      int done = 0;
      while (done < len) {
        int n = read(b, off + done, len - done);
        if (n < 0) {
          throw framing("the connection closed before the end of the body");
        }
        done += n;
      }
    }

    /** A header-section line without its CRLF (or LF), counted against the header budget. */
    String line() throws IOException, UpnpException {
      StringBuilder b = new StringBuilder();
      while (true) {
        int c = read();
        if (c < 0) {
          throw framing("the connection closed inside the headers");
        }
        if (++lineBytes > lineBudget) {
          throw new UpnpException(
              UpnpError.TOO_LARGE,
              "the device sent more than " + lineBudget + " bytes of headers or chunk framing");
        }
        if (c == '\n') {
          int n = b.length();
          return n > 0 && b.charAt(n - 1) == '\r' ? b.substring(0, n - 1) : b.toString();
        }
        if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) {
          throw framing("a control character in the headers");
        }
        b.append((char) c);
      }
    }
  }
}
