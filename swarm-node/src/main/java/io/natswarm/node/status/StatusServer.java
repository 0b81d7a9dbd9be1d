package io.natswarm.node.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.natswarm.dht.DhtCounters;
import io.natswarm.holepunch.portmap.PortMapping;
import io.natswarm.holepunch.reach.Candidate;
import io.natswarm.holepunch.reach.ExternalAddress;
import io.natswarm.holepunch.reach.FamilyReachability;
import io.natswarm.holepunch.reach.TransportReachability;
import io.natswarm.holepunch.stun.MappingBehavior;
import io.natswarm.node.DaemonThreads;
import io.natswarm.node.PeerFailures;
import io.natswarm.node.Transfer;
import io.natswarm.node.TransferProgress;
import io.natswarm.node.bt.BtEngine;
import io.natswarm.node.bt.HolepunchService;
import io.natswarm.node.bt.Ipv6Upgrade;
import io.natswarm.node.bt.RelayService;
import io.natswarm.node.dht.DhtService;
import io.natswarm.node.reach.ReachabilityReport;
import io.natswarm.pex.PexCounters;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's status server (issue 10, "Status, metrics and a web page"), on the JDK's {@code
 * com.sun.net.httpserver}:
 *
 * <ul>
 *   <li>{@code GET /api/status}: JSON (torrents with progress, rates and peers; DHT; PEX; traffic);
 *   <li>{@code GET /metrics}: the Prometheus text format ({@link NodeMetrics});
 *   <li>{@code GET /}: one self-contained HTML page that polls the JSON;
 *   <li>{@code POST /api/torrents} {@code {"magnet": "magnet:?xt=urn:btih:..."}} or {@code
 *       {"torrent": "<a .torrent file in base64>"}}: adds a torrent, downloaded into the configured
 *       download directory only (Bt's path normalizer keeps a torrent's names inside it);
 *   <li>{@code POST /api/torrents/<info-hash>/pause}: stops the torrent's client and keeps it
 *       listed as paused (its pieces stay on disk); {@code .../resume}: starts it again into the
 *       same directory, fetching only what is missing; {@code .../remove}: stops and removes it
 *       (its data stays on disk). Each is idempotent; an unknown info-hash is a 404.
 * </ul>
 *
 * <p>Security ({@link RequestGuard}): loopback unless a token is configured (refused otherwise);
 * every POST needs the token and is refused across origins.
 */
public final class StatusServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StatusServer.class);

  /** Room for a base64 {@code .torrent} of 6 MiB (a magnet link is limited to 8 KiB). */
  static final int MAX_BODY = 8 << 20;

  private static final Pattern ACTION =
      Pattern.compile("/api/torrents/([0-9a-fA-F]{40})/(pause|resume|remove)");
  private static final String PAGE_RESOURCE = "status-page.html";

  private final StatusSource engine;
  private final StatusServerSettings settings;
  private final HttpServer http;
  private final ExecutorService handlers;
  private final ScheduledExecutorService sampler;
  private final RateHistory history = new RateHistory();
  private final AtomicLong badRequests = new AtomicLong();
  private final NodeMetrics metrics = new NodeMetrics(badRequests);
  private final ObjectMapper json = new ObjectMapper();
  private final RequestGuard guard;
  private final String token;
  private final long startedMillis = System.currentTimeMillis();

  private StatusServer(StatusSource engine, StatusServerSettings settings) throws IOException {
    this.engine = engine;
    this.settings = settings;
    this.token = settings.hasToken() ? settings.token() : randomToken();
    this.http = HttpServer.create(settings.bind(), 16);
    this.guard = new RequestGuard(token, http.getAddress());
    this.handlers = Executors.newFixedThreadPool(2, DaemonThreads.named("natswarm-status"));
    this.sampler =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("natswarm-status-sampler"));
    http.setExecutor(handlers);
    http.createContext("/", this::handle);
  }

  /**
   * Starts a status server over {@code engine}.
   *
   * @throws IllegalArgumentException if the address is not loopback and no token is configured
   * @throws IOException if the address cannot be bound
   */
  public static StatusServer start(BtEngine engine, StatusServerSettings settings)
      throws IOException {
    return start(StatusSource.of(engine), settings);
  }

  /**
   * Starts a status server over {@code source} (a BitTorrent node or a DHT-only one).
   *
   * @throws IllegalArgumentException if the address is not loopback and no token is configured
   * @throws IOException if the address cannot be bound
   */
  public static StatusServer start(StatusSource engine, StatusServerSettings settings)
      throws IOException {
    InetSocketAddress bind = settings.bind();
    if (!bind.getAddress().isLoopbackAddress() && !settings.hasToken()) {
      throw new IllegalArgumentException(
          "the status server may listen on "
              + bind.getAddress().getHostAddress()
              + " (not loopback) only with a token: set status.token in the configuration");
    }
    StatusServer s = new StatusServer(engine, settings);
    var unused = s.sampler.scheduleAtFixedRate(s::sample, 0, 1, TimeUnit.SECONDS);
    s.http.start();
    LOG.info("status server on http://{}/", s.address());
    return s;
  }

  /** The address the server listens on. */
  public InetSocketAddress address() {
    return http.getAddress();
  }

  /** The token state-changing requests must carry (configured, or made at start). */
  public String token() {
    return token;
  }

  private void sample() {
    try {
      history.record(engine.torrentViews(), System.currentTimeMillis());
    } catch (RuntimeException e) {
      LOG.debug("status sample: {}", e.toString());
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      String method = ex.getRequestMethod();
      if (method.equals("GET") || method.equals("HEAD")) {
        Optional<String> refused = guard.refuseRead(ex.getRequestHeaders());
        if (refused.isPresent()) {
          error(ex, 403, refused.get());
          return;
        }
        switch (path) {
          case "/" -> page(ex);
          case "/api/status" -> send(ex, 200, "application/json", json.writeValueAsBytes(status()));
          case "/metrics" -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            metrics.write(view(), engine.holepunch(), engine.relay(), out);
            send(ex, 200, metrics.contentType(), out.toByteArray());
          }
          default -> error(ex, 404, "no such page: " + path);
        }
      } else if (method.equals("POST")) {
        Optional<String> refused = guard.refuseChange(ex.getRequestHeaders());
        if (refused.isPresent()) {
          error(ex, 403, refused.get());
          return;
        }
        post(ex, path);
      } else {
        ex.getResponseHeaders().set("Allow", "GET, HEAD, POST");
        error(ex, 405, "method " + method + " is not allowed");
      }
    } catch (RuntimeException e) {
      LOG.warn("status request {} failed", ex.getRequestURI(), e);
      try {
        error(ex, 500, "internal error: " + e);
      } catch (IOException | RuntimeException ignored) {
        // the response may already be under way
      }
    }
  }

  private void post(HttpExchange ex, String path) throws IOException {
    byte[] body = readBody(ex.getRequestBody());
    if (body == null) {
      error(ex, 413, "the request body is larger than " + MAX_BODY + " bytes");
      return;
    }
    if (path.equals("/api/torrents")) {
      add(ex, body);
      return;
    }
    Matcher m = ACTION.matcher(path);
    if (!m.matches()) {
      error(ex, 404, "no such action: " + path);
      return;
    }
    String hash = m.group(1).toLowerCase(Locale.ROOT);
    String action = m.group(2);
    Optional<Transfer> t;
    String state;
    switch (action) {
      case "pause" -> {
        t = engine.pause(hash);
        state = "paused";
      }
      case "resume" -> {
        try {
          t = engine.resume(hash);
        } catch (IOException e) {
          error(ex, 409, e.getMessage());
          return;
        }
        state = "active";
      }
      default -> {
        t = engine.transfer(hash);
        t.ifPresent(Transfer::stop);
        state = "removed";
      }
    }
    if (t.isEmpty()) {
      error(ex, 404, "no torrent " + hash + " on this node");
      return;
    }
    ObjectNode o = json.createObjectNode().put("infoHash", hash).put("state", state);
    if (action.equals("remove")) {
      o.put("removed", hash);
    }
    send(ex, 200, "application/json", json.writeValueAsBytes(o));
  }

  /** {@code {"magnet": "magnet:?..."}} or {@code {"torrent": "<a .torrent file in base64>"}}. */
  private void add(HttpExchange ex, byte[] body) throws IOException {
    JsonNode req;
    try {
      req = json.readTree(body);
    } catch (IOException e) {
      error(ex, 400, "the request body is not valid JSON");
      return;
    }
    boolean magnet = req != null && req.isObject() && req.path("magnet").isTextual();
    boolean file = req != null && req.isObject() && req.path("torrent").isTextual();
    if (magnet == file) {
      error(
          ex,
          400,
          "expected a JSON object {\"magnet\": \"magnet:?xt=urn:btih:...\"}"
              + " or {\"torrent\": \"<the .torrent file in base64>\"}");
      return;
    }
    Transfer t;
    try {
      if (magnet) {
        Optional<String> bad = MagnetCheck.problem(req.get("magnet").textValue());
        if (bad.isPresent()) {
          error(ex, 400, bad.get());
          return;
        }
        t = engine.download(req.get("magnet").textValue(), settings.downloadDirectory());
      } else {
        byte[] metainfo;
        try {
          metainfo = Base64.getDecoder().decode(req.get("torrent").textValue());
        } catch (IllegalArgumentException e) {
          error(ex, 400, "the torrent is not base64: " + e.getMessage());
          return;
        }
        if (metainfo.length == 0 || metainfo[0] != 'd') {
          error(ex, 400, "not a .torrent file (a bencoded dictionary starts with 'd')");
          return;
        }
        t = engine.download(metainfo, settings.downloadDirectory());
      }
    } catch (IllegalArgumentException e) {
      error(ex, 400, e.getMessage());
      return;
    } catch (IOException e) {
      error(ex, 409, e.getMessage());
      return;
    }
    ObjectNode o = json.createObjectNode().put("infoHash", t.infoHash());
    send(ex, 201, "application/json", json.writeValueAsBytes(o));
  }

  private static byte[] readBody(InputStream in) throws IOException {
    byte[] b = in.readNBytes(MAX_BODY + 1);
    return b.length > MAX_BODY ? null : b;
  }

  private void page(HttpExchange ex) throws IOException {
    byte[] page;
    try (InputStream in = StatusServer.class.getResourceAsStream(PAGE_RESOURCE)) {
      if (in == null) {
        throw new IOException("missing resource " + PAGE_RESOURCE);
      }
      page = in.readAllBytes();
    }
    // The page learns the token only on loopback: elsewhere a person types it in.
    String t = address().getAddress().isLoopbackAddress() ? token : "";
    String html = new String(page, StandardCharsets.UTF_8).replace("__NATSWARM_TOKEN__", t);
    ex.getResponseHeaders()
        .set(
            "Content-Security-Policy",
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline';"
                + " connect-src 'self'; img-src data:; frame-ancestors 'none'");
    ex.getResponseHeaders().set("X-Frame-Options", "DENY");
    send(ex, 200, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8));
  }

  private NodeView view() {
    DhtService dht = engine.dht();
    DhtCounters counters = null;
    int size = 0;
    int buckets = 0;
    if (dht != null) {
      try {
        counters = dht.counters();
        int[] sb =
            dht.inspect(n -> new int[] {n.routingTable().size(), n.routingTable().bucketCount()});
        size = sb[0];
        buckets = sb[1];
      } catch (IOException e) {
        LOG.debug("DHT counters: {}", e.toString());
      }
    }
    PexCounters.Snapshot pex = engine.pexCounters();
    PeerFailures failures = engine.peerFailures();
    return new NodeView(
        engine.torrentViews(), size, buckets, counters, pex, failures, engine.reachability());
  }

  private ObjectNode status() {
    NodeView v = view();
    ObjectNode root = json.createObjectNode();
    InetSocketAddress listen = engine.listenAddress();
    ObjectNode node = root.putObject("node");
    node.put("listen", listen.getAddress().getHostAddress() + ":" + listen.getPort());
    node.put("uptimeSeconds", (System.currentTimeMillis() - startedMillis) / 1000);
    long down = 0;
    long up = 0;
    double downRate = 0;
    double upRate = 0;
    ArrayNode torrents = root.putArray("torrents");
    for (TorrentView t : v.torrents()) {
      TransferProgress p = t.progress();
      RateHistory.Rates r = history.rates(t.infoHash());
      down += p.downloadedBytes();
      up += p.uploadedBytes();
      downRate += r.downloadPerSecond();
      upRate += r.uploadPerSecond();
      ObjectNode o = torrents.addObject();
      o.put("infoHash", t.infoHash());
      o.put("name", t.name());
      o.put("state", t.state());
      o.put("piecesTotal", p.piecesTotal());
      o.put("piecesVerified", p.piecesVerified());
      o.put("progress", p.piecesTotal() == 0 ? 0.0 : (double) p.piecesVerified() / p.piecesTotal());
      o.put("complete", p.complete());
      o.put("downloadedBytes", p.downloadedBytes());
      o.put("uploadedBytes", p.uploadedBytes());
      o.put("downloadRate", r.downloadPerSecond());
      o.put("uploadRate", r.uploadPerSecond());
      ArrayNode dh = o.putArray("downloadRateHistory");
      history.downloadRates(t.infoHash()).forEach(dh::add);
      ArrayNode uh = o.putArray("uploadRateHistory");
      history.uploadRates(t.infoHash()).forEach(uh::add);
      ArrayNode peers = o.putArray("peers");
      for (PeerView pv : t.peers()) {
        ObjectNode po = peers.addObject();
        UtpPathView u = pv.utp();
        if (u == null) {
          po.putNull("utp");
        } else {
          po.putObject("utp")
              .put("retransmits", u.retransmits())
              .put("timeouts", u.timeouts())
              .put("rttMicros", u.rttMicros())
              .put("queuingDelayMicros", u.queuingDelayMicros());
        }
        po.put("address", pv.address())
            .put("port", pv.port())
            .put("transport", pv.transport())
            .put("family", pv.family())
            .put("path", pv.path())
            .put("direction", pv.outgoing() ? "outgoing" : "incoming")
            .put("client", pv.client())
            .put("downloadedBytes", pv.downloadedBytes())
            .put("uploadedBytes", pv.uploadedBytes())
            .put("downloadRate", history.peerRates(t.infoHash(), pv).downloadPerSecond())
            .put("uploadRate", history.peerRates(t.infoHash(), pv).uploadPerSecond());
      }
    }
    ObjectNode traffic = root.putObject("traffic");
    traffic.put("downloadedBytes", down);
    traffic.put("uploadedBytes", up);
    traffic.put("downloadRate", downRate);
    traffic.put("uploadRate", upRate);
    ObjectNode dht = root.putObject("dht");
    dht.put("enabled", v.dht() != null);
    dht.put("tableSize", v.dhtTableSize());
    dht.put("buckets", v.dhtBuckets());
    if (v.dht() != null) {
      DhtCounters c = v.dht();
      dht.put("datagramsIn", c.datagramsIn());
      dht.put("datagramsOut", c.datagramsOut());
      dht.put("queriesIn", c.queriesIn());
      dht.put("queriesOut", c.queriesOut());
      dht.put("responsesIn", c.responsesIn());
      dht.put("timeouts", c.timeouts());
      dht.put("badDatagrams", c.badDatagrams());
      dht.put("lookupsStarted", c.lookupsStarted());
      dht.put("lookupsDone", c.lookupsDone());
    }
    PexCounters.Snapshot x = v.pex();
    root.putObject("pex")
        .put("messagesSent", x.messagesSent())
        .put("messagesReceived", x.messagesReceived())
        .put("peersAdvertised", x.peersAdvertised())
        .put("peersLearned", x.peersLearned())
        .put("malformed", x.malformedTotal());
    PeerFailures f = v.failures();
    root.putObject("errors")
        .put("piecesFailedVerification", f.piecesFailedVerification())
        .put("peersBanned", f.peersBanned())
        .put("protocolErrorDisconnects", f.protocolErrorDisconnects())
        .put("statusBadRequests", badRequests.get());
    reachability(root.putObject("reachability"), listen);
    return root;
  }

  /**
   * What the node knows of its reachability now: where it listens and what peers say its address is
   * (BEP 10 {@code yourip} votes). Port mappings, STUN, the NAT type and the ladder come with the
   * NAT-traversal issues, which fill in the rest.
   */
  private void reachability(ObjectNode r, InetSocketAddress listen) {
    InetAddress a = listen.getAddress();
    r.put("listenAddress", a.getHostAddress());
    r.put("listenPort", listen.getPort());
    r.put(
        "listenScope",
        a.isLoopbackAddress()
            ? "loopback"
            : a.isAnyLocalAddress()
                ? "all interfaces"
                : a.isSiteLocalAddress() || a.isLinkLocalAddress() ? "private" : "public");
    List<Map.Entry<InetAddress, Integer>> votes =
        new ArrayList<>(engine.externalAddressVotes().entrySet());
    votes.sort(
        Map.Entry.<InetAddress, Integer>comparingByValue()
            .reversed()
            .thenComparing(e -> e.getKey().getHostAddress()));
    ArrayNode v = r.putArray("externalAddressVotes");
    for (Map.Entry<InetAddress, Integer> e : votes) {
      v.addObject().put("address", e.getKey().getHostAddress()).put("votes", e.getValue());
    }
    if (votes.isEmpty()) {
      r.putNull("externalAddress");
    } else {
      r.put("externalAddress", votes.get(0).getKey().getHostAddress());
    }
    r.put("externalAddressSource", "yourip of peers' BEP 10 handshakes");
    Ipv6Upgrade.Counters up = engine.ipv6Upgrades();
    if (up == null) {
      r.putNull("ipv6Upgrades");
    } else {
      r.putObject("ipv6Upgrades")
          .put("attempted", up.attempted())
          .put("upgraded", up.upgraded())
          .put("failed", up.failed())
          .put("otherPeer", up.otherPeer());
    }
    HolepunchService.Counters hp = engine.holepunch();
    if (hp == null) {
      r.putNull("holepunch");
    } else {
      ObjectNode h = r.putObject("holepunch");
      h.put("unreachableDirectly", hp.unreachable())
          .put("rendezvousAsked", hp.asked())
          .put("noRendezvousPeer", hp.noRendezvous())
          .put("introduced", hp.introduced())
          .put("invited", hp.invited())
          .put("connectedAfterPunch", hp.dialledAfterPunch())
          .put("failedAfterPunch", hp.dialFailedAfterPunch())
          .put("punchedConnections", hp.punched())
          .put("reflexiveDials", hp.reflexiveDials())
          .put("tcpPunched", hp.tcpPunched())
          .put("relayed", hp.relayed())
          .put("relayRefused", hp.relayRefused())
          .put("relayRateLimited", hp.relayRateLimited())
          .put("malformed", hp.malformed());
      ArrayNode ms = h.putArray("punchMillis");
      hp.punchMillis().forEach(ms::add);
      ObjectNode f = h.putObject("failed");
      hp.failed().forEach((k, n) -> f.put(k.name().toLowerCase(java.util.Locale.ROOT), n));
      long[] probes = engine.punchProbes();
      if (probes != null) {
        h.put("probesSent", probes[0]).put("probesReceived", probes[1]);
      }
    }
    RelayService.Counters rc = engine.relay();
    if (rc == null) {
      r.putNull("relay");
    } else {
      ObjectNode o = r.putObject("relay");
      o.put("asked", rc.asked())
          .put("noRelayPeer", rc.noRelay())
          .put("connected", rc.connected())
          .put("accepted", rc.accepted())
          .put("endedBadly", rc.ended())
          .put("served", rc.served())
          .put("bytesRelayed", rc.bytesRelayed())
          .put("dataDropped", rc.dataDropped())
          .put("malformed", rc.malformed());
      ArrayNode ms = o.putArray("relayMillis");
      rc.relayMillis().forEach(ms::add);
      ObjectNode f = o.putObject("refused");
      rc.refused().forEach((k, n) -> f.put(k.name().toLowerCase(java.util.Locale.ROOT), n));
      ObjectNode sf = o.putObject("servedRefused");
      rc.servedRefused().forEach((k, n) -> sf.put(k.name().toLowerCase(java.util.Locale.ROOT), n));
    }
    turn(r, engine.turn());
    ObjectNode ladderCounters = r.putObject("ladderCounters");
    engine.ladderCounters().forEach(ladderCounters::put);
    ArrayNode ladder = r.putArray("ladder");
    long nowNanos = System.nanoTime();
    for (io.natswarm.holepunch.ladder.LadderEvent e : engine.ladderEvents()) {
      ladder
          .addObject()
          .put(
              "endpoint", e.endpoint().getAddress().getHostAddress() + ":" + e.endpoint().getPort())
          .put("rung", e.rung().name().toLowerCase(java.util.Locale.ROOT))
          .put("event", e.kind().name().toLowerCase(java.util.Locale.ROOT))
          .put("detail", e.detail())
          .put(
              "agoMillis",
              java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(nowNanos - e.nowNanos()));
    }
    ReachabilityReport report = engine.reachability();
    if (report == null) {
      r.put("portMapping", "off (a DHT-only node maps nothing)");
      r.put("natType", "unknown (not measured)");
      r.putArray("families");
      r.putArray("candidates");
      return;
    }
    ArrayNode families = r.putArray("families");
    for (FamilyReachability f : report.families()) {
      ObjectNode o =
          families
              .addObject()
              .put("family", f.family().label())
              .put("verdict", f.verdict().name().toLowerCase(Locale.ROOT))
              .put("summary", f.summary());
      ArrayNode advice = o.putArray("advice");
      f.advice().forEach(advice::add);
      ArrayNode transports = o.putArray("transports");
      for (TransportReachability t : f.transports()) {
        transports
            .addObject()
            .put("transport", t.transport().label())
            .put("verdict", t.verdict().name().toLowerCase(Locale.ROOT))
            .put("reason", t.reason());
      }
    }
    ArrayNode sources = r.putArray("externalAddresses");
    for (ExternalAddress e : report.externalAddresses()) {
      ObjectNode o = sources.addObject().put("address", e.address().getHostAddress());
      if (e.port() > 0) {
        o.put("port", e.port());
      } else {
        o.putNull("port");
      }
      o.put("source", e.source());
    }
    r.put(
        "natType",
        report.mapping() == MappingBehavior.UNKNOWN
            ? "unknown (not measured: configure nat.stun_server)"
            : "mapping "
                + describe(report.mapping())
                + ", filtering "
                + describe(report.filtering()));
    r.put("stun", report.stunStatus());
    r.put("portMapping", report.mappingStatus());
    r.put("gatewayRestarts", report.gatewayRestarts());
    ArrayNode mappings = r.putArray("mappings");
    for (PortMapping m : report.mappings()) {
      mappings
          .addObject()
          .put("protocol", m.protocol().name())
          .put(
              "external", m.external().getAddress().getHostAddress() + ":" + m.external().getPort())
          .put("via", m.via());
    }
    r.putObject("inbound")
        .put("tcp", report.inboundTcp())
        .put("utp", report.inboundUtp())
        .put("unsolicitedDhtQueries", report.unsolicitedDht());
    ObjectNode dialBack = r.putObject("dialBack");
    report
        .dialBacks()
        .forEach(
            (family, results) -> {
              ObjectNode o = dialBack.putObject(family.label());
              results.forEach((t, ok) -> o.put(t.name().toLowerCase(Locale.ROOT), ok));
            });
    ArrayNode candidates = r.putArray("candidates");
    for (Candidate c : report.candidates()) {
      InetSocketAddress ca = c.address();
      String host = ca.getAddress().getHostAddress();
      candidates
          .addObject()
          .put("type", c.type().label())
          .put("transport", c.transport().label())
          .put("address", (host.contains(":") ? "[" + host + "]" : host) + ":" + ca.getPort())
          .put("priority", c.priority());
    }
  }

  private static String describe(Enum<?> behaviour) {
    return behaviour.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private void error(HttpExchange ex, int code, String message) throws IOException {
    if (code == 400 || code == 413) {
      badRequests.incrementAndGet();
    }
    ObjectNode o = json.createObjectNode().put("error", message);
    send(ex, code, "application/json", json.writeValueAsBytes(o));
  }

  private static void send(HttpExchange ex, int code, String type, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(code, head ? -1 : body.length);
    if (!head) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static String randomToken() {
    byte[] b = new byte[16];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** Stops serving; the node goes on. Idempotent. */
  @Override
  public void close() {
    sampler.shutdownNow();
    http.stop(0);
    handlers.shutdownNow();
  }

  /** {@code reachability.turn}: the TURN rung (our allocation, and ns_turn as every node). */
  private static void turn(ObjectNode r, io.natswarm.node.bt.TurnService.Counters tc) {
    if (tc == null) {
      r.putNull("turn");
      return;
    }
    ObjectNode o = r.putObject("turn");
    o.put("configured", tc.configured())
        .put("server", tc.server() == null ? null : hostPort(tc.server()))
        .put("state", tc.state())
        .put("relayedAddress", tc.relayedAddress() == null ? null : hostPort(tc.relayedAddress()))
        .put("failure", tc.failure())
        .put("offersSent", tc.offersSent())
        .put("noMiddlePeer", tc.noMiddlePeer())
        .put("connected", tc.connected())
        .put("timedOut", tc.timedOut())
        .put("forwarded", tc.forwarded())
        .put("notConnected", tc.notConnected())
        .put("rateLimited", tc.rateLimited())
        .put("dialsAsked", tc.dialsAsked())
        .put("dialsConnected", tc.dialsConnected())
        .put("dialsIgnored", tc.dialsIgnored())
        .put("malformed", tc.malformed());
    io.natswarm.holepunch.turn.TurnCounters c = tc.client();
    if (c != null) {
      o.putObject("client")
          .put("allocations", c.allocations())
          .put("refreshes", c.refreshes())
          .put("permissions", c.permissions())
          .put("channelBinds", c.channelBinds())
          .put("datagramsIn", c.datagramsIn())
          .put("datagramsOut", c.datagramsOut())
          .put("bytesIn", c.bytesIn())
          .put("bytesOut", c.bytesOut())
          .put("errorResponses", c.errorResponses())
          .put("integrityFailures", c.integrityFailures())
          .put("retransmits", c.retransmits());
    }
  }

  private static String hostPort(java.net.InetSocketAddress a) {
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }
}
