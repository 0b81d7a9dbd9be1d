package io.natswarm.node.bt;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class AddressScopeTest {
  private static InetAddress a(String literal) throws UnknownHostException {
    return InetAddress.getAllByName(literal)[0];
  }

  @Test
  void globalAddressesAreThoseReachableFromTheInternet() throws Exception {
    assertThat(AddressScope.global(a("203.0.113.7"))).isTrue();
    assertThat(AddressScope.global(a("2001:db8:1::2"))).isTrue();
    for (String local :
        new String[] {
          "127.0.0.1",
          "10.0.1.2",
          "192.168.1.1",
          "172.16.0.1",
          "100.64.1.1",
          "0.0.0.0",
          "::",
          "::1",
          "fe80::1",
          "fd00::1",
          "fc00::1",
          "ff02::1",
          "224.0.0.1"
        }) {
      assertThat(AddressScope.global(a(local))).as(local).isFalse();
    }
    assertThat(AddressScope.global(null)).isFalse();
  }

  @Test
  void loopbackReachesOnlyLoopback() throws Exception {
    assertThat(AddressScope.reachableFrom(a("::1"), a("::1"))).isTrue();
    assertThat(AddressScope.reachableFrom(a("::1"), a("2001:db8::1"))).isFalse();
    assertThat(AddressScope.reachableFrom(a("2001:db8::2"), a("::1"))).isFalse();
    assertThat(AddressScope.reachableFrom(a("2001:db8::2"), a("2001:db8:1::2"))).isTrue();
    assertThat(AddressScope.reachableFrom(a("fd00::2"), a("2001:db8:1::2"))).isFalse();
  }
}
