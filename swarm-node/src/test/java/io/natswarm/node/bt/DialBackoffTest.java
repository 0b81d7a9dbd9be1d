package io.natswarm.node.bt;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** Failure bookkeeping by address and port, not by peer object (Bt's ban trap). */
class DialBackoffTest {
  private final InetSocketAddress a = new InetSocketAddress(InetAddress.getLoopbackAddress(), 1);
  private final InetSocketAddress b = new InetSocketAddress(InetAddress.getLoopbackAddress(), 2);

  @Test
  void aFailedAddressWaitsAndOtherAddressesDoNot() {
    DialBackoff backoff = new DialBackoff();
    assertThat(backoff.mayDial(a)).isTrue();
    backoff.failed(a);
    assertThat(backoff.mayDial(a)).isFalse();
    assertThat(backoff.mayDial(new InetSocketAddress(a.getAddress(), a.getPort()))).isFalse();
    assertThat(backoff.mayDial(b)).isTrue();
  }

  @Test
  void successForgetsTheFailures() {
    DialBackoff backoff = new DialBackoff();
    backoff.failed(a);
    backoff.failed(a);
    backoff.succeeded(a);
    assertThat(backoff.mayDial(a)).isTrue();
  }
}
