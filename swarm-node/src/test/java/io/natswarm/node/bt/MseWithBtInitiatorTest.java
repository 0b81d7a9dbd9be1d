package io.natswarm.node.bt;

import static org.assertj.core.api.Assertions.assertThat;

import bt.metainfo.TorrentId;
import bt.net.InetPeer;
import bt.net.crypto.MSEHandshakeProcessor;
import bt.protocol.Message;
import bt.protocol.crypto.EncryptionPolicy;
import bt.protocol.crypto.MSECipher;
import bt.protocol.handler.MessageHandler;
import bt.runtime.Config;
import bt.torrent.TorrentDescriptor;
import bt.torrent.TorrentRegistry;
import io.natswarm.node.PeerEncryption;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Our receiver ({@link MseReceiver} run by {@link MseHandshake} over a TCP stream's blocking view)
 * against a third-party initiator, Bt 1.10's {@code negotiateOutgoing}, over loopback TCP, with
 * Bt's first write (Ya, PadA) split in two as a segment boundary makes it (the cases of the
 * unmerged wt-f investigation, where Bt's own receiver failed 5 of 8), and Bt's first message
 * written behind its handshake in the same write. The payload after MSE must decrypt to what was
 * sent.
 */
@Timeout(60)
class MseWithBtInitiatorTest {
  private static final TorrentId TORRENT = TorrentId.fromBytes(MseTranscript.INFO_HASH);

  @SuppressWarnings("unchecked")
  private static <T> T stub(Class<T> type, java.util.function.Function<String, Object> answers) {
    return (T)
        Proxy.newProxyInstance(
            MseWithBtInitiatorTest.class.getClassLoader(),
            new Class<?>[] {type},
            (p, m, a) -> answers.apply(m.getName()));
  }

  static TorrentRegistry registry() {
    TorrentDescriptor active = stub(TorrentDescriptor.class, n -> n.equals("isActive"));
    return stub(
        TorrentRegistry.class,
        n ->
            switch (n) {
              case "getTorrentIds" -> List.of(TORRENT);
              case "getDescriptor" -> Optional.of(active);
              case "isSupportedAndActive" -> true;
              default -> null;
            });
  }

  static MSEHandshakeProcessor btProcessor() {
    @SuppressWarnings("unchecked")
    MessageHandler<Message> protocol =
        stub(MessageHandler.class, n -> n.equals("decode") ? 0 : null);
    Config config = new Config();
    config.setEncryptionPolicy(EncryptionPolicy.REQUIRE_ENCRYPTED);
    config.setMseWaitBetweenReads(Duration.ZERO);
    return new MSEHandshakeProcessor(registry(), protocol, config);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 20, 40, 95, 96, 97, 200, 400})
  void btInitiatorWithSplitFirstMessage(int splitAt) throws Exception {
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      byte[] payload = new byte[68 + 9];
      for (int k = 0; k < payload.length; k++) {
        payload[k] = (byte) k;
      }
      CompletableFuture<SocketChannel> initiator =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  SocketChannel c = SocketChannel.open(server.getLocalAddress());
                  c.socket().setTcpNoDelay(true);
                  MSECipher cipher =
                      btProcessor()
                          .negotiateOutgoing(
                              InetPeer.build(InetAddress.getLoopbackAddress()),
                              splitFirstWrite(c, splitAt),
                              TORRENT,
                              ByteBuffer.allocateDirect(1 << 17),
                              ByteBuffer.allocateDirect(1 << 17))
                          .orElseThrow();
                  ByteBuffer p = ByteBuffer.wrap(cipher.getEncryptionCipher().update(payload));
                  while (p.hasRemaining()) {
                    c.write(p);
                  }
                  return c;
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      SocketChannel accepted = server.accept();
      TcpPeerStream stream =
          new TcpPeerStream(accepted, (InetSocketAddress) accepted.getRemoteAddress(), false);
      ByteChannel view = stream.blockingView(Duration.ofSeconds(10));
      ByteBuffer in = ByteBuffer.allocate(1 << 17);
      MseCrypto.Ciphers ciphers =
          MseHandshake.run(
                  new MseReceiver(
                      PeerEncryption.REQUIRE_ENCRYPTED,
                      MseHandshake.torrents(registry()),
                      new SecureRandom()),
                  view,
                  in)
              .orElseThrow();
      SocketChannel c = initiator.get(20, TimeUnit.SECONDS);
      while (in.position() < payload.length) {
        view.read(in);
      }
      in.flip();
      byte[] got = new byte[in.remaining()];
      in.get(got);
      assertThat(ciphers.decrypt().update(got)).isEqualTo(payload);
      c.close();
      stream.close();
    }
  }

  private static ByteChannel splitFirstWrite(SocketChannel c, int splitAt) {
    return new ByteChannel() {
      private boolean first = true;

      @Override
      public int read(ByteBuffer dst) throws IOException {
        return c.read(dst);
      }

      @Override
      public int write(ByteBuffer src) throws IOException {
        int n = src.remaining();
        if (first && splitAt > 0 && splitAt < n) {
          ByteBuffer head = src.duplicate();
          head.limit(head.position() + splitAt);
          while (head.hasRemaining()) {
            c.write(head);
          }
          src.position(head.position());
          try {
            Thread.sleep(50);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        first = false;
        while (src.hasRemaining()) {
          c.write(src);
        }
        return n;
      }

      @Override
      public boolean isOpen() {
        return c.isOpen();
      }

      @Override
      public void close() throws IOException {
        c.close();
      }
    };
  }
}
