package io.natswarm.node.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.natswarm.lab.KernelLab.LabHost;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A libtorrent 2.0.8 peer in a kernel-lab namespace: {@code src/test/resources/libtorrent/
 * lt_holepunch_peer.py} (python3-libtorrent) with the JSON lines it prints kept, so that a test can
 * ask which peers it is connected to and when, and when it sent a ut_holepunch rendezvous. Ends on
 * {@link #close} (stdin closed, then the process ended by its handle). Public for bench's {@code
 * nat-matrix} (through this module's test-jar).
 */
public final class LibtorrentLabPeer implements AutoCloseable {
  private static final String SCRIPT = "/libtorrent/lt_holepunch_peer.py";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final List<JsonNode> lines = new ArrayList<>();

  /**
   * Starts the script in {@code host}'s namespace with {@code args} (see the script: PORT
   * TORRENT_FILE SAVE_DIR MODE CONNECT TIMEOUT_S [OPTIONS]); its stderr goes to {@code log}.
   */
  public LibtorrentLabPeer(LabHost host, Path log, String... args) throws IOException {
    Path script;
    try {
      script = Path.of(LibtorrentLabPeer.class.getResource(SCRIPT).toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IOException(e);
    }
    List<String> cmd =
        new ArrayList<>(List.of("ip", "netns", "exec", host.namespace(), "/usr/bin/python3", "-u"));
    cmd.add(script.toString());
    cmd.addAll(List.of(args));
    process = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                  JsonNode j = JSON.readTree(l);
                  synchronized (lines) {
                    lines.add(j);
                  }
                }
              } catch (IOException e) {
                // the process ended
              }
            },
            "lt-lab-peer");
    t.setDaemon(true);
    t.start();
  }

  /** The connected peer at {@code address} in the latest peer list, or null. */
  public JsonNode peer(String address) {
    synchronized (lines) {
      for (int i = lines.size() - 1; i >= 0; i--) {
        if (lines.get(i).has("peers")) {
          for (JsonNode p : lines.get(i).get("peers")) {
            if (p.path("ip").asText().equals(address)) {
              return p;
            }
          }
          return null;
        }
      }
    }
    return null;
  }

  /** The script's clock when a peer at {@code address} first showed connected, or -1. */
  public double connectedAt(String address) {
    synchronized (lines) {
      for (JsonNode j : lines) {
        for (JsonNode p : j.path("peers")) {
          if (p.path("ip").asText().equals(address)) {
            return j.path("t").asDouble();
          }
        }
      }
    }
    return -1;
  }

  /** The script's clock at its first outgoing rendezvous for {@code address} (trace), or -1. */
  public double firstRendezvousAt(String address) {
    synchronized (lines) {
      for (JsonNode j : lines) {
        if (j.path("rendezvous").asText().contains("to: " + address)) {
          return j.path("t").asDouble();
        }
      }
    }
    return -1;
  }

  /** Everything the script printed, for assertion messages. */
  public String output() {
    synchronized (lines) {
      StringBuilder b = new StringBuilder();
      for (JsonNode j : lines) {
        b.append(j).append('\n');
      }
      return b.toString();
    }
  }

  @Override
  public void close() throws InterruptedException {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // already gone
    }
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
