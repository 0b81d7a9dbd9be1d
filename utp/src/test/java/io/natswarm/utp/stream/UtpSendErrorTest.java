package io.natswarm.utp.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.natswarm.datagram.DatagramCore;
import io.natswarm.datagram.DatagramKind;
import io.natswarm.datagram.EndpointStats;
import io.natswarm.datagram.EndpointTracer;
import io.natswarm.datagram.SendClass;
import io.natswarm.datagram.Transmit;
import io.natswarm.datagram.UdpEndpoint;
import io.natswarm.lab.KernelLab;
import io.natswarm.utp.UtpConnectionStats;
import io.natswarm.utp.UtpError;
import io.natswarm.utp.UtpSettings;
import io.natswarm.utp.UtpStack;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A datagram the kernel refuses to send (sendto fails: EPERM behind an output-hook firewall,
 * EINVAL, an unreachable network) is a lost datagram, never a dead connection: the real {@link
 * UdpEndpoint} counts it in {@link EndpointStats#sendErrors()} and goes on, and µTP (BEP 29)
 * retransmits it like any other loss. The failure is a real one from the kernel: the chosen
 * datagrams are addressed to loopback's broadcast address, which Linux's sendto refuses with EACCES
 * on a socket without SO_BROADCAST (a permission error, like the EPERM of an output-hook drop), so
 * nothing leaves the socket.
 */
class UtpSendErrorTest {
  private static final InetAddress LO = InetAddress.getLoopbackAddress();
  private static final InetSocketAddress REFUSED = refused();
  private static final int SIZE = 2 << 20;

  private final ExecutorService pool = Executors.newCachedThreadPool();
  private UdpEndpoint sendingUdp;
  private UdpEndpoint receivingUdp;
  private UtpSocket sending;
  private UtpSocket receiving;

  @AfterEach
  void tearDown() {
    pool.shutdownNow();
    for (AutoCloseable c : new AutoCloseable[] {sending, receiving, sendingUdp, receivingUdp}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // closing anyway
      }
    }
  }

  @Test
  void refusedSendsAreLostDatagramsThatMicroTpRetransmits() throws Exception {
    // The SYN (#0; #1 is its retransmission, #2 the ack of the answer), the first data packet (#3)
    // and one datagram in 40 afterwards fail in the kernel.
    FailingSends core =
        open(i -> i == 0 || i == 3 || (i > 3 && i % 40 == 0), UtpSettings.defaults());
    UtpServerSocket listener = receiving.listen();
    byte[] data = new byte[SIZE];
    new Random(7).nextBytes(data);

    Future<byte[]> read =
        pool.submit(
            () -> {
              UtpChannel in = listener.accept(Duration.ofSeconds(10));
              in.setReadTimeout(Duration.ofSeconds(10));
              ByteBuffer got = ByteBuffer.allocate(SIZE);
              while (got.hasRemaining() && in.read(got) >= 0) {
                // reading
              }
              return got.array();
            });
    UtpChannel out =
        sending.connect(new InetSocketAddress(LO, receivingUdp.port()), Duration.ofSeconds(10));
    out.write(ByteBuffer.wrap(data));
    assertArrayEquals(data, read.get(30, TimeUnit.SECONDS), "every byte, in order");
    UtpConnectionStats st = out.inspect(c -> c.stats());
    assertEquals(UtpError.NONE, out.error());
    out.close();

    int refused = sendingUdp.call(() -> core.refused, Duration.ofSeconds(5));
    EndpointStats s = sendingUdp.call(sendingUdp::stats, Duration.ofSeconds(5));
    assertTrue(refused >= 3, "refused " + refused);
    assertEquals(refused, s.sendErrors(), "each refused datagram counted once, nothing else");
    assertEquals(1, st.synRetransmits(), "the refused SYN was sent again");
    assertTrue(st.retransmits() >= refused - 1, "retransmits " + st.retransmits());
    assertTrue(!sendingUdp.isClosed(), "the endpoint's loop goes on");
  }

  /**
   * The real thing: an nftables drop on the output hook of this namespace makes the kernel's sendto
   * fail with EPERM (LAB.md "Random loss on loopback"; libtorrent 2.0.8 stalls on it). The rules
   * match only the sending socket's port: its first SYN (48 bytes on the wire) and 2 % of
   * everything after it. Each refused send must be one send error, traced with the kernel's EPERM,
   * and µTP must deliver every byte with no error on the connection.
   */
  @Test
  void outputHookDropsFailWithEpermAndAreRetransmitted() throws Exception {
    String why = KernelLab.unavailableReason();
    Assumptions.assumeTrue(why == null, () -> "skipping the output-hook EPERM test: " + why);
    List<String> causes = new CopyOnWriteArrayList<>();
    EndpointTracer tracer =
        new EndpointTracer() {
          @Override
          public void sendFailed(InetSocketAddress to, int length, Exception cause) {
            causes.add(String.valueOf(cause.getMessage()));
          }
        };
    open(i -> false, UtpSettings.defaults(), tracer);
    String table = "natswarm_eperm_" + ProcessHandle.current().pid();
    int port = sendingUdp.port();
    nft(
        "table inet "
            + table
            + " {\n chain out {\n  type filter hook output priority 0; policy accept;\n"
            + "  udp sport "
            + port
            + " meta length 48 quota until 48 bytes counter drop\n"
            + "  udp sport "
            + port
            + " numgen random mod 100 < 2 counter drop\n }\n}\n",
        "-f",
        "-");
    try {
      UtpServerSocket listener = receiving.listen();
      byte[] data = new byte[SIZE];
      new Random(9).nextBytes(data);
      Future<byte[]> read =
          pool.submit(
              () -> {
                UtpChannel in = listener.accept(Duration.ofSeconds(20));
                in.setReadTimeout(Duration.ofSeconds(20));
                ByteBuffer got = ByteBuffer.allocate(SIZE);
                while (got.hasRemaining() && in.read(got) >= 0) {
                  // reading
                }
                return got.array();
              });
      UtpChannel out =
          sending.connect(new InetSocketAddress(LO, receivingUdp.port()), Duration.ofSeconds(20));
      out.write(ByteBuffer.wrap(data));
      assertArrayEquals(data, read.get(60, TimeUnit.SECONDS), "every byte, in order");
      UtpConnectionStats st = out.inspect(c -> c.stats());
      assertEquals(UtpError.NONE, out.error(), "the connection lives");
      out.close();

      long dropped = 0;
      Matcher m =
          Pattern.compile("counter packets (\\d+)")
              .matcher(nft("", "list", "table", "inet", table));
      while (m.find()) {
        dropped += Long.parseLong(m.group(1));
      }
      EndpointStats s = sendingUdp.call(sendingUdp::stats, Duration.ofSeconds(5));
      assertTrue(dropped >= 2, "the output hook dropped " + dropped);
      assertEquals(dropped, s.sendErrors(), "each EPERM counted once as a send error");
      assertEquals(dropped, causes.size());
      assertTrue(
          causes.stream().allMatch(c -> c.contains("Operation not permitted")),
          () -> "EPERM each time: " + causes);
      assertTrue(st.synRetransmits() >= 1, "the refused SYN was sent again");
      assertTrue(st.retransmits() >= dropped - 1, "retransmits " + st.retransmits());
      assertTrue(!sendingUdp.isClosed(), "the endpoint's loop goes on");
    } finally {
      nft("", "delete", "table", "inet", table);
    }
  }

  /** Runs nft with {@code args}, {@code input} on its stdin; fails the test unless it exits 0. */
  private static String nft(String input, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("nft"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(10, TimeUnit.SECONDS), "nft finished");
    assertEquals(0, p.exitValue(), () -> "nft " + String.join(" ", args) + ": " + output);
    return output;
  }

  private static InetSocketAddress refused() {
    try {
      return new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, -1, -1, -1}), 9);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** µTP on the sending endpoint behind {@link FailingSends}; plain µTP on the receiving one. */
  private FailingSends open(IntPredicate fail, UtpSettings settings) throws IOException {
    return open(fail, settings, EndpointTracer.NOOP);
  }

  private FailingSends open(IntPredicate fail, UtpSettings settings, EndpointTracer tracer)
      throws IOException {
    receivingUdp = UdpEndpoint.builder().bind(new InetSocketAddress(LO, 0)).open();
    receiving = UtpSocket.open(receivingUdp);
    sendingUdp = UdpEndpoint.builder().bind(new InetSocketAddress(LO, 0)).tracer(tracer).open();
    UtpStack stack = new UtpStack(settings, new SecureRandom());
    FailingSends core = new FailingSends(stack, fail);
    sendingUdp.call(
        () -> {
          sendingUdp.register(DatagramKind.UTP, core);
          sendingUdp.demultiplexer().setUnclaimedHandler(stack::resetUnknown);
          return null;
        },
        Duration.ofSeconds(5));
    sending = UtpSocket.over(sendingUdp, stack, UtpSocket.DEFAULT_STREAM_BUFFER_BYTES);
    return core;
  }

  /**
   * The µTP stack as the endpoint's core, with the n-th outgoing datagram (counted from 0)
   * addressed where the kernel refuses to send when {@code fail} says so. Loop thread only.
   */
  private static final class FailingSends implements DatagramCore {
    private final UtpStack stack;
    private final IntPredicate fail;
    private int index;
    int refused;

    FailingSends(UtpStack stack, IntPredicate fail) {
      this.stack = stack;
      this.fail = fail;
    }

    @Override
    public boolean handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
      return stack.handleDatagram(packet, from, nowNanos);
    }

    @Override
    public void handleReceiveDrained(long nowNanos) {
      stack.handleReceiveDrained(nowNanos);
    }

    @Override
    public boolean pollTransmit(Transmit out, long nowNanos) {
      if (!stack.pollTransmit(out, nowNanos)) {
        return false;
      }
      if (fail.test(index++)) {
        out.setDestination(REFUSED);
        refused++;
      }
      return true;
    }

    @Override
    public long pollTimeout() {
      return stack.pollTimeout();
    }

    @Override
    public void handleTimeout(long nowNanos) {
      stack.handleTimeout(nowNanos);
    }

    @Override
    public SendClass sendClass() {
      return stack.sendClass();
    }
  }
}
