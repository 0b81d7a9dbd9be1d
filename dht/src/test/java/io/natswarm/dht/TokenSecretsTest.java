package io.natswarm.dht;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import io.natswarm.dht.krpc.KrpcError;
import io.natswarm.dht.krpc.KrpcKind;
import io.natswarm.dht.krpc.KrpcMessage;
import io.natswarm.dht.krpc.KrpcMethod;
import io.natswarm.dht.krpc.KrpcParser;
import io.natswarm.dht.krpc.KrpcWriter;
import io.natswarm.dht.routing.NodeId;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Write tokens: secrets from the injected {@link SecretSource} (SecureRandom by default), never
 * from the seeded generator; bound to the requester's address bytes.
 */
class TokenSecretsTest {
  private static final long SEC = 1_000_000_000L;
  private final Random random = new Random(21);
  private final KrpcParser parser = new KrpcParser();
  private final NodeId querier = NodeId.random(random);
  private final NodeId infoHash = NodeId.random(random);

  private static ByteBuffer query(NodeId from, KrpcMethod m, int tx, DhtNodeTest.Extra extra) {
    ByteBuffer out = ByteBuffer.allocate(1500);
    KrpcWriter.beginQuery(out, from.toBytes());
    extra.write(out);
    KrpcWriter.endQuery(out, m, false, tx);
    return out.flip();
  }

  private KrpcMessage reply(DhtNode node) {
    byte[] b = Outbox.drain(node, SEC).get(0);
    KrpcMessage m = new KrpcMessage();
    assertThat(parser.parse(b, 0, b.length, m)).isEqualTo(KrpcError.NONE);
    return m;
  }

  private byte[] tokenFor(DhtNode node, InetSocketAddress from) {
    node.handleDatagram(
        query(querier, KrpcMethod.GET_PEERS, 1, o -> KrpcWriter.infoHash(o, infoHash.toBytes())),
        from,
        SEC);
    KrpcMessage r = reply(node);
    return Arrays.copyOfRange(r.buf(), r.tokenOff(), r.tokenOff() + r.tokenLen());
  }

  private KrpcMessage announce(DhtNode node, InetSocketAddress from, byte[] token) {
    node.handleDatagram(
        query(
            querier,
            KrpcMethod.ANNOUNCE_PEER,
            2,
            o -> {
              KrpcWriter.infoHash(o, infoHash.toBytes());
              KrpcWriter.port(o, 6000);
              KrpcWriter.token(o, token, 0, token.length);
            }),
        from,
        SEC);
    return reply(node);
  }

  private static InetSocketAddress at(String ip, int port) {
    return new InetSocketAddress(InetAddresses.forString(ip), port);
  }

  @Test
  void twoNodesBuiltWithTheSameSeedIssueDifferentTokens() {
    DhtConfig config = DhtConfig.builder().seed(99).build();
    DhtNode a = new DhtNode(config, DhtPort.NONE, 0);
    DhtNode b = new DhtNode(config, DhtPort.NONE, 0);
    assertThat(a.selfId()).as("the seed does make ids repeatable").isEqualTo(b.selfId());
    InetSocketAddress from = at("198.51.100.30", 6881);
    assertThat(tokenFor(a, from)).hasSize(8).isNotEqualTo(tokenFor(b, from));
  }

  @Test
  void tokensDependOnTheSecretSourceAloneNotOnTheSeed() {
    SecretSource fixed = secret -> Arrays.fill(secret, (byte) 7);
    DhtNode a =
        new DhtNode(DhtConfig.builder().seed(1).secretSource(fixed).build(), DhtPort.NONE, 0);
    DhtNode b =
        new DhtNode(DhtConfig.builder().seed(2).secretSource(fixed).build(), DhtPort.NONE, 0);
    InetSocketAddress from = at("198.51.100.30", 6881);
    assertThat(tokenFor(a, from)).isEqualTo(tokenFor(b, from));
  }

  @Test
  void secretsAreDrawnAtStartAndAtEachRotation() {
    List<Integer> draws = new ArrayList<>();
    SecretSource counting =
        secret -> {
          draws.add(secret.length);
          new java.security.SecureRandom().nextBytes(secret);
        };
    DhtNode n =
        new DhtNode(
            DhtConfig.builder()
                .seed(1)
                .secretSource(counting)
                .tokenRotation(java.time.Duration.ofMinutes(5))
                .build(),
            DhtPort.NONE,
            0);
    assertThat(draws).containsExactly(20, 20);
    n.handleTimeout(5 * 60 * SEC);
    assertThat(draws).hasSize(3);
    n.handleTimeout(60 * 60 * SEC); // asleep for many intervals: both secrets are new
    assertThat(draws).hasSize(5);
  }

  @ParameterizedTest
  @ValueSource(ints = {4, 6})
  void aTokenValidatesForItsOwnAddressOnly(int family) {
    DhtNode n = new DhtNode(DhtConfig.builder().seed(5).ipv6(family == 6).build(), DhtPort.NONE, 0);
    InetSocketAddress owner = family == 4 ? at("198.51.100.30", 6881) : at("2001:db8::30", 6881);
    InetSocketAddress otherPort = new InetSocketAddress(owner.getAddress(), 7777);
    InetSocketAddress otherAddress =
        family == 4 ? at("198.51.100.31", 6881) : at("2001:db8::31", 6881);
    byte[] token = tokenFor(n, owner);

    assertThat(announce(n, otherAddress, token).kind()).isEqualTo(KrpcKind.ERROR);
    assertThat(n.counters().badTokens()).isOne();
    assertThat(announce(n, owner, token).kind()).isEqualTo(KrpcKind.RESPONSE);
    assertThat(announce(n, otherPort, token).kind())
        .as("the port is not part of the token (BEP 5)")
        .isEqualTo(KrpcKind.RESPONSE);
    assertThat(n.counters().announcesStored()).isEqualTo(2);
    assertThat(n.counters().badTokens()).isOne();
  }

  @Test
  void theTokenBindsAllSixteenBytesOfAnIpv6Address() {
    DhtNode n = new DhtNode(DhtConfig.builder().seed(6).ipv6(true).build(), DhtPort.NONE, 0);
    InetAddress a = InetAddresses.forString("2001:db8::1:0:0:30");
    InetAddress b = InetAddresses.forString("2001:db8::2:0:0:30"); // differs in byte 11 only
    byte[] token = tokenFor(n, new InetSocketAddress(a, 6881));
    assertThat(announce(n, new InetSocketAddress(b, 6881), token).kind()).isEqualTo(KrpcKind.ERROR);
    assertThat(announce(n, new InetSocketAddress(a, 6881), token).kind())
        .isEqualTo(KrpcKind.RESPONSE);
  }
}
