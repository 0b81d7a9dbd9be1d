package io.natswarm.holepunch.portmap.upnp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Strict parsing of SSDP M-SEARCH replies. */
class SsdpReplyTest {
  private static SsdpParsed parse(String s) {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    return SsdpReply.parse(b, 0, b.length);
  }

  @Test
  void aTypicalReply() {
    SsdpParsed p = parse(FakeIgd.reply("http://192.168.1.1:5000/rootDesc.xml"));
    assertThat(p.ok()).isTrue();
    assertThat(p.reply().location()).hasToString("http://192.168.1.1:5000/rootDesc.xml");
    assertThat(p.reply().locationHost().getHostAddress()).isEqualTo("192.168.1.1");
    assertThat(p.reply().searchTarget())
        .isEqualTo("urn:schemas-upnp-org:device:InternetGatewayDevice:1");
  }

  @Test
  void bareLineFeedsAndLowerCaseNamesAndAnIpv6Literal() {
    SsdpParsed p =
        parse("HTTP/1.1 200 OK\nst: upnp:rootdevice\nlocation: http://[fe80::1]:80/d.xml\n\n");
    assertThat(p.ok()).isTrue();
    assertThat(p.reply().locationHost().getHostAddress()).startsWith("fe80:");
  }

  @Test
  void refusals() {
    String st = "ST: upnp:rootdevice\r\n";
    String loc = "LOCATION: http://10.0.0.1/d.xml\r\n";
    assertThat(parse("NOTIFY * HTTP/1.1\r\n" + st + loc).error())
        .isEqualTo(SsdpError.BAD_STATUS_LINE);
    assertThat(parse("HTTP/1.1 404 Not Found\r\n" + st + loc).error())
        .isEqualTo(SsdpError.BAD_STATUS_LINE);
    assertThat(parse("HTTP/1.1 2000\r\n" + st + loc).error()).isEqualTo(SsdpError.BAD_STATUS_LINE);
    assertThat(parse("HTTP/1.1 200 OK\r\nno colon\r\n" + st + loc).error())
        .isEqualTo(SsdpError.MALFORMED_HEADER);
    assertThat(parse("HTTP/1.1 200 OK\r\n folded: x\r\n" + st + loc).error())
        .isEqualTo(SsdpError.MALFORMED_HEADER);
    assertThat(parse("HTTP/1.1 200 OK\r\n" + st).error()).isEqualTo(SsdpError.MISSING_LOCATION);
    assertThat(parse("HTTP/1.1 200 OK\r\n" + loc).error())
        .isEqualTo(SsdpError.MISSING_SEARCH_TARGET);
    assertThat(parse("HTTP/1.1 200 OK\r\n" + st + loc + loc).error())
        .isEqualTo(SsdpError.DUPLICATE_HEADER);
    assertThat(parse("HTTP/1.1 200 OK\r\n" + st + "LOCATION: https://10.0.0.1/d.xml\r\n").error())
        .isEqualTo(SsdpError.BAD_LOCATION);
    assertThat(parse("HTTP/1.1 200 OK\r\n" + st + "LOCATION: http://router.lan/d.xml\r\n").error())
        .isEqualTo(SsdpError.BAD_LOCATION);
    assertThat(parse("HTTP/1.1 200 OK\r\n" + st + "LOCATION: file:///etc/passwd\r\n").error())
        .isEqualTo(SsdpError.BAD_LOCATION);
    assertThat(parse("HTTP/1.1 200 OK\r\n" + st + "LOCATION: http://u@10.0.0.1/\r\n").error())
        .isEqualTo(SsdpError.BAD_LOCATION);
    assertThat(parse("HTTP/1.1 200 OK\r\n" + st + "LOCATION: http://10.0.0.1/\u0000\r\n").error())
        .isEqualTo(SsdpError.NOT_TEXT);
    assertThat(parse("HTTP/1.1 200 OK\r\n" + "X: y\r\n".repeat(40) + st + loc).error())
        .isEqualTo(SsdpError.TOO_MANY_HEADERS);
    byte[] big = new byte[SsdpReply.MAX_LENGTH + 1];
    Arrays.fill(big, (byte) 'a');
    assertThat(SsdpReply.parse(big, 0, big.length).error()).isEqualTo(SsdpError.TOO_LONG);
  }
}
