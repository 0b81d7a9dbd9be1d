package io.natswarm.node.status;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 requests written byte by byte, so a test controls every header (the JDK's client will
 * not send a foreign {@code Host}).
 */
final class RawHttp {
  private RawHttp() {}

  /** A response: status code, headers (lower-case names) and body. */
  record Response(int code, Map<String, String> headers, String body) {}

  static Response get(InetSocketAddress server, String path) throws IOException {
    return request(server, "GET", path, Map.of(), (String) null);
  }

  static Response request(
      InetSocketAddress server,
      String method,
      String path,
      Map<String, String> headers,
      String body)
      throws IOException {
    return request(
        server, method, path, headers, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
  }

  static Response request(
      InetSocketAddress server,
      String method,
      String path,
      Map<String, String> headers,
      byte[] body)
      throws IOException {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Host", "127.0.0.1:" + server.getPort());
    h.putAll(headers);
    h.put("Connection", "close");
    if (body != null) {
      h.put("Content-Length", Integer.toString(body.length));
    }
    StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
    h.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    head.append("\r\n");
    try (Socket s = new Socket()) {
      s.connect(server, 5000);
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      if (body != null) {
        out.write(body);
      }
      out.flush();
      InputStream in = s.getInputStream();
      String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int end = all.indexOf("\r\n\r\n");
      String[] lines = all.substring(0, end).split("\r\n", -1);
      int code = Integer.parseInt(lines[0].split(" ", -1)[1]);
      Map<String, String> rh = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int c = lines[i].indexOf(':');
        rh.put(
            lines[i].substring(0, c).toLowerCase(Locale.ROOT), lines[i].substring(c + 1).strip());
      }
      String rest = all.substring(end + 4);
      if ("chunked".equalsIgnoreCase(rh.get("transfer-encoding"))) {
        rest = dechunk(rest);
      }
      return new Response(code, rh, rest);
    }
  }

  private static String dechunk(String s) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (true) {
      int nl = s.indexOf("\r\n", i);
      int n = Integer.parseInt(s.substring(i, nl).strip(), 16);
      if (n == 0) {
        return out.toString();
      }
      out.append(s, nl + 2, nl + 2 + n);
      i = nl + 2 + n + 2;
    }
  }
}
