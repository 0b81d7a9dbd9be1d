package io.natswarm.dht.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import java.net.InetAddress;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Bep42Test {
  /** The test vectors of BEP 42: address, random byte, first three bytes of the id. */
  @ParameterizedTest
  @CsvSource({
    "124.31.75.21, 1, 5fbfbf",
    "21.75.31.124, 86, 5a3ce9",
    "65.23.51.170, 22, a5d432",
    "84.124.73.14, 65, 1b0321",
    "43.213.53.83, 90, e56f6c"
  })
  void generatedIdsMatchTheBepVectorsAndVerify(String ip, int r, String prefix) {
    InetAddress a = InetAddresses.forString(ip);
    NodeId id = Bep42.generate(a, r, new Random(7));
    byte[] b = id.toBytes();
    int want = Integer.parseInt(prefix, 16);
    assertThat(b[0] & 0xff).isEqualTo(want >>> 16);
    assertThat(b[1] & 0xff).isEqualTo((want >>> 8) & 0xff);
    assertThat(b[2] & 0xf8).isEqualTo(want & 0xf8);
    assertThat(b[19] & 0xff).isEqualTo(r);
    assertThat(Bep42.isValid(id, a)).isTrue();
    assertThat(Bep42.isValid(id, InetAddresses.forString("198.51.100.9"))).isFalse();
  }

  @ParameterizedTest
  @CsvSource({"127.0.0.1", "10.1.2.3", "192.168.1.1", "::1", "fd00::1"})
  void localAddressesAreExempt(String ip) {
    assertThat(Bep42.isValid(NodeId.random(new Random(1)), InetAddresses.forString(ip))).isTrue();
  }
}
