package io.natswarm.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.lab.KernelLab.LabHost;
import io.natswarm.lab.KernelLab.NatKind;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Hole punching through real Linux NATs (nftables in network namespaces), the ground truth that
 * netsim's NAT model reproduces: port-restricted cones punch through each other, a symmetric NAT
 * (random or sequential ports) defeats a port-restricted peer and another symmetric NAT, a full or
 * restricted cone lets a symmetric peer in once it has sent to the peer's address (LAB.md's
 * measured matrix).
 */
@Tag("lab")
class KernelNatMatrixTest {

  @BeforeAll
  static void needsRoot() {
    String reason = KernelLab.unavailableReason();
    Assumptions.assumeTrue(reason == null, reason);
  }

  @ParameterizedTest(name = "{0} <-> {1} connects: {2}")
  @CsvSource({
    "PORT_RESTRICTED_CONE, PORT_RESTRICTED_CONE, true",
    "PORT_RESTRICTED_CONE, SYMMETRIC, false",
    "SYMMETRIC, SYMMETRIC, false",
    "FULL_CONE, SYMMETRIC, true",
    "RESTRICTED_CONE, SYMMETRIC, true",
    "RESTRICTED_CONE, PORT_RESTRICTED_CONE, true",
    "PORT_RESTRICTED_CONE, SYMMETRIC_SEQUENTIAL, false"
  })
  void punchesAsTheKernelMatrixSays(NatKind left, NatKind right, boolean connects)
      throws Exception {
    try (KernelLab lab = KernelLab.create()) {
      LabHost a = lab.addHostBehindNat(left);
      LabHost b = lab.addHostBehindNat(right);
      // Each side guesses that the peer's NAT preserved its port (Linux masquerade does, unless
      // fully-random), and learns the real, peer-reflexive address from what arrives.
      Process pa = puncher(lab, a, 40001, b.publicAddress(), 40002);
      Process pb = puncher(lab, b, 40002, a.publicAddress(), 40001);
      try {
        String outA = finish(pa);
        String outB = finish(pb);
        assertThat(outA.contains("CONNECTED") && outB.contains("CONNECTED"))
            .as("a said %s; b said %s", outA.strip(), outB.strip())
            .isEqualTo(connects);
        if (connects) {
          assertThat(outA).contains("CONNECTED /" + b.publicAddress() + ":");
          assertThat(outB).contains("CONNECTED /" + a.publicAddress() + ":");
        }
      } finally {
        pa.destroyForcibly();
        pb.destroyForcibly();
      }
    }
  }

  private static Process puncher(KernelLab lab, LabHost host, int port, String peerIp, int peerPort)
      throws IOException {
    String java =
        System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    return lab.startIn(
        host.namespace(),
        java,
        "-Xshare:auto",
        "-XX:TieredStopAtLevel=1",
        "-cp",
        System.getProperty("java.class.path"),
        LabPuncher.class.getName(),
        Integer.toString(port),
        peerIp,
        Integer.toString(peerPort),
        "4000");
  }

  private static String finish(Process p) throws Exception {
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return "TIMEOUT";
    }
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }
}
