package io.natswarm.holepunch.portmap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DefaultRouteTest {
  private static final String HEADER =
      "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT";

  @Test
  void readsTheGatewayInTheKernelsByteOrderOnTheLoopbackInterface() throws Exception {
    // 0101A8C0 is 192.168.1.1 written little-endian; lo stands in for a LAN interface here.
    List<String> lines =
        List.of(
            HEADER,
            "lo\t0000A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
            "lo\t00000000\t0101A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0");
    DefaultRoute r = DefaultRoute.parse(lines).orElseThrow();
    assertThat(r.gateway().getHostAddress()).isEqualTo("192.168.1.1");
    assertThat(r.lanAddress().isLoopbackAddress()).isTrue();
    assertThat(r.interfaceName()).isEqualTo("lo");
  }

  @Test
  void noDefaultRouteOrOneWithoutAGatewayIsEmpty() throws Exception {
    assertThat(DefaultRoute.parse(List.of(HEADER))).isEmpty();
    assertThat(DefaultRoute.parse(List.of())).isEmpty();
    assertThat(
            DefaultRoute.parse(
                List.of(HEADER, "lo\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0")))
        .as("a default route straight onto a link has no gateway")
        .isEmpty();
    assertThat(DefaultRoute.parse(List.of(HEADER, "garbage", "lo\t00000000\tzz\t0003 0 0 0 0")))
        .isEmpty();
  }
}
