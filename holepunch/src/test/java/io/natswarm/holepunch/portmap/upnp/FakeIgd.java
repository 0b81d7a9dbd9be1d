package io.natswarm.holepunch.portmap.upnp;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fake Internet Gateway Device on loopback: an SSDP responder on a UDP socket and an HTTP server
 * ({@link HttpServer}) serving a description and a WANIPConnection:1 control URL that keeps port
 * mappings like a router. Behaviour switches for the error cases; any path can be replaced by a
 * hostile handler. Nothing leaves loopback.
 */
final class FakeIgd implements AutoCloseable {
  static final String EXTERNAL_IP = "203.0.113.7";

  /** A mapping the fake holds. */
  record Entry(String protocol, int externalPort, int internalPort, String client, int lease) {}

  final HttpServer http;
  final DatagramSocket ssdp;
  final Map<String, Entry> entries = new ConcurrentHashMap<>();
  final List<Integer> addLeases = new CopyOnWriteArrayList<>();
  final AtomicInteger searches = new AtomicInteger();
  final AtomicInteger descriptionHits = new AtomicInteger();
  final AtomicInteger adds = new AtomicInteger();
  final AtomicInteger deletes = new AtomicInteger();
  final AtomicInteger externalIpQueries = new AtomicInteger();
  volatile boolean onlyPermanent;
  volatile int failEveryActionWith;
  final Set<String> conflicts = ConcurrentHashMap.newKeySet();

  /** The SSDP replies sent for each M-SEARCH; {@code %LOCATION%} becomes the description URL. */
  volatile List<String> ssdpReplies = List.of(reply("%LOCATION%"));

  volatile String description = description("/ctl", null);
  private final Thread responder;

  FakeIgd() throws IOException {
    this(InetAddress.getLoopbackAddress());
  }

  FakeIgd(InetAddress httpAddress) throws IOException {
    http = HttpServer.create(new InetSocketAddress(httpAddress, 0), 16);
    http.setExecutor(Executors.newCachedThreadPool());
    http.createContext(
        "/desc.xml",
        ex -> {
          descriptionHits.incrementAndGet();
          respond(ex, 200, description);
        });
    http.createContext("/ctl", this::control);
    http.start();
    ssdp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    responder = new Thread(this::answerSearches, "fake-igd-ssdp");
    responder.setDaemon(true);
    responder.start();
  }

  /** The SSDP responder's address: the M-SEARCH target in tests. */
  InetSocketAddress ssdpAddress() {
    return (InetSocketAddress) ssdp.getLocalSocketAddress();
  }

  String base() {
    return "http://"
        + http.getAddress().getAddress().getHostAddress()
        + ":"
        + http.getAddress().getPort();
  }

  String location() {
    return base() + "/desc.xml";
  }

  /** A config that searches this fake only, with short timeouts. */
  UpnpConfig config() {
    return UpnpConfig.forLan(InetAddress.getLoopbackAddress())
        .withDiscovery(ssdpAddress(), InetAddress.getLoopbackAddress())
        .withTimeouts(1500, 1000, 1000, 2000);
  }

  static String reply(String location) {
    return "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\n"
        + "ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n"
        + "USN: uuid:fake::urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\nEXT:\r\n"
        + "SERVER: Linux/6 UPnP/1.1 FakeIgd/1\r\nLOCATION: "
        + location
        + "\r\n\r\n";
  }

  static String description(String controlUrl, String urlBase) {
    return "<?xml version=\"1.0\"?>\n<root xmlns=\"urn:schemas-upnp-org:device-1-0\">\n"
        + "<specVersion><major>1</major><minor>0</minor></specVersion>\n"
        + (urlBase == null ? "" : "<URLBase>" + urlBase + "</URLBase>\n")
        + "<device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType>\n"
        + "<friendlyName>Fake router</friendlyName>\n"
        + "<serviceList><service><serviceType>urn:schemas-upnp-org:service:Layer3Forwarding:1"
        + "</serviceType><controlURL>/l3f</controlURL></service></serviceList>\n"
        + "<deviceList><device>"
        + "<deviceType>urn:schemas-upnp-org:device:WANDevice:1</deviceType>\n"
        + "<serviceList><service><serviceType>"
        + "urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1</serviceType>"
        + "<controlURL>/cif</controlURL></service></serviceList>\n"
        + "<deviceList><device>"
        + "<deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:1</deviceType>\n"
        + "<serviceList><service>\n"
        + "  <serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType>\n"
        + "  <serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId>\n"
        + "  <controlURL>"
        + controlUrl
        + "</controlURL>\n"
        + "  <eventSubURL>/evt</eventSubURL><SCPDURL>/scpd.xml</SCPDURL>\n"
        + "</service></serviceList></device></deviceList></device></deviceList>"
        + "</device></root>\n";
  }

  private void answerSearches() {
    byte[] buf = new byte[2048];
    while (!ssdp.isClosed()) {
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      try {
        ssdp.receive(p);
        String m = new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
        if (!m.startsWith("M-SEARCH * HTTP/1.1\r\n") || !m.contains("MAN: \"ssdp:discover\"")) {
          continue;
        }
        searches.incrementAndGet();
        for (String r : ssdpReplies) {
          byte[] b = r.replace("%LOCATION%", location()).getBytes(StandardCharsets.ISO_8859_1);
          ssdp.send(new DatagramPacket(b, b.length, p.getSocketAddress()));
        }
      } catch (SocketException e) {
        return;
      } catch (IOException e) {
        // keep answering
      }
    }
  }

  private static final Pattern ARG = Pattern.compile("<(New[A-Za-z]+)>([^<]*)</\\1>");

  private void control(HttpExchange ex) throws IOException {
    String action = ex.getRequestHeaders().getFirst("SOAPAction");
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Map<String, String> args = new java.util.HashMap<>();
    Matcher m = ARG.matcher(body);
    while (m.find()) {
      args.put(m.group(1), m.group(2));
    }
    String type = "urn:schemas-upnp-org:service:WANIPConnection:1";
    if (action == null || !action.startsWith("\"" + type + "#")) {
      fault(ex, 401, "Invalid Action");
      return;
    }
    String name = action.substring(type.length() + 2, action.length() - 1);
    if (failEveryActionWith != 0) {
      fault(ex, failEveryActionWith, "Refused");
      return;
    }
    switch (name) {
      case "GetExternalIPAddress" -> {
        externalIpQueries.incrementAndGet();
        ok(ex, name, "<NewExternalIPAddress>" + EXTERNAL_IP + "</NewExternalIPAddress>");
      }
      case "AddPortMapping" -> {
        adds.incrementAndGet();
        int lease = Integer.parseInt(args.get("NewLeaseDuration"));
        addLeases.add(lease);
        String key = args.get("NewProtocol") + "/" + args.get("NewExternalPort");
        if (conflicts.contains(key)) {
          fault(ex, 718, "ConflictInMappingEntry");
        } else if (onlyPermanent && lease != 0) {
          fault(ex, 725, "OnlyPermanentLeasesSupported");
        } else {
          entries.put(
              key,
              new Entry(
                  args.get("NewProtocol"),
                  Integer.parseInt(args.get("NewExternalPort")),
                  Integer.parseInt(args.get("NewInternalPort")),
                  args.get("NewInternalClient"),
                  lease));
          ok(ex, name, "");
        }
      }
      case "DeletePortMapping" -> {
        deletes.incrementAndGet();
        String key = args.get("NewProtocol") + "/" + args.get("NewExternalPort");
        if (entries.remove(key) == null) {
          fault(ex, 714, "NoSuchEntryInArray");
        } else {
          ok(ex, name, "");
        }
      }
      default -> fault(ex, 401, "Invalid Action");
    }
  }

  private static void ok(HttpExchange ex, String action, String out) throws IOException {
    respond(
        ex,
        200,
        "<?xml version=\"1.0\"?>\r\n<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\""
            + " s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body><u:"
            + action
            + "Response xmlns:u=\"urn:schemas-upnp-org:service:WANIPConnection:1\">"
            + out
            + "</u:"
            + action
            + "Response></s:Body></s:Envelope>\r\n");
  }

  private static void fault(HttpExchange ex, int code, String description) throws IOException {
    respond(
        ex,
        500,
        "<?xml version=\"1.0\"?>\r\n<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\""
            + " s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body><s:Fault>"
            + "<faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>"
            + "<UPnPError xmlns=\"urn:schemas-upnp-org:control-1-0\"><errorCode>"
            + code
            + "</errorCode><errorDescription>"
            + description
            + "</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>\r\n");
  }

  static void respond(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/xml; charset=\"utf-8\"");
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream o = ex.getResponseBody()) {
      o.write(b);
    }
  }

  /** Serves {@code handler} at {@code path}, replacing what was there. */
  void serve(String path, HttpHandler handler) {
    try {
      http.removeContext(path);
    } catch (IllegalArgumentException e) {
      // was not there
    }
    http.createContext(path, handler);
  }

  List<Entry> entryList() {
    return new ArrayList<>(entries.values());
  }

  @Override
  public void close() {
    ssdp.close();
    http.stop(0);
    ((java.util.concurrent.ExecutorService) http.getExecutor()).shutdownNow();
  }
}
