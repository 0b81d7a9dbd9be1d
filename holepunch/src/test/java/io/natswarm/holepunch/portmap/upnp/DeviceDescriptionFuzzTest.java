package io.natswarm.holepunch.portmap.upnp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.URI;

/**
 * Jazzer target: description parsing never throws, never resolves an entity, and a service found
 * has a known type and a control URL on the description's own host.
 */
class DeviceDescriptionFuzzTest {
  private static final URI LOCATION = URI.create("http://192.168.1.1:5000/rootDesc.xml");

  @FuzzTest(maxDuration = "30s")
  void parse(byte[] data) {
    DescriptionParsed p = DeviceDescription.parse(data, data.length, LOCATION);
    assertThat(p.ok()).isEqualTo(p.error() == null);
    if (p.ok()) {
      assertThat(DeviceDescription.SERVICE_TYPES).contains(p.description().serviceType());
      assertThat(LanUrls.literalHost(p.description().controlUrl()))
          .isEqualTo(LanUrls.literalHost(LOCATION));
      assertThat(p.description().controlUrl().getScheme()).isEqualToIgnoringCase("http");
    }
  }
}
