package io.natswarm.pex;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PexCodecTest {

  static InetSocketAddress at(String address, int port) {
    try {
      return new InetSocketAddress(InetAddress.getByName(address), port);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  static byte[] bytes(String latin1) {
    return latin1.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** A bencoded string of raw bytes. */
  static String str(byte[] raw) {
    return raw.length + ":" + new String(raw, StandardCharsets.ISO_8859_1);
  }

  static byte[] compact(InetSocketAddress... endpoints) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (InetSocketAddress e : endpoints) {
      out.writeBytes(e.getAddress().getAddress());
      out.write(e.getPort() >> 8);
      out.write(e.getPort() & 0xff);
    }
    return out.toByteArray();
  }

  @Test
  void roundTripsBothFamiliesWithFlags() {
    PexMessage message =
        new PexMessage(
            List.of(
                new PexPeer(at("10.0.0.1", 6881), PexFlags.UTP | PexFlags.REACHABLE),
                new PexPeer(at("2001:db8::7", 51413), PexFlags.HOLEPUNCH),
                new PexPeer(at("192.0.2.9", 1), 0)),
            List.of(at("198.51.100.3", 443), at("2001:db8::1", 6881)));

    PexDecoded decoded = PexCodec.decode(PexCodec.encode(message));

    assertThat(decoded.ok()).isTrue();
    assertThat(decoded.message().added()).containsExactlyInAnyOrderElementsOf(message.added());
    assertThat(decoded.message().dropped()).containsExactlyInAnyOrderElementsOf(message.dropped());
    assertThat(decoded.skippedEntries()).isZero();
  }

  @Test
  void encodesEveryKeySortedAsLibtorrentDoes() {
    byte[] encoded =
        PexCodec.encode(
            new PexMessage(List.of(new PexPeer(at("10.0.0.1", 0x1ae1), 0x04)), List.of()));

    assertThat(new String(encoded, StandardCharsets.ISO_8859_1))
        .isEqualTo(
            "d5:added6:\n\0\0\1\u001a\u00e17:added.f1:\u0004"
                + "6:added60:8:added6.f0:7:dropped0:8:dropped60:e");
  }

  @Test
  void readsAMessageWithUnsortedAndUnknownKeys() {
    String body =
        "d7:dropped"
            + str(compact(at("10.0.0.2", 80)))
            + "1:xli1ei-2ed1:a0:ee5:added"
            + str(compact(at("10.0.0.1", 81), at("10.0.0.3", 82)))
            + "7:added.f1:\u0010e";

    PexDecoded decoded = PexCodec.decode(bytes(body));

    assertThat(decoded.ok()).isTrue();
    assertThat(decoded.message().added())
        .containsExactly(
            new PexPeer(at("10.0.0.1", 81), PexFlags.REACHABLE),
            new PexPeer(at("10.0.0.3", 82), 0));
    assertThat(decoded.message().dropped()).containsExactly(at("10.0.0.2", 80));
  }

  @Test
  void leavesOutEntriesThatCannotBeDialled() {
    String body =
        "d5:added"
            + str(
                compact(
                    at("10.0.0.1", 0),
                    at("0.0.0.0", 80),
                    at("224.0.0.1", 80),
                    at("255.255.255.255", 80),
                    at("10.0.0.4", 80)))
            + "e";

    PexDecoded decoded = PexCodec.decode(bytes(body));

    assertThat(decoded.message().added()).containsExactly(new PexPeer(at("10.0.0.4", 80), 0));
    assertThat(decoded.skippedEntries()).isEqualTo(4);
  }

  @Test
  void anIpv4MappedEntryInAdded6IsAnIpv4Peer() {
    byte[] mapped = new byte[18];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    mapped[12] = 10;
    mapped[15] = 9;
    mapped[17] = 80;
    PexDecoded decoded = PexCodec.decode(bytes("d6:added6" + str(mapped) + "e"));

    assertThat(decoded.message().added()).containsExactly(new PexPeer(at("10.0.0.9", 80), 0));
  }

  @Test
  void anEmptyDictionaryIsAnEmptyMessage() {
    PexDecoded decoded = PexCodec.decode(bytes("de"));

    assertThat(decoded.ok()).isTrue();
    assertThat(decoded.message().isEmpty()).isTrue();
  }

  @Test
  void eachKindOfBrokenMessageHasItsError() {
    assertError("", PexError.NOT_A_DICTIONARY);
    assertError("li1ee", PexError.NOT_A_DICTIONARY);
    assertError("d", PexError.BAD_BENCODING);
    assertError("d5:added", PexError.BAD_BENCODING);
    assertError("d5:added7:abce", PexError.BAD_BENCODING);
    assertError("d5:added0:", PexError.BAD_BENCODING);
    assertError("d1:xi12e", PexError.BAD_BENCODING);
    assertError("d1:xiee", PexError.BAD_BENCODING);
    assertError("d1:xi-e", PexError.BAD_BENCODING);
    assertError("di1e0:e", PexError.BAD_BENCODING);
    assertError("d1:x9999999999:e", PexError.BAD_BENCODING);
    assertError("d1:x" + "l".repeat(40) + "e".repeat(40) + "e", PexError.TOO_DEEP);
    assertError("dexx", PexError.TRAILING_BYTES);
    assertError("d5:addedi1ee", PexError.BAD_FIELD_TYPE);
    assertError("d7:droppedle", PexError.BAD_FIELD_TYPE);
    assertError("d5:added0:5:added0:e", PexError.DUPLICATE_KEY);
    assertError("d5:added5:abcdee", PexError.BAD_PEER_LIST_LENGTH);
    assertError("d8:dropped66:abcdeee", PexError.BAD_PEER_LIST_LENGTH);
    assertError(
        "d5:added" + str(compact(repeat(at("10.0.0.1", 1), PexCodec.MAX_PEERS_PER_LIST + 1))) + "e",
        PexError.TOO_MANY_PEERS);
    assertThat(PexCodec.decode(new byte[PexCodec.MAX_MESSAGE_BYTES + 1]).error())
        .isEqualTo(PexError.TOO_LARGE);
  }

  @Test
  void decodesASliceOfALargerBuffer() {
    byte[] payload = PexCodec.encode(new PexMessage(List.of(), List.of(at("10.0.0.2", 80))));
    byte[] framed = new byte[payload.length + 7];
    System.arraycopy(payload, 0, framed, 3, payload.length);
    framed[payload.length + 3] = 'x';

    PexDecoded decoded = PexCodec.decode(framed, 3, payload.length);

    assertThat(decoded.message().dropped()).containsExactly(at("10.0.0.2", 80));
  }

  private static InetSocketAddress[] repeat(InetSocketAddress e, int n) {
    InetSocketAddress[] out = new InetSocketAddress[n];
    java.util.Arrays.fill(out, e);
    return out;
  }

  private static void assertError(String input, PexError expected) {
    PexDecoded decoded = PexCodec.decode(bytes(input));
    assertThat(decoded.error())
        .as(input.length() > 60 ? input.substring(0, 60) : input)
        .isEqualTo(expected);
    assertThat(decoded.message()).isNull();
  }
}
