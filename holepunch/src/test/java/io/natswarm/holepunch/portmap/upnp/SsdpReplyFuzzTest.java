package io.natswarm.holepunch.portmap.upnp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Jazzer target: SSDP reply parsing never throws, and a reply has an http:// IP-literal LOCATION.
 */
class SsdpReplyFuzzTest {

  @FuzzTest(maxDuration = "30s")
  void parse(byte[] data) {
    SsdpParsed p = SsdpReply.parse(data, 0, data.length);
    assertThat(p.ok()).isEqualTo(p.error() == null);
    if (p.ok()) {
      assertThat(data.length).isLessThanOrEqualTo(SsdpReply.MAX_LENGTH);
      assertThat(p.reply().location().getScheme()).isEqualToIgnoringCase("http");
      assertThat(LanUrls.literalHost(p.reply().location())).isEqualTo(p.reply().locationHost());
      assertThat(p.reply().searchTarget()).isNotEmpty();
    }
  }
}
