package io.natswarm.node.bt;

import bt.module.ProtocolModule;
import bt.module.ServiceModule;
import bt.net.IPeerConnectionFactory;
import bt.net.SocketChannelConnectionAcceptor;
import bt.tracker.ITrackerService;
import com.google.inject.Binder;
import com.google.inject.Module;
import com.google.inject.Singleton;
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
 *   <li>the BEP 5 PORT message's codec; with a DHT, {@link DhtPeerSource} as the handshake handler
 *       of the DHT bit and {@link DhtPortConsumer} as the PORT message's consumer.
 * </ul>
 */
final class NatswarmBtModule implements Module {
  private final TrackerPolicy trackers;
  private final DirectPeers directPeers;
  private final NodeTransport transport;
  private final DhtPeerSource dht;

  /** {@code dht} may be null: no DHT. */
  NatswarmBtModule(
      TrackerPolicy trackers, DirectPeers directPeers, NodeTransport transport, DhtPeerSource dht) {
    this.trackers = trackers;
    this.directPeers = directPeers;
    this.transport = transport;
    this.dht = dht;
  }

  @Override
  public void configure(Binder binder) {
    binder.bind(TrackerPolicy.class).toInstance(trackers);
    binder.bind(ITrackerService.class).to(LoopbackTrackerPolicy.class).in(Singleton.class);
    ServiceModule.extend(binder).addPeerSourceFactory(directPeers);
    binder.bind(NodeTransport.class).toInstance(transport);
    binder.bind(PeerConnector.class).in(Singleton.class);
    binder.bind(IPeerConnectionFactory.class).to(PeerConnector.class);
    binder.bind(SocketChannelConnectionAcceptor.class).to(StreamAcceptor.class).in(Singleton.class);
    ProtocolModule.extend(binder).addMessageHandler(DhtPort.ID, new DhtPort.Handler());
    if (dht != null) {
      ProtocolModule.extend(binder).addHandshakeHandler(dht);
      ServiceModule.extend(binder).addMessagingAgent(new DhtPortConsumer(dht));
    }
  }
}
