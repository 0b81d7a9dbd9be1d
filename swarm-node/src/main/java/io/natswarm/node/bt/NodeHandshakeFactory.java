package io.natswarm.node.bt;

import bt.bencoding.types.BEString;
import bt.metainfo.TorrentId;
import bt.protocol.extended.ExtendedHandshake;
import bt.protocol.extended.ExtendedHandshakeFactory;
import bt.protocol.extended.ExtendedMessageTypeMapping;
import bt.runtime.Config;
import bt.service.ApplicationService;
import bt.torrent.TorrentRegistry;
import com.google.inject.Inject;
import java.net.InetAddress;
import java.util.Optional;

/**
 * Our BEP 10 extended handshake: Bt's ({@code m}, {@code p}, {@code v}, {@code reqq}, {@code
 * metadata_size}, {@code e}) plus the addresses peers can reach us at as {@code ipv4} and {@code
 * ipv6} (compact form, 4 or 16 bytes; {@link OwnAddresses}: the listen address, or on a wildcard
 * the interfaces' global addresses). A peer connected over IPv4 learns our IPv6 address from it and
 * may upgrade the connection ({@link Ipv6Upgrade}). The per-peer {@code yourip} is added when the
 * handshake is posted on a connection ({@link HandshakeAddresses#withYourIp}).
 *
 * <p>Called on Bt's connection threads; stateless apart from the node's addresses.
 */
final class NodeHandshakeFactory extends ExtendedHandshakeFactory {
  private final OwnAddresses own;

  @Inject
  NodeHandshakeFactory(
      TorrentRegistry torrents,
      ExtendedMessageTypeMapping mapping,
      ApplicationService application,
      Config config,
      OwnAddresses own) {
    super(torrents, mapping, application, config);
    this.own = own;
  }

  @Override
  public ExtendedHandshake getHandshake(TorrentId torrentId) {
    ExtendedHandshake h = super.getHandshake(torrentId);
    Optional<InetAddress> v4 = own.ipv4();
    if (v4.isPresent()) {
      h = HandshakeAddresses.with(h, HandshakeAddresses.IPV4, new BEString(v4.get().getAddress()));
    }
    Optional<InetAddress> v6 = own.ipv6();
    if (v6.isPresent()) {
      h = HandshakeAddresses.with(h, HandshakeAddresses.IPV6, new BEString(v6.get().getAddress()));
    }
    return h;
  }
}
