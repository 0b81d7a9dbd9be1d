package io.natswarm.holepunch.portmap.upnp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Finding the WAN connection service in a device description. */
class DeviceDescriptionTest {
  private static final URI LOCATION = URI.create("http://192.168.1.1:5000/rootDesc.xml");

  private static DescriptionParsed parse(String xml) {
    byte[] b = xml.getBytes(StandardCharsets.UTF_8);
    return DeviceDescription.parse(b, b.length, LOCATION);
  }

  @Test
  void findsWanIpConnectionAndResolvesItsControlUrl() {
    DescriptionParsed p = parse(FakeIgd.description("/ctl/IPConn", null));
    assertThat(p.ok()).isTrue();
    assertThat(p.description().serviceType())
        .isEqualTo("urn:schemas-upnp-org:service:WANIPConnection:1");
    assertThat(p.description().controlUrl()).hasToString("http://192.168.1.1:5000/ctl/IPConn");
  }

  @Test
  void urlBaseIsTheBaseOfRelativeUrls() {
    DescriptionParsed p = parse(FakeIgd.description("ctl", "http://192.168.1.1:49152/sub/"));
    assertThat(p.description().controlUrl()).hasToString("http://192.168.1.1:49152/sub/ctl");
  }

  @Test
  void prefersWanIpConnection2AndTakesWanPppConnection() {
    String v1 = FakeIgd.description("/v1", null);
    String both =
        v1.replace(
            "</service></serviceList></device></deviceList></device></deviceList>",
            "</service><service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:2"
                + "</serviceType><controlURL>/v2</controlURL></service>"
                + "</serviceList></device></deviceList></device></deviceList>");
    assertThat(parse(both).description().controlUrl().getPath()).isEqualTo("/v2");
    String ppp = v1.replace("WANIPConnection:1", "WANPPPConnection:1");
    assertThat(parse(ppp).description().serviceType()).endsWith("WANPPPConnection:1");
  }

  @Test
  void refusals() {
    assertThat(
            parse(FakeIgd.description("/c", null).replace("WANIPConnection", "Other"))
                .error()
                .kind())
        .isEqualTo(UpnpError.NO_WAN_SERVICE);
    assertThat(parse("<root><unclosed></root>").error().kind()).isEqualTo(UpnpError.BAD_XML);
    assertThat(parse("").error().kind()).isEqualTo(UpnpError.BAD_XML);
    assertThat(parse("<a>".repeat(40) + "</a>".repeat(40)).error().kind())
        .isEqualTo(UpnpError.BAD_XML);
    assertThat(parse("<root><URLBase>" + "x".repeat(2000) + "</URLBase></root>").error().kind())
        .isEqualTo(UpnpError.BAD_XML);
    assertThat(parse(FakeIgd.description("http://192.168.1.2/ctl", null)).error().kind())
        .isEqualTo(UpnpError.URL_REFUSED);
    assertThat(parse(FakeIgd.description("http://[::1]/ctl", null)).error().kind())
        .isEqualTo(UpnpError.URL_REFUSED);
    String xi =
        "<root xmlns:xi=\"http://www.w3.org/2001/XInclude\"><xi:include href=\"file:///etc/passwd\""
            + " parse=\"text\"/></root>";
    assertThat(parse(xi).error().kind()).isEqualTo(UpnpError.NO_WAN_SERVICE);
  }
}
