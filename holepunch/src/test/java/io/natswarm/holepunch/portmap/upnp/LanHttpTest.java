package io.natswarm.holepunch.portmap.upnp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** HTTP framing of the bounded client against raw answers from a loopback socket. */
class LanHttpTest {
  private static final LanHttp.Limits LIMITS = new LanHttp.Limits(1000, 1000, 2000, 1024, 4096);
  private final ServerSocket server;
  private volatile String request;

  LanHttpTest() throws IOException {
    server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  @AfterEach
  void close() throws IOException {
    server.close();
  }

  /** Answers the next connection with {@code raw}, then closes it. */
  private URI answer(String raw) {
    Thread t =
        new Thread(
            () -> {
              try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                byte[] buf = new byte[4096];
                int n = in.read(buf);
                request = new String(buf, 0, Math.max(n, 0), StandardCharsets.US_ASCII);
                OutputStream o = s.getOutputStream();
                o.write(raw.getBytes(StandardCharsets.ISO_8859_1));
                o.flush();
              } catch (IOException e) {
                // the client hung up
              }
            });
    t.setDaemon(true);
    t.start();
    return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/d.xml?x=1");
  }

  private static String body(LanHttp.Response r) {
    return new String(r.body(), 0, r.length(), StandardCharsets.UTF_8);
  }

  @Test
  void aBodyDelimitedByTheEndOfTheConnection() throws Exception {
    LanHttp.Response r = LanHttp.get(answer("HTTP/1.0 200 OK\r\nServer: x\r\n\r\n<root/>"), LIMITS);
    assertThat(r.status()).isEqualTo(200);
    assertThat(body(r)).isEqualTo("<root/>");
    assertThat(request).startsWith("GET /d.xml?x=1 HTTP/1.1\r\nHost: 127.0.0.1:");
    assertThat(request).contains("Connection: close\r\n");
  }

  @Test
  void continueThenChunksWithExtensionsAndTrailers() throws Exception {
    String raw =
        String.join(
            "\r\n",
            "HTTP/1.1 100 Continue",
            "",
            "HTTP/1.1 200 OK",
            "Transfer-Encoding: chunked",
            "Content-Length: 99",
            "",
            "3;ext=1",
            "<a>",
            "4",
            "</a>",
            "0",
            "X-T: y",
            "",
            "");
    assertThat(body(LanHttp.get(answer(raw), LIMITS))).isEqualTo("<a></a>");
  }

  @Test
  void aSoapFaultStatusIsReturnedForTheCallerToRead() throws Exception {
    LanHttp.Response r =
        LanHttp.postSoap(
            answer("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 3\r\n\r\n<a>"),
            "urn:x#Y",
            "<b/>".getBytes(StandardCharsets.US_ASCII),
            LIMITS);
    assertThat(r.status()).isEqualTo(500);
    assertThat(request).contains("SOAPAction: \"urn:x#Y\"\r\n").endsWith("\r\n\r\n<b/>");
  }

  @Test
  void brokenFraming() {
    assertFails("HTTP/1.1 200\r\nContent-Length: 10\r\n\r\nshort", UpnpError.HTTP_FAILED);
    assertFails("ICY 200 OK\r\n\r\n", UpnpError.HTTP_FAILED);
    assertFails("HTTP/1.1 2x0 OK\r\n\r\n", UpnpError.HTTP_FAILED);
    assertFails("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", UpnpError.HTTP_FAILED);
    assertFails(
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        UpnpError.HTTP_FAILED);
    assertFails("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", UpnpError.HTTP_FAILED);
    assertFails(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", UpnpError.HTTP_FAILED);
    assertFails("HTTP/1.1 200 OK\r\nX: a\u0000b\r\n\r\n", UpnpError.HTTP_FAILED);
    assertFails("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", UpnpError.HTTP_FAILED);
    assertFails("HTTP/1.1 301 Moved\r\nLocation: http://x/\r\n\r\n", UpnpError.REDIRECT_REFUSED);
    assertFails("HTTP/1.0 200 OK\r\n\r\n" + "a".repeat(5000), UpnpError.TOO_LARGE);
    assertFails(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1001\r\n", UpnpError.TOO_LARGE);
  }

  private void assertFails(String raw, UpnpError kind) {
    URI u = answer(raw);
    assertThatThrownBy(() -> LanHttp.get(u, LIMITS))
        .isInstanceOfSatisfying(
            UpnpException.class, e -> assertThat(e.failure().kind()).as(raw).isEqualTo(kind));
  }
}
