package io.natswarm.holepunch.turn;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.holepunch.stun.TransactionId;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A TURN server for tests, sans-IO and in memory, that checks what a client sends as coturn would:
 * a request without MESSAGE-INTEGRITY gets 401 with REALM and NONCE; a request with a wrong user,
 * realm or HMAC gets 401; a stale nonce gets 438 with a fresh one; the rest is answered (or refused
 * with the code set in {@link #refuse}) and signed. Send indications and ChannelData are recorded
 * as {@link Relayed} datagrams to peers.
 */
final class FakeTurnServer {
  /** A datagram the server relayed to a peer. */
  record Relayed(InetSocketAddress peer, String payload) {}

  final InetSocketAddress address;
  final String username;
  final String realm = "natswarm.test";
  final InetSocketAddress relayed;
  final InetSocketAddress mapped;
  final Mac mac;
  String nonce = "nonce-0";
  int lifetime = 600;
  boolean answering = true;
  int staleNonces;
  int corruptIntegrity;
  final Map<Integer, Integer> refuse = new HashMap<>();
  final List<TurnMessage> requests = new ArrayList<>();
  final List<Relayed> toPeers = new ArrayList<>();
  final Set<InetAddress> permitted = new HashSet<>();
  final Map<Integer, InetSocketAddress> channels = new HashMap<>();
  private long ids;

  FakeTurnServer(
      InetSocketAddress address,
      String username,
      String password,
      InetSocketAddress relayed,
      InetSocketAddress mapped) {
    this.address = address;
    this.username = username;
    this.relayed = relayed;
    this.mapped = mapped;
    try {
      byte[] key =
          TurnCodec.longTermKey(MessageDigest.getInstance("MD5"), username, realm, password);
      mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(key, "HmacSHA1"));
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  /** The requests of {@code type} received so far. */
  List<TurnMessage> requests(int type) {
    return requests.stream().filter(m -> m.type() == type).toList();
  }

  /** Handles one datagram from the client; returns the server's answers. */
  List<byte[]> receive(byte[] datagram) {
    ByteBuffer b = ByteBuffer.wrap(datagram);
    if ((b.get(0) & 0xC0) == 0x40) {
      assertThat(TurnCodec.checkChannelData(b)).isNull();
      InetSocketAddress peer = channels.get(TurnCodec.channelNumber(b));
      assertThat(peer).as("ChannelData on a bound channel").isNotNull();
      toPeers.add(new Relayed(peer, new String(datagram, 4, TurnCodec.channelDataLength(b), UTF8)));
      return List.of();
    }
    TurnParsed p = TurnCodec.parse(b);
    assertThat(p.error()).isNull();
    TurnMessage m = p.message();
    requests.add(m);
    if (m.type() == TurnMessage.SEND_INDICATION) {
      ByteBuffer d = m.data();
      byte[] payload = new byte[d.remaining()];
      d.get(payload);
      assertThat(permitted).as("Send to a permitted address").contains(m.peer().getAddress());
      toPeers.add(new Relayed(m.peer(), new String(payload, UTF8)));
      return List.of();
    }
    if (!answering) {
      return List.of();
    }
    int errorType = m.type() | 0x0110;
    if (m.integrityAt() < 0
        || !username.equals(m.username())
        || !realm.equals(m.realm())
        || !TurnCodec.verifyIntegrity(b, m, mac)) {
      return List.of(
          answer(
              TurnMessage.of(errorType, m.transactionId())
                  .withError(401, "Unauthorized")
                  .withCredentials(null, realm, nonce),
              false));
    }
    if (!nonce.equals(m.nonce()) || staleNonces > 0) {
      staleNonces = Math.max(0, staleNonces - 1);
      ids++;
      nonce = "nonce-" + ids;
      return List.of(
          answer(
              TurnMessage.of(errorType, m.transactionId())
                  .withError(438, "Stale Nonce")
                  .withCredentials(null, realm, nonce),
              false));
    }
    Integer code = refuse.get(m.type());
    if (code != null) {
      return List.of(
          answer(TurnMessage.of(errorType, m.transactionId()).withError(code, "refused"), false));
    }
    TurnMessage ok = TurnMessage.of(m.type() | 0x0100, m.transactionId());
    switch (m.type()) {
      case TurnMessage.ALLOCATE_REQUEST -> {
        assertThat(m.requestedTransport()).isEqualTo(TurnMessage.UDP);
        ok = ok.withRelayed(relayed).withMapped(mapped).withLifetime(lifetime);
      }
      case TurnMessage.REFRESH_REQUEST -> ok = ok.withLifetime(m.lifetime());
      case TurnMessage.CREATE_PERMISSION_REQUEST -> permitted.add(m.peer().getAddress());
      case TurnMessage.CHANNEL_BIND_REQUEST -> {
        channels.put(m.channel(), m.peer());
        permitted.add(m.peer().getAddress());
      }
      default -> throw new AssertionError("unexpected request " + m);
    }
    return List.of(answer(ok, true));
  }

  private byte[] answer(TurnMessage m, boolean signed) {
    ByteBuffer out = ByteBuffer.allocate(1500);
    TurnCodec.write(out, m, signed ? mac : null);
    if (signed && corruptIntegrity > 0) {
      corruptIntegrity--;
      out.put(out.position() - 1, (byte) (out.get(out.position() - 1) ^ 0x55));
    }
    return bytes(out.flip());
  }

  /** A Data indication from {@code peer} carrying {@code payload}. */
  byte[] dataIndication(InetSocketAddress peer, String payload) {
    ByteBuffer out = ByteBuffer.allocate(1500);
    TurnCodec.write(
        out,
        TurnMessage.of(TurnMessage.DATA_INDICATION, new TransactionId(++ids, 7))
            .withPeer(peer)
            .withData(ByteBuffer.wrap(payload.getBytes(UTF8))),
        null);
    return bytes(out.flip());
  }

  /** ChannelData on {@code channel} carrying {@code payload}, padded when {@code pad}. */
  byte[] channelData(int channel, String payload, boolean pad) {
    ByteBuffer out = ByteBuffer.allocate(1500);
    TurnCodec.writeChannelData(out, channel, ByteBuffer.wrap(payload.getBytes(UTF8)), pad);
    return bytes(out.flip());
  }

  static byte[] bytes(ByteBuffer b) {
    byte[] a = new byte[b.remaining()];
    b.duplicate().get(a);
    return a;
  }

  private static final java.nio.charset.Charset UTF8 = java.nio.charset.StandardCharsets.UTF_8;
}
