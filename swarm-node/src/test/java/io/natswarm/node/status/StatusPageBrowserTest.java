package io.natswarm.node.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.natswarm.node.DhtSettings;
import io.natswarm.node.SharedTorrent;
import io.natswarm.node.SwarmNode;
import io.natswarm.node.SwarmNodeSettings;
import io.natswarm.node.Transfer;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The status page in a real browser (issue 10): headless Chromium (Debian's chromium and
 * chromium-driver, which {@code ./run-tests} installs as root) driven by Selenium loads the page of
 * a node downloading from another on loopback and checks what a person sees: the torrent's row, its
 * progress moving from 0 % to 100 %, the seeder among the peers, a magnet link added through the
 * form, and a removal refused once the token is cleared.
 *
 * <p>Chromium is kept off the network: every request that is not to loopback goes to a proxy that
 * does not exist, and background networking (updates, sync, safe browsing) is off. Skipped, saying
 * so, only when chromium or chromedriver is not installed.
 */
@Timeout(180)
class StatusPageBrowserTest {
  private static final String CHROMIUM = "/usr/bin/chromium";
  private static final String CHROMEDRIVER = "/usr/bin/chromedriver";

  @TempDir Path dir;

  private static WebDriver chromium() {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments(
        "--headless=new",
        "--no-sandbox", // the tests run as root
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-domain-reliability",
        "--disable-client-side-phishing-detection",
        "--no-pings",
        "--proxy-server=http://127.0.0.1:9", // loopback bypasses it; nothing else gets out
        "--window-size=1280,1250");
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER))
            .usingAnyFreePort()
            .build();
    return new ChromeDriver(service, options);
  }

  @Test
  void aPersonSeesTheTransferAndCanAddAndIsRefusedWithoutTheToken() throws Exception {
    assumeTrue(
        Files.isExecutable(Path.of(CHROMIUM)) && Files.isExecutable(Path.of(CHROMEDRIVER)),
        "chromium and chromium-driver are not installed (./run-tests installs them as root)");
    Path shared = dir.resolve("film.bin");
    byte[] data = new byte[24 << 20];
    new Random(17).nextBytes(data);
    Files.write(shared, data);
    WebDriver browser = null;
    try (SwarmNode seeder = SwarmNode.start(SwarmNodeSettings.loopback());
        SwarmNode leecher = SwarmNode.start(SwarmNodeSettings.loopback())) {
      StatusServer status =
          leecher.serveStatus(StatusServerSettings.loopback(dir.resolve("downloads")));
      SharedTorrent torrent = seeder.share(shared);
      torrent.transfer().completion().get(30, TimeUnit.SECONDS);
      Path file = Files.write(dir.resolve("film.torrent"), torrent.metainfo());
      Transfer t = leecher.download(file, dir.resolve("downloads"));

      browser = chromium();
      browser.get("http://127.0.0.1:" + status.address().getPort() + "/");
      WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
      wait.ignoring(StaleElementReferenceException.class); // the page redraws every second
      By row = By.cssSelector("tr.torrent[data-infohash='" + t.infoHash() + "']");
      wait.until(
          d -> d.findElement(row).findElement(By.className("name")).getText().equals("film.bin"));
      wait.until(
          d ->
              d.findElement(row).findElement(By.className("percent")).getText().startsWith("0.0%"));
      assertThat(browser.findElement(By.id("reachability-panel")).getText())
          .contains("Reachability");

      t.connect(seeder.listenAddress());
      String seederPort = Integer.toString(seeder.listenAddress().getPort());
      boolean[] peerSeen = {false};
      WebDriverWait long_ = new WebDriverWait(browser, Duration.ofSeconds(60));
      long_.ignoring(StaleElementReferenceException.class);
      long_.until(
          d -> {
            for (WebElement p : d.findElements(By.cssSelector("#peers tr.peer"))) {
              List<WebElement> cells = p.findElements(By.tagName("td"));
              if (cells.size() >= 6
                  && cells.get(1).getText().equals("127.0.0.1")
                  && cells.get(2).getText().equals(seederPort)) {
                assertThat(cells.get(3).getText()).isIn("utp", "tcp");
                assertThat(cells.get(4).getText()).isEqualTo("ipv4");
                assertThat(cells.get(5).getText()).isEqualTo("direct");
                peerSeen[0] = true;
              }
            }
            String pct = d.findElement(row).findElement(By.className("percent")).getText();
            return peerSeen[0] && pct.contains("100.0%");
          });
      t.completion().get(30, TimeUnit.SECONDS);
      long_.until(
          d ->
              d.findElement(row).findElement(By.className("percent")).getText().contains("100.0%"));
      assertThat(peerSeen[0]).as("the seeder was listed among the peers").isTrue();
      wait.until(
          d -> d.findElement(row).findElements(By.cssSelector("svg.rate-chart")).size() == 1);
      assertThat(browser.findElement(By.id("dht")).getText()).isNotEmpty();

      String hash = "0123456789abcdef0123456789abcdef01234567";
      browser.findElement(By.id("magnet")).sendKeys("magnet:?xt=urn:btih:" + hash + "&dn=later");
      browser.findElement(By.id("add")).click();
      wait.until(d -> d.findElement(By.id("add-result")).getText().contains("added " + hash));
      By added = By.cssSelector("tr.torrent[data-infohash='" + hash + "']");
      wait.until(d -> d.findElement(added));

      WebElement token = browser.findElement(By.id("token"));
      token.clear();
      wait.until(
          d -> {
            d.findElement(added).findElement(By.className("remove")).click();
            return true;
          });
      wait.until(d -> d.findElement(By.id("add-result")).getText().contains("token"));
      assertThat(browser.findElement(By.id("add-result")).getText())
          .contains("missing or wrong token");
      assertThat(browser.findElements(added))
          .as("still there after the refused removal")
          .hasSize(1);

      browser.findElement(By.id("magnet")).clear();
      browser.findElement(By.id("magnet")).sendKeys("not a magnet");
      token.sendKeys(status.token());
      browser.findElement(By.id("add")).click();
      wait.until(d -> d.findElement(By.id("add-result")).getText().contains("refused (400)"));
      assertThat(browser.findElement(By.id("add-result")).getText()).contains("not a magnet link");
    } finally {
      if (browser != null) {
        browser.quit();
      }
    }
  }

  /** Saves what the browser shows when {@code -Dnatswarm.screenshotDir=DIR} is given. */
  private static void screenshot(WebDriver browser, String name) throws java.io.IOException {
    String where = System.getProperty("natswarm.screenshotDir", "");
    if (!where.isEmpty()) {
      byte[] png =
          ((org.openqa.selenium.TakesScreenshot) browser)
              .getScreenshotAs(org.openqa.selenium.OutputType.BYTES);
      Files.write(Files.createDirectories(Path.of(where)).resolve(name), png);
    }
  }

  private static String cell(WebDriver d, By row, String cls) {
    return d.findElement(row).findElement(By.className(cls)).getText();
  }

  private static List<WebElement> peerRows(WebDriver d, String port) {
    List<WebElement> out = new java.util.ArrayList<>();
    for (WebElement p : d.findElements(By.cssSelector("#peers tr.peer"))) {
      List<WebElement> cells = p.findElements(By.tagName("td"));
      if (cells.size() >= 10 && cells.get(2).getText().equals(port)) {
        out.add(p);
      }
    }
    return out;
  }

  /**
   * A person pauses a download and resumes it. The leecher takes the half of the torrent its seeder
   * has and waits at 50 %; the person clicks Pause: the row says paused, offers Resume, and the
   * seeder leaves the peers table. The seeder then gets the whole file (its own pause and resume
   * re-checks its disk), yet the paused row stays at 50 % for seconds. The person clicks Resume:
   * the seeder is back among the peers and the row reaches 100 %. The reachability panel shows the
   * address the seeder said it sees us at (BEP 10 yourip), and its hole punching block.
   */
  @Test
  void aPersonPausesAndResumesADownload() throws Exception {
    assumeTrue(
        Files.isExecutable(Path.of(CHROMIUM)) && Files.isExecutable(Path.of(CHROMEDRIVER)),
        "chromium and chromium-driver are not installed (./run-tests installs them as root)");
    int piece = 256 << 10;
    byte[] data = new byte[96 * piece];
    new Random(29).nextBytes(data);
    byte[] half = data.clone();
    java.util.Arrays.fill(half, data.length / 2, data.length, (byte) 0);
    Path seedDir = Files.createDirectories(dir.resolve("seed"));
    Files.write(seedDir.resolve("film.bin"), half);
    Path downloads = Files.createDirectories(dir.resolve("downloads"));
    Path torrentFile =
        Files.write(dir.resolve("film.torrent"), TestMetainfo.of("film.bin", data, piece));
    WebDriver browser = null;
    SwarmNodeSettings base = SwarmNodeSettings.loopback();
    try (SwarmNode seeder = SwarmNode.start(base.withDht(DhtSettings.joining(List.of())));
        SwarmNode leecher =
            SwarmNode.start(base.withDht(DhtSettings.joining(List.of(seeder.listenAddress()))))) {
      StatusServer seederStatus = seeder.serveStatus(StatusServerSettings.loopback(seedDir));
      Transfer seeding = seeder.download(torrentFile, seedDir);
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (seeding.progress().piecesVerified() < 48 && System.nanoTime() < end) {
        Thread.sleep(20);
      }
      assertThat(seeding.progress().piecesVerified()).as("the seeder has half").isEqualTo(48);
      StatusServer status = leecher.serveStatus(StatusServerSettings.loopback(downloads));
      Transfer t = leecher.download(torrentFile, downloads);
      t.connect(seeder.listenAddress());
      String seederPort = Integer.toString(seeder.listenAddress().getPort());

      browser = chromium();
      browser.get("http://127.0.0.1:" + status.address().getPort() + "/");
      WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
      wait.pollingEvery(Duration.ofMillis(100));
      wait.ignoring(StaleElementReferenceException.class);
      wait.ignoring(org.openqa.selenium.NoSuchElementException.class);
      By row = By.cssSelector("tr.torrent[data-infohash='" + t.infoHash() + "']");
      wait.until(
          d ->
              cell(d, row, "percent").startsWith("50.0% (48/96)")
                  && cell(d, row, "state").equals("downloading")
                  && peerRows(d, seederPort).size() == 1);
      String[] seen = new String[3]; // read in one go: the page redraws every second
      wait.until(
          d -> {
            List<WebElement> rows = peerRows(d, seederPort);
            if (rows.size() != 1) {
              return false;
            }
            List<WebElement> cells = rows.get(0).findElements(By.tagName("td"));
            seen[0] = cells.get(1).getText();
            seen[1] = cells.get(7).getText();
            seen[2] = cells.get(8).getText();
            return true;
          });
      assertThat(seen[0]).isEqualTo("127.0.0.1");
      assertThat(seen[1]).as("the seeder's client (BEP 10 v)").isNotEmpty().isNotEqualTo("?");
      assertThat(seen[2]).as("its download rate").endsWith("/s");
      wait.until(d -> d.findElement(By.id("reachability")).getText().contains("127.0.0.1: 1 vote"));
      // Loopback peers reach each other directly: the hole punch block is there, with nothing done.
      String punch = browser.findElement(By.id("holepunch-block")).getText();
      assertThat(punch)
          .contains("Hole punching")
          .contains("0 rendezvous requests for 0 peers")
          .contains("Relayed for others")
          .contains("none yet");
      String verdict = browser.findElement(By.cssSelector("#verdicts tr.family-ipv4")).getText();
      assertThat(verdict)
          .contains("not reachable")
          .contains("only this machine can reach")
          .contains("listen.address");
      // Each transport gets its own line under the family's reason.
      assertThat(browser.findElements(By.cssSelector("#verdicts tr.family-ipv4 ul.transports li")))
          .extracting(org.openqa.selenium.WebElement::getText)
          .hasSize(2)
          .anyMatch(line -> line.startsWith("µTP: not reachable"))
          .anyMatch(line -> line.startsWith("TCP: not reachable"));
      // The leecher's DHT joined through the seeder's: one node in its table, queries both ways.
      wait.until(
          d -> {
            String dht = d.findElement(By.id("dht")).getText();
            return dht.contains("1 node in 1 bucket")
                && !dht.contains("in 0, out")
                && !dht.contains("out 0 (");
          });
      screenshot(browser, "status-page-downloading.png");

      wait.until(
          d -> {
            d.findElement(row).findElement(By.className("pause")).click();
            return true;
          });
      wait.until(d -> d.findElement(By.id("add-result")).getText().equals("paused film.bin"));
      wait.until(
          d ->
              cell(d, row, "state").equals("paused")
                  && d.findElement(row).findElements(By.className("resume")).size() == 1
                  && d.findElement(row).findElements(By.className("pause")).isEmpty()
                  && peerRows(d, seederPort).isEmpty());
      wait.until(d -> d.findElement(row).getAttribute("class").contains("paused"));

      // The seeder gets the whole file: its own pause and resume check the disk again.
      Files.write(seedDir.resolve("film.bin"), data);
      Map<String, String> h =
          Map.of(
              "Content-Type", "application/json", RequestGuard.TOKEN_HEADER, seederStatus.token());
      for (String verb : new String[] {"pause", "resume"}) {
        RawHttp.Response r =
            RawHttp.request(
                seederStatus.address(),
                "POST",
                "/api/torrents/" + seeding.infoHash() + "/" + verb,
                h,
                "{}");
        assertThat(r.code()).as(r.body()).isEqualTo(200);
      }
      end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!seeding.progress().complete() && System.nanoTime() < end) {
        Thread.sleep(20);
      }
      assertThat(seeding.progress().complete()).as("the seeder has it all now").isTrue();

      for (int i = 0; i < 8; i++) { // 4 s with a complete seeder one click away
        Thread.sleep(500);
        wait.until(
            d ->
                cell(d, row, "percent").startsWith("50.0% (48/96)")
                    && cell(d, row, "state").equals("paused")
                    && peerRows(d, seederPort).isEmpty());
      }
      screenshot(browser, "status-page-paused.png");

      wait.until(
          d -> {
            d.findElement(row).findElement(By.className("resume")).click();
            return true;
          });
      wait.until(d -> d.findElement(By.id("add-result")).getText().equals("resumed film.bin"));
      wait.withMessage(
              () -> {
                try {
                  return "leecher "
                      + RawHttp.get(status.address(), "/api/status").body()
                      + "\nseeder "
                      + RawHttp.get(seederStatus.address(), "/api/status").body();
                } catch (java.io.IOException e) {
                  return e.toString();
                }
              })
          .until(
              d -> {
                return cell(d, row, "percent").startsWith("100.0% (96/96)")
                    && cell(d, row, "state").equals("seeding");
              });
      // The seeder's row is not required here: two seeds may part before a redraw shows it; the
      // missing half can only have come from the seeder.
      assertThat(t.completion().get(30, TimeUnit.SECONDS).complete()).isTrue();
      assertThat(Files.readAllBytes(downloads.resolve("film.bin"))).isEqualTo(data);
      screenshot(browser, "status-page.png");
    } finally {
      if (browser != null) {
        browser.quit();
      }
    }
  }

  /**
   * A page from another origin (another loopback port) that knows the token still cannot add a
   * magnet link: its cross-origin POST needs a CORS preflight, which the server never grants, and a
   * "simple" no-cors POST arrives without the token and with a foreign Origin. The node is
   * unchanged.
   */
  @Test
  void aPageFromAnotherOriginCannotChangeTheNode() throws Exception {
    assumeTrue(
        Files.isExecutable(Path.of(CHROMIUM)) && Files.isExecutable(Path.of(CHROMEDRIVER)),
        "chromium and chromium-driver are not installed (./run-tests installs them as root)");
    WebDriver browser = null;
    com.sun.net.httpserver.HttpServer evil = null;
    try (SwarmNode node = SwarmNode.start(SwarmNodeSettings.loopback())) {
      StatusServer status = node.serveStatus(StatusServerSettings.loopback(dir.resolve("dl")));
      String target = "http://127.0.0.1:" + status.address().getPort() + "/api/torrents";
      String body = "JSON.stringify({magnet: 'magnet:?xt=urn:btih:" + "ef".repeat(20) + "'})";
      String page =
          "<!DOCTYPE html><html><body><div id='cors'>pending</div><div id='simple'>pending</div>"
              + "<script>"
              + "fetch('"
              + target
              + "', {method: 'POST', headers: {'Content-Type': 'application/json',"
              + " 'X-Natswarm-Token': '"
              + status.token()
              + "'}, body: "
              + body
              + "}).then(function (r) { document.getElementById('cors').textContent = 'answered '"
              + " + r.status; }).catch(function (e) { document.getElementById('cors').textContent"
              + " = 'blocked'; });"
              + "fetch('"
              + target
              + "', {method: 'POST', mode: 'no-cors', headers: {'Content-Type': 'text/plain'},"
              + " body: "
              + body
              + "}).then(function () { document.getElementById('simple').textContent = 'sent';"
              + " }).catch(function () { document.getElementById('simple').textContent = 'blocked';"
              + " });"
              + "</script></body></html>";
      byte[] bytes = page.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      evil =
          com.sun.net.httpserver.HttpServer.create(
              new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 4);
      evil.createContext(
          "/",
          ex -> {
            ex.getResponseHeaders().set("Content-Type", "text/html");
            ex.sendResponseHeaders(200, bytes.length);
            try (var out = ex.getResponseBody()) {
              out.write(bytes);
            }
          });
      evil.start();
      browser = chromium();
      browser.get("http://127.0.0.1:" + evil.getAddress().getPort() + "/");
      WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
      wait.until(d -> !d.findElement(By.id("cors")).getText().equals("pending"));
      wait.until(d -> !d.findElement(By.id("simple")).getText().equals("pending"));
      assertThat(browser.findElement(By.id("cors")).getText())
          .as("the preflighted request with the token")
          .isEqualTo("blocked");
      Thread.sleep(500);
      RawHttp.Response r = RawHttp.get(status.address(), "/api/status");
      assertThat(r.body()).as("no torrent was added").contains("\"torrents\":[]");
    } finally {
      if (browser != null) {
        browser.quit();
      }
      if (evil != null) {
        evil.stop(0);
      }
    }
  }
}
