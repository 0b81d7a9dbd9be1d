package io.natswarm.holepunch.portmap.upnp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.sun.management.ThreadMXBean;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.bitlet.weupnp.GatewayDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rogue devices on the LAN (loopback here): hostile XML, huge and slow bodies, redirects and URLs
 * on other hosts. Each must get nothing from the node: no file read, no fetch, bounded memory, a
 * failure a person understands, and no mapping.
 */
class RogueIgdTest {
  private static final String SECRET = "natswarm-secret-7f3a9c";
  private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

  @TempDir Path dir;
  private final FakeIgd igd;
  private final FakeIgd watched; // a host that must never be contacted
  private final AtomicInteger watchedHits = new AtomicInteger();

  RogueIgdTest() throws IOException {
    igd = new FakeIgd();
    watched = new FakeIgd();
    watched.serve(
        "/",
        ex -> {
          watchedHits.incrementAndGet();
          // An empty DTD for the parameter entity, a fragment for the general one.
          boolean dtd = ex.getRequestURI().getPath().endsWith("/dtd");
          FakeIgd.respond(ex, 200, dtd ? "" : "<x>" + SECRET + "</x>");
        });
  }

  @AfterEach
  void close() {
    igd.close();
    watched.close();
  }

  private Path secretFile() throws IOException {
    Path f = dir.resolve("secret.txt");
    Files.writeString(f, SECRET);
    return f.toRealPath();
  }

  private String xxeDescription(Path secret) {
    String good = FakeIgd.description("/ctl", null);
    String doctype =
        "<!DOCTYPE root [\n"
            + "<!ENTITY file SYSTEM \""
            + secret.toUri()
            + "\">\n"
            + "<!ENTITY url SYSTEM \""
            + watched.base()
            + "/entity\">\n"
            + "<!ENTITY % dtd SYSTEM \""
            + watched.base()
            + "/dtd\"> %dtd;\n"
            + "]>\n";
    return good.replace("<?xml version=\"1.0\"?>\n", "<?xml version=\"1.0\"?>\n" + doctype)
        .replace("Fake router", "&file;&url;");
  }

  /**
   * Runs the whole path once against the good description, so that class loading (and, when a fuzz
   * test ran earlier in this JVM, Jazzer's instrumentation) is not counted as allocation by the
   * measured run. Returns the fake's AddPortMapping count after it.
   */
  private int warmUp() {
    assertThat(mapOnce(igd.config()).mappings()).hasSize(2);
    return igd.adds.get();
  }

  private UpnpStatus mapOnce(UpnpConfig config) {
    return new UpnpMapper(config).map(6881);
  }

  private static void assertNoSecret(UpnpStatus s) {
    assertThat(s.toString()).doesNotContain(SECRET);
    for (UpnpFailure f : s.failures()) {
      assertThat(f.message()).doesNotContain(SECRET);
    }
  }

  @Test
  void anExternalEntityOnALocalFileIsNeverRead() throws Exception {
    Path secret = secretFile();
    igd.description = xxeDescription(secret);
    UpnpStatus[] out = new UpnpStatus[1];

    List<String> read = FileReadWatch.pathsRead(() -> out[0] = mapOnce(igd.config()));

    assertThat(read).doesNotContain(secret.toString());
    UpnpStatus s = out[0];
    assertThat(s.mappings()).isEmpty();
    assertThat(s.failures())
        .singleElement()
        .extracting(UpnpFailure::kind)
        .isEqualTo(UpnpError.BAD_XML);
    assertThat(s.failures().get(0).message()).contains("document type declaration");
    assertNoSecret(s);
    assertThat(watchedHits.get()).isZero();
    assertThat(igd.descriptionHits.get()).isEqualTo(1);
    assertThat(igd.adds.get()).isZero();

    byte[] xml = igd.description.getBytes(StandardCharsets.UTF_8);
    DescriptionParsed p = DeviceDescription.parse(xml, xml.length, URI.create(igd.location()));
    assertThat(p.ok()).isFalse();
    assertThat(p.toString()).doesNotContain(SECRET);
  }

  /**
   * The control for the test above: weupnp's own loader reads the file and the watched URL for the
   * same description, so the file-read watch and the hit counter do see such reads.
   */
  @Test
  void controlWeupnpsOwnParserReadsTheFileAndFetchesTheUrl() throws Exception {
    Path secret = secretFile();
    igd.description = xxeDescription(secret);
    GatewayDevice weupnp = new GatewayDevice();
    weupnp.setLocation(igd.location());

    List<String> read = FileReadWatch.pathsRead(weupnp::loadDescription);

    assertThat(read).contains(secret.toString());
    assertThat(watchedHits.get()).isPositive();
  }

  @Test
  void billionLaughsIsRefusedWithoutExpansion() throws Exception {
    StringBuilder d = new StringBuilder("<?xml version=\"1.0\"?>\n<!DOCTYPE root [\n");
    d.append("<!ENTITY lol0 \"lololololololololol\">\n");
    for (int i = 1; i < 10; i++) {
      d.append("<!ENTITY lol").append(i).append(" \"");
      for (int j = 0; j < 10; j++) {
        d.append("&lol").append(i - 1).append(';');
      }
      d.append("\">\n");
    }
    d.append("]>\n<root><URLBase>&lol9;</URLBase></root>\n");
    int adds = warmUp();
    igd.description = d.toString();
    long before = THREADS.getCurrentThreadAllocatedBytes();

    UpnpStatus s = mapOnce(igd.config());

    long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
    assertThat(s.failures())
        .singleElement()
        .extracting(UpnpFailure::kind)
        .isEqualTo(UpnpError.BAD_XML);
    assertThat(allocated).isLessThan(16L << 20); // the expansion would be 10^9 * 19 characters
    assertThat(igd.adds.get()).isEqualTo(adds);
  }

  private void serveHugeBody(boolean declareLength, AtomicLong written, AtomicInteger writeFailed) {
    igd.serve(
        "/desc.xml",
        ex -> {
          long total = 50L << 20;
          ex.sendResponseHeaders(200, declareLength ? total : 0);
          byte[] chunk = new byte[64 * 1024];
          java.util.Arrays.fill(chunk, (byte) 'a');
          byte[] head =
              "<?xml version=\"1.0\"?><root><URLBase>".getBytes(StandardCharsets.US_ASCII);
          System.arraycopy(head, 0, chunk, 0, head.length);
          try (OutputStream o = ex.getResponseBody()) {
            while (written.get() < total) {
              o.write(chunk);
              written.addAndGet(chunk.length);
            }
          } catch (IOException e) {
            writeFailed.incrementAndGet();
          }
        });
  }

  @Test
  void aHugeChunkedBodyStopsAtTheCapWithoutBeingAllocated() {
    AtomicLong written = new AtomicLong();
    AtomicInteger writeFailed = new AtomicInteger();
    int adds = warmUp();
    serveHugeBody(false, written, writeFailed);
    long before = THREADS.getCurrentThreadAllocatedBytes();

    UpnpStatus s = mapOnce(igd.config().withTimeouts(1500, 1000, 5000, 10_000));

    long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
    assertThat(s.failures())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.kind()).isEqualTo(UpnpError.TOO_LARGE);
              assertThat(f.message()).contains("more than 65536 bytes");
            });
    assertThat(allocated).isLessThan(8L << 20);
    assertThat(written.get()).isLessThan(50L << 20);
    assertThat(igd.adds.get()).isEqualTo(adds);
  }

  @Test
  void aHugeDeclaredLengthIsRefusedBeforeItsBodyIsRead() {
    AtomicLong written = new AtomicLong();
    AtomicInteger writeFailed = new AtomicInteger();
    warmUp();
    serveHugeBody(true, written, writeFailed);
    long before = THREADS.getCurrentThreadAllocatedBytes();

    UpnpStatus s = mapOnce(igd.config());

    long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
    assertThat(s.failures())
        .singleElement()
        .extracting(UpnpFailure::kind)
        .isEqualTo(UpnpError.TOO_LARGE);
    assertThat(allocated).isLessThan(8L << 20);
    assertThat(written.get()).isLessThan(50L << 20);
  }

  @Test
  void hugeHeadersAreCutAtTheCap() {
    igd.serve(
        "/desc.xml",
        ex -> {
          for (int i = 0; i < 64; i++) {
            ex.getResponseHeaders().add("X-Pad-" + i, "p".repeat(1000));
          }
          FakeIgd.respond(ex, 200, FakeIgd.description("/ctl", null));
        });

    UpnpStatus s = mapOnce(igd.config());

    assertThat(s.failures())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.kind()).isEqualTo(UpnpError.TOO_LARGE);
              assertThat(f.message()).contains("8192 bytes of headers");
            });
  }

  @Test
  void anExternalAddressOfTheWrongTypeIsRefused() {
    igd.serve(
        "/ctl",
        ex -> {
          ex.getRequestBody().readAllBytes();
          FakeIgd.respond(
              ex,
              200,
              "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\">"
                  + "<s:Body><u:GetExternalIPAddressResponse xmlns:u=\"x\"><NewExternalIPAddress>"
                  + "file:///etc/passwd</NewExternalIPAddress></u:GetExternalIPAddressResponse>"
                  + "</s:Body></s:Envelope>");
        });

    UpnpStatus s = mapOnce(igd.config());

    assertThat(s.failures())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.kind()).isEqualTo(UpnpError.BAD_ANSWER);
              assertThat(f.message()).contains("not an IPv4 address");
            });
    assertThat(s.mappings()).isEmpty();
  }

  @Test
  void aSlowLorisDeviceTimesOutAtTheDeadline() {
    igd.serve(
        "/desc.xml",
        ex -> {
          ex.sendResponseHeaders(200, 0);
          try (OutputStream o = ex.getResponseBody()) {
            for (int i = 0; i < 600; i++) { // a byte every 100 ms for a minute
              o.write('<');
              o.flush();
              Thread.sleep(100);
            }
          } catch (IOException | InterruptedException e) {
            // the client hung up, as it should
          }
        });
    // 1 s of silence allowed between reads, 2 s for the whole exchange.
    UpnpStatus s = assertTimeoutPreemptively(Duration.ofSeconds(15), () -> mapOnce(igd.config()));

    assertThat(s.failures())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.kind()).isEqualTo(UpnpError.TIMEOUT);
              assertThat(f.message()).contains("within 2000 ms");
            });
  }

  @Test
  void aLocationOnAnotherHostIsNeverFetched() throws Exception {
    try (FakeIgd other = new FakeIgd(InetAddress.getByName("127.0.0.2"))) {
      igd.ssdpReplies = List.of(FakeIgd.reply(other.location()));
      UpnpMapper mapper = new UpnpMapper(igd.config());

      UpnpStatus s = mapper.map(6881);

      assertThat(s.failures())
          .singleElement()
          .extracting(UpnpFailure::kind)
          .isEqualTo(UpnpError.NO_GATEWAY);
      assertThat(other.descriptionHits.get()).isZero();
      assertThat(mapper.counters().ssdpRejected()).isPositive();
    }
  }

  @Test
  void aRedirectIsNotFollowed() {
    igd.serve(
        "/desc.xml",
        ex -> {
          ex.getResponseHeaders().set("Location", watched.base() + "/desc.xml");
          ex.sendResponseHeaders(302, -1);
          ex.close();
        });

    UpnpStatus s = mapOnce(igd.config());

    assertThat(s.failures())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.kind()).isEqualTo(UpnpError.REDIRECT_REFUSED);
              assertThat(f.message()).contains("redirect");
            });
    assertThat(watchedHits.get()).isZero();
  }

  @Test
  void aControlUrlOrUrlBaseOnAnotherHostIsRefused() throws Exception {
    try (FakeIgd other = new FakeIgd(InetAddress.getByName("127.0.0.2"))) {
      igd.description = FakeIgd.description(other.base() + "/ctl", null);
      UpnpStatus s = mapOnce(igd.config());
      assertThat(s.failures())
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.kind()).isEqualTo(UpnpError.URL_REFUSED);
                assertThat(f.message()).contains("127.0.0.2").contains("another host");
              });

      igd.description = FakeIgd.description("/ctl", other.base() + "/");
      assertThat(mapOnce(igd.config()).failures())
          .singleElement()
          .extracting(UpnpFailure::kind)
          .isEqualTo(UpnpError.URL_REFUSED);

      igd.description = FakeIgd.description("file:///etc/passwd", null);
      assertThat(mapOnce(igd.config()).failures())
          .singleElement()
          .extracting(UpnpFailure::kind)
          .isEqualTo(UpnpError.URL_REFUSED);
      assertThat(other.externalIpQueries.get() + other.adds.get()).isZero();
      assertThat(igd.adds.get()).isZero();
    }
  }

  @Test
  void aSoapAnswerWithAnEntityIsRefusedToo() throws Exception {
    Path secret = secretFile();
    igd.serve(
        "/ctl",
        ex -> {
          ex.getRequestBody().readAllBytes();
          FakeIgd.respond(
              ex,
              200,
              "<?xml version=\"1.0\"?><!DOCTYPE e [<!ENTITY f SYSTEM \""
                  + secret.toUri()
                  + "\">]><e><NewExternalIPAddress>&f;</NewExternalIPAddress></e>");
        });
    UpnpStatus[] out = new UpnpStatus[1];

    List<String> read = FileReadWatch.pathsRead(() -> out[0] = mapOnce(igd.config()));

    assertThat(read).doesNotContain(secret.toString());
    assertThat(out[0].failures())
        .singleElement()
        .extracting(UpnpFailure::kind)
        .isEqualTo(UpnpError.BAD_XML);
    assertNoSecret(out[0]);
  }
}
