package io.natswarm.node.bt;

import bt.module.ProtocolModule;
import bt.module.ServiceModule;
import bt.net.IPeerConnectionFactory;
import bt.net.SocketChannelConnectionAcceptor;
import bt.net.pipeline.IBufferedPieceRegistry;
import bt.protocol.IExtendedHandshakeFactory;
import bt.protocol.extended.ExtendedHandshakeFactory;
import bt.torrent.data.DataWorker;
import bt.tracker.ITrackerService;
import com.google.inject.Binder;
import com.google.inject.Module;
import com.google.inject.Singleton;
import io.natswarm.holepunch.punch.HolepunchCodec;
import io.natswarm.holepunch.reach.DialBack;
import io.natswarm.holepunch.relay.RelayCodec;
import io.natswarm.holepunch.turn.TurnSignal;
import io.natswarm.node.TrackerPolicy;

/**
 * natswarm's bindings into Bt's injector. Bt applies a custom module with {@code Modules.override},
 * so each binding here replaces Bt's own (DESIGN.md, "Bt").
 *
 * <ul>
 *   <li>{@link ITrackerService}: Bt's tracker service behind the node's {@link TrackerPolicy}.
 *   <li>a peer source: the peers the application names ({@link DirectPeers}).
 *   <li>{@link IPeerConnectionFactory}: our router {@link PeerConnector} over {@link NodeTransport}
 *       (µTP first, then TCP from the listen port).
 *   <li>{@link SocketChannelConnectionAcceptor}: our {@link StreamAcceptor}, fed with established
 *       µTP and TCP streams; Bt's own acceptor, which would bind the port, is never made.
 *   <li>{@link DataWorker}: {@link HashFailureBlame}, Bt's worker that also tells {@link PeerBans}
 *       which peers sent the blocks of a piece that failed its hash check.
 *   <li>{@link IBufferedPieceRegistry}: {@link ConnectionPieceBuffers}, received blocks kept per
 *       connection (Bt's registry mixes up connections).
 *   <li>a messaging agent, {@link MessageSanity}: closes connections that name pieces the torrent
 *       does not have.
 *   <li>the BEP 5 PORT message's codec; with a DHT, {@link DhtPeerSource} as the handshake handler
 *       of the DHT bit and {@link DhtPortConsumer} as the PORT message's consumer.
 *   <li>ut_pex (BEP 11): its codec {@link UtPexMessage.Handler}, {@link PexAgent} as its agent and
 *       {@link PexExchange} as the peer source of what PEX taught us (Bt's own PEX is disabled),
 *       unless the settings turn peer exchange off.
 *   <li>ut_holepunch (BEP 55): its codec {@link UtHolepunchMessage.Handler} and {@link
 *       HolepunchAgent}, over {@link HolepunchService}.
 *   <li>ns_relay (natswarm's relay): {@link UtRelayMessage.Handler} and {@link RelayAgent}, over
 *       {@link RelayService}.
 *   <li>ns_turn (natswarm's TURN signalling): {@link UtTurnMessage.Handler} and {@link TurnAgent},
 *       over {@link TurnService}; always, as every node can pass an offer on and dial.
 *   <li>{@link IExtendedHandshakeFactory}: {@link NodeHandshakeFactory} (our listening address in
 *       BEP 10's {@code ipv4}/{@code ipv6}); {@link YourIpConsumer} reads peers' {@code yourip}.
 * </ul>
 */
final class NatswarmBtModule implements Module {
  private final TrackerPolicy trackers;
  private final DirectPeers directPeers;
  private final NodeTransport transport;
  private final DhtPeerSource dht;
  private final PexExchange pex;
  private final ExternalAddressVotes votes;
  private final Ipv6Upgrade upgrade;
  private final DialBackService dialBack;
  private final HolepunchService holepunch;
  private final RelayService relay;
  private final TurnService turn;
  private final boolean peerExchange;

  /** {@code dht} may be null: no DHT. */
  NatswarmBtModule(
      TrackerPolicy trackers,
      DirectPeers directPeers,
      NodeTransport transport,
      DhtPeerSource dht,
      PexExchange pex,
      ExternalAddressVotes votes,
      Ipv6Upgrade upgrade,
      DialBackService dialBack,
      HolepunchService holepunch,
      RelayService relay,
      TurnService turn,
      boolean peerExchange) {
    this.relay = relay;
    this.turn = turn;
    this.peerExchange = peerExchange;
    this.dialBack = dialBack;
    this.holepunch = holepunch;
    this.trackers = trackers;
    this.directPeers = directPeers;
    this.transport = transport;
    this.dht = dht;
    this.pex = pex;
    this.votes = votes;
    this.upgrade = upgrade;
  }

  @Override
  public void configure(Binder binder) {
    binder.bind(TrackerPolicy.class).toInstance(trackers);
    binder.bind(ITrackerService.class).to(LoopbackTrackerPolicy.class).in(Singleton.class);
    ServiceModule.extend(binder).addPeerSourceFactory(directPeers);
    binder.bind(NodeTransport.class).toInstance(transport);
    binder.bind(PeerConnector.class).in(Singleton.class);
    binder.bind(PeerBans.class).in(Singleton.class);
    binder.bind(StorageFailures.class).in(Singleton.class);
    ServiceModule.extend(binder).addMessagingAgentType(MessageSanity.class);
    binder.bind(DataWorker.class).to(HashFailureBlame.class).in(Singleton.class);
    binder.bind(IBufferedPieceRegistry.class).to(ConnectionPieceBuffers.class).in(Singleton.class);
    binder.bind(IPeerConnectionFactory.class).to(PeerConnector.class);
    binder.bind(SocketChannelConnectionAcceptor.class).to(StreamAcceptor.class).in(Singleton.class);
    ProtocolModule.extend(binder).addMessageHandler(DhtPort.ID, new DhtPort.Handler());
    if (peerExchange) {
      ProtocolModule.extend(binder)
          .addExtendedMessageHandler(UtPexMessage.EXTENSION, new UtPexMessage.Handler());
      ServiceModule.extend(binder).addPeerSourceFactory(pex);
      ServiceModule.extend(binder).addMessagingAgent(new PexAgent(pex));
    }
    ProtocolModule.extend(binder)
        .addExtendedMessageHandler(DialBack.EXTENSION, new DialBackMessage.Handler());
    ServiceModule.extend(binder).addMessagingAgent(new DialBackAgent(dialBack));
    ProtocolModule.extend(binder)
        .addExtendedMessageHandler(HolepunchCodec.EXTENSION_NAME, new UtHolepunchMessage.Handler());
    ServiceModule.extend(binder).addMessagingAgent(new HolepunchAgent(holepunch));
    if (relay.enabled()) { // not advertised when off: relays then refuse circuits to us at once
      ProtocolModule.extend(binder)
          .addExtendedMessageHandler(RelayCodec.EXTENSION_NAME, new UtRelayMessage.Handler());
      ServiceModule.extend(binder).addMessagingAgent(new RelayAgent(relay));
    }
    ProtocolModule.extend(binder)
        .addExtendedMessageHandler(TurnSignal.EXTENSION_NAME, new UtTurnMessage.Handler());
    ServiceModule.extend(binder).addMessagingAgent(new TurnAgent(turn));
    binder.bind(NodeHandshakeFactory.class).in(Singleton.class);
    binder.bind(IExtendedHandshakeFactory.class).to(NodeHandshakeFactory.class);
    // Bt's ProtocolModule hands the concrete class to its connection handlers (the handshakes we
    // post): without this binding they would send Bt's handshake without our addresses.
    binder.bind(ExtendedHandshakeFactory.class).to(NodeHandshakeFactory.class);
    ServiceModule.extend(binder).addMessagingAgent(new YourIpConsumer(votes));
    binder.bind(OwnAddresses.class).toInstance(upgrade.own());
    binder.bind(Ipv6Upgrade.class).toInstance(upgrade);
    ProtocolModule.extend(binder).addHandshakeHandler(upgrade);
    ServiceModule.extend(binder).addMessagingAgent(new Ipv6UpgradeAgent(upgrade));
    if (dht != null) {
      ProtocolModule.extend(binder).addHandshakeHandler(dht);
      ServiceModule.extend(binder).addMessagingAgent(new DhtPortConsumer(dht));
    }
  }
}
