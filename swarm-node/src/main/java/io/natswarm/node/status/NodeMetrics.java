package io.natswarm.node.status;

import io.natswarm.dht.DhtCounters;
import io.natswarm.holepunch.punch.PunchFailure;
import io.natswarm.holepunch.reach.FamilyReachability;
import io.natswarm.holepunch.reach.Verdict;
import io.natswarm.node.PeerFailures;
import io.natswarm.node.bt.HolepunchService;
import io.natswarm.node.reach.ReachabilityReport;
import io.natswarm.pex.PexCounters;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

/**
 * The node's metrics through the Prometheus Java client (callback metrics read from one {@link
 * NodeView} taken per scrape), written in the Prometheus text format (issue 10).
 *
 * <p>Byte counters are the node's transfers' session counters: a removed torrent's bytes leave the
 * sum (Prometheus sees a counter reset). The hole punch's counters (BEP 55) are taken once per
 * scrape too, and are left out of the scrape when the node makes no peer connections.
 */
final class NodeMetrics {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
  private final AtomicLong badRequests;
  private volatile NodeView view;
  private volatile HolepunchService.Counters holepunch;
  private volatile io.natswarm.node.bt.RelayService.Counters relay;

  NodeMetrics(AtomicLong badRequests) {
    this.badRequests = badRequests;
    counter(
        "natswarm_payload_bytes",
        "Payload bytes of the node's torrents this session, by direction.",
        cb -> {
          long down = 0;
          long up = 0;
          for (TorrentView t : view.torrents()) {
            down += t.progress().downloadedBytes();
            up += t.progress().uploadedBytes();
          }
          cb.call((double) down, "down");
          cb.call((double) up, "up");
        },
        "direction");
    gauge(
        "natswarm_torrents",
        "Torrents on the node.",
        cb -> cb.call((double) view.torrents().size()));
    gauge(
        "natswarm_torrents_paused",
        "Torrents on the node that are paused.",
        cb -> cb.call((double) view.torrents().stream().filter(TorrentView::paused).count()));
    gauge(
        "natswarm_torrent_pieces_verified",
        "Pieces present and verified, per torrent.",
        cb ->
            view.torrents()
                .forEach(t -> cb.call((double) t.progress().piecesVerified(), t.infoHash())),
        "infohash");
    gauge(
        "natswarm_torrent_pieces",
        "Pieces in the torrent (0 while a magnet link's metadata is missing).",
        cb ->
            view.torrents()
                .forEach(t -> cb.call((double) t.progress().piecesTotal(), t.infoHash())),
        "infohash");
    gauge(
        "natswarm_peers",
        "Open peer connections by transport and by how they were made.",
        cb -> {
          Map<String, Integer> n = new TreeMap<>();
          n.put("utp\0direct", 0);
          n.put("tcp\0direct", 0);
          for (TorrentView t : view.torrents()) {
            for (PeerView p : t.peers()) {
              n.merge(p.transport() + "\0" + p.path(), 1, Integer::sum);
            }
          }
          n.forEach((k, v) -> cb.call((double) v, k.split("\0")));
        },
        "transport",
        "path");
    gauge(
        "natswarm_utp_retransmits",
        "Packets retransmitted by the µTP connections open now (a closed connection leaves the sum).",
        cb -> cb.call((double) utp(UtpPathView::retransmits).sum()));
    gauge(
        "natswarm_utp_timeouts",
        "Retransmission timeouts of the µTP connections open now.",
        cb -> cb.call((double) utp(UtpPathView::timeouts).sum()));
    gauge(
        "natswarm_utp_rtt_seconds",
        "Mean smoothed round-trip time of the µTP connections open now (0 with none).",
        cb -> cb.call(utp(UtpPathView::rttMicros).filter(v -> v > 0).average().orElse(0) / 1e6));
    gauge(
        "natswarm_utp_queuing_delay_seconds",
        "Mean LEDBAT queuing-delay estimate of the µTP connections open now (0 with none).",
        cb ->
            cb.call(
                utp(UtpPathView::queuingDelayMicros).filter(v -> v >= 0).average().orElse(0)
                    / 1e6));
    gauge(
        "natswarm_dht_table_nodes",
        "Nodes in the DHT routing table.",
        cb -> cb.call((double) view.dhtTableSize()));
    gauge(
        "natswarm_dht_buckets",
        "Buckets of the DHT routing table.",
        cb -> cb.call((double) view.dhtBuckets()));
    counter(
        "natswarm_dht_datagrams",
        "DHT datagrams by direction.",
        cb -> {
          DhtCounters d = view.dht();
          if (d != null) {
            cb.call((double) d.datagramsIn(), "in");
            cb.call((double) d.datagramsOut(), "out");
          }
        },
        "direction");
    counter(
        "natswarm_dht_queries",
        "DHT queries by direction.",
        cb -> {
          DhtCounters d = view.dht();
          if (d != null) {
            cb.call((double) d.queriesIn(), "in");
            cb.call((double) d.queriesOut(), "out");
          }
        },
        "direction");
    counter(
        "natswarm_pex_messages",
        "Peer exchange (BEP 11) messages by direction.",
        cb -> {
          PexCounters.Snapshot p = view.pex();
          cb.call((double) p.messagesReceived(), "in");
          cb.call((double) p.messagesSent(), "out");
        },
        "direction");
    counter(
        "natswarm_pex_peers",
        "Peers learned from and advertised in PEX messages.",
        cb -> {
          PexCounters.Snapshot p = view.pex();
          cb.call((double) p.peersLearned(), "learned");
          cb.call((double) p.peersAdvertised(), "advertised");
        },
        "kind");
    counter("natswarm_errors", "Errors by kind.", this::errors, "kind");
    gauge(
        "natswarm_reachability",
        "The reachability verdict per address family: 1 for the current verdict, 0 for the others.",
        cb -> {
          ReachabilityReport r = view.reachability();
          if (r == null) {
            return;
          }
          for (FamilyReachability f : r.families()) {
            for (Verdict v : Verdict.values()) {
              cb.call(
                  f.verdict() == v ? 1.0 : 0.0,
                  f.family().label(),
                  v.name().toLowerCase(java.util.Locale.ROOT));
            }
          }
        },
        "family",
        "verdict");
    gauge(
        "natswarm_port_mappings",
        "Port mappings the gateway holds for the node, by protocol and by how they were made.",
        cb -> {
          ReachabilityReport r = view.reachability();
          if (r != null) {
            r.mappings()
                .forEach(
                    m ->
                        cb.call(
                            1.0, m.protocol().name().toLowerCase(java.util.Locale.ROOT), m.via()));
          }
        },
        "protocol",
        "via");
    counter(
        "natswarm_inbound_connections",
        "Peer connections that came in from global addresses, by transport (reachability evidence).",
        cb -> {
          ReachabilityReport r = view.reachability();
          cb.call(r == null ? 0.0 : (double) r.inboundTcp(), "tcp");
          cb.call(r == null ? 0.0 : (double) r.inboundUtp(), "utp");
        },
        "transport");
    counter(
        "natswarm_gateway_restarts",
        "Restarts of the gateway that its PCP or NAT-PMP epoch showed (RFC 6887 section 8.5,"
            + " RFC 6886 section 3.6); the node maps its port again after each.",
        cb -> {
          ReachabilityReport r = view.reachability();
          cb.call(r == null ? 0.0 : (double) r.gatewayRestarts());
        });
    holepunch(
        "natswarm_holepunch_unreachable",
        "Peer endpoints that support hole punching (PEX flag 0x08) and that µTP did not reach"
            + " directly.",
        HolepunchService.Counters::unreachable);
    holepunch(
        "natswarm_holepunch_rendezvous_requests",
        "Rendezvous requests (BEP 55) the node sent to reach such an endpoint through a connected"
            + " peer.",
        HolepunchService.Counters::asked);
    counter(
        "natswarm_holepunch_connects",
        "Connect messages (BEP 55) the node got, by whose request: introduced (the node's own) or"
            + " invited (the other side's).",
        cb -> {
          HolepunchService.Counters h = holepunch;
          if (h != null) {
            cb.call((double) h.introduced(), "introduced");
            cb.call((double) h.invited(), "invited");
          }
        },
        "kind");
    holepunch(
        "natswarm_holepunch_connections",
        "Peer connections made by the hole punch, dialled or accepted.",
        HolepunchService.Counters::punched);
    counter(
        "natswarm_holepunch_failures",
        "Rendezvous requests of the node's that ended without a connect message, by reason.",
        cb -> {
          HolepunchService.Counters h = holepunch;
          if (h != null) {
            for (PunchFailure f : PunchFailure.values()) {
              cb.call(
                  (double) h.failed().getOrDefault(f, 0L),
                  f.name().toLowerCase(java.util.Locale.ROOT));
            }
          }
        },
        "reason");
    holepunch(
        "natswarm_holepunch_relayed",
        "Rendezvous requests the node relayed between two of its peers.",
        HolepunchService.Counters::relayed);
    holepunch(
        "natswarm_holepunch_relay_refused",
        "Rendezvous requests the node answered with a BEP 55 error instead of relaying them.",
        HolepunchService.Counters::relayRefused);
    counter(
        "natswarm_relay_circuits",
        "Relayed circuits (ns_relay) the node was an end of: asked (it asked a relay peer),"
            + " connected (a relay and the target accepted), accepted (it accepted one to it).",
        cb -> {
          io.natswarm.node.bt.RelayService.Counters r = relay;
          if (r != null) {
            cb.call((double) r.asked(), "asked");
            cb.call((double) r.connected(), "connected");
            cb.call((double) r.accepted(), "accepted");
          }
        },
        "kind");
    counter(
        "natswarm_relay_served",
        "Circuits the node relayed between two of its peers.",
        cb -> {
          io.natswarm.node.bt.RelayService.Counters r = relay;
          if (r != null) {
            cb.call((double) r.served());
          }
        });
    counter(
        "natswarm_relay_bytes",
        "Bytes of sealed frames the node forwarded for circuits it relayed.",
        cb -> {
          io.natswarm.node.bt.RelayService.Counters r = relay;
          if (r != null) {
            cb.call((double) r.bytesRelayed());
          }
        });
  }

  /** A hole punch counter without labels, left out when the node has no hole punch. */
  private void holepunch(
      String name, String help, ToLongFunction<HolepunchService.Counters> value) {
    counter(
        name,
        help,
        cb -> {
          HolepunchService.Counters h = holepunch;
          if (h != null) {
            cb.call((double) value.applyAsLong(h));
          }
        });
  }

  /** One number of each open µTP connection of the current view. */
  private java.util.stream.LongStream utp(java.util.function.ToLongFunction<UtpPathView> f) {
    return view.torrents().stream()
        .flatMap(t -> t.peers().stream())
        .map(PeerView::utp)
        .filter(java.util.Objects::nonNull)
        .mapToLong(f);
  }

  private void errors(CounterWithCallback.Callback cb) {
    NodeView v = view;
    PeerFailures f = v.failures();
    cb.call((double) f.piecesFailedVerification(), "piece_hash_mismatch");
    cb.call((double) f.peersBanned(), "peer_banned");
    cb.call((double) f.bannedConnectionsRefused(), "banned_connection_refused");
    cb.call((double) f.protocolErrorDisconnects(), "peer_protocol_error");
    cb.call((double) v.pex().malformedTotal(), "pex_malformed");
    DhtCounters d = v.dht();
    cb.call(d == null ? 0.0 : (double) d.badDatagrams(), "dht_bad_datagram");
    cb.call(d == null ? 0.0 : (double) d.timeouts(), "dht_query_timeout");
    cb.call((double) badRequests.get(), "status_bad_request");
  }

  private void gauge(
      String name, String help, Consumer<GaugeWithCallback.Callback> cb, String... labels) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames(labels)
        .callback(cb)
        .register(registry);
  }

  private void counter(
      String name, String help, Consumer<CounterWithCallback.Callback> cb, String... labels) {
    CounterWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames(labels)
        .callback(cb)
        .register(registry);
  }

  /** The text format's content type. */
  String contentType() {
    return writer.getContentType();
  }

  /**
   * Writes every metric as of {@code now} and {@code holepunchNow} (null when the node makes no
   * peer connections) to {@code out}. One scrape at a time.
   */
  synchronized void write(
      NodeView now,
      HolepunchService.Counters holepunchNow,
      io.natswarm.node.bt.RelayService.Counters relayNow,
      OutputStream out)
      throws IOException {
    view = now;
    holepunch = holepunchNow;
    relay = relayNow;
    writer.write(out, registry.scrape());
  }
}
