package io.natswarm.node.bt;

import bt.net.ConnectionResult;
import bt.net.ConnectionRoutine;
import bt.net.SocketChannelConnectionAcceptor;
import com.google.inject.Inject;
import java.io.IOException;
import java.net.SocketAddress;

/**
 * Bt's connection acceptor, fed with established µTP and TCP streams from {@link NodeTransport}
 * (and later hole-punched ones). It takes the place of Bt's {@link SocketChannelConnectionAcceptor}
 * binding (it extends it only to replace that binding), so Bt never binds a port of its own.
 *
 * <p>{@link #accept} blocks on Bt's acceptor thread; Bt interrupts it on shutdown, and then it
 * returns a routine that establishes nothing.
 */
final class StreamAcceptor extends SocketChannelConnectionAcceptor {
  private final NodeTransport transport;
  private final PeerConnector connector;

  @Inject
  StreamAcceptor(NodeTransport transport, PeerConnector connector) {
    super(null, connector, transport.listenAddress());
    this.transport = transport;
    this.connector = connector;
  }

  @Override
  public ConnectionRoutine accept() {
    PeerStream stream;
    try {
      stream = transport.accepted().take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new ConnectionRoutine() {
        @Override
        public SocketAddress getRemoteAddress() {
          return transport.listenAddress();
        }

        @Override
        public ConnectionResult establish() {
          return ConnectionResult.failure("the node is shutting down");
        }

        @Override
        public void cancel() {}
      };
    }
    return new ConnectionRoutine() {
      @Override
      public SocketAddress getRemoteAddress() {
        return stream.remoteAddress();
      }

      @Override
      public ConnectionResult establish() {
        return connector.createIncomingConnection(stream);
      }

      @Override
      public void cancel() {
        try {
          stream.close();
        } catch (IOException e) {
          // already closed
        }
      }
    };
  }
}
