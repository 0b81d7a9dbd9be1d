package io.natswarm.dht;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import io.natswarm.dht.krpc.KrpcError;
import io.natswarm.dht.krpc.KrpcMethod;
import io.natswarm.dht.krpc.KrpcWriter;
import io.natswarm.dht.routing.NodeId;
import java.lang.reflect.Field;
import java.lang.reflect.RecordComponent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The tracer's event sequences, and the counter snapshot. */
class DhtTracerTest {
  private static final long MS = 1_000_000L;
  private static final long SEC = 1_000 * MS;
  private final Random random = new Random(31);

  /** Records events as short strings (times in milliseconds where they matter). */
  static final class Recorder implements DhtTracer {
    final List<String> events = new ArrayList<>();

    @Override
    public void malformed(InetSocketAddress from, int length, KrpcError error) {
      events.add("malformed " + from + " " + length + " " + error);
    }

    @Override
    public void queryRateLimited(InetSocketAddress from) {
      events.add("rateLimited " + from);
    }

    @Override
    public void badToken(InetSocketAddress from) {
      events.add("badToken " + from);
    }

    @Override
    public void sourceBanned(InetAddress source, long untilNanos, String reason) {
      events.add("banned " + source);
    }

    @Override
    public void bannedDropped(InetSocketAddress from) {
      events.add("bannedDropped " + from);
    }

    @Override
    public void rpcStalled(KrpcMethod method, InetSocketAddress to, long waitedNanos) {
      events.add("stalled " + method + " " + to + " after " + waitedNanos / MS + " ms");
    }

    @Override
    public void rpcTimedOut(KrpcMethod method, InetSocketAddress to) {
      events.add("timedOut " + method + " " + to);
    }

    @Override
    public void rpcFailed(KrpcMethod method, InetSocketAddress to) {
      events.add("failed " + method + " " + to);
    }

    @Override
    public void lookupStarted(NodeId target, KrpcMethod method) {
      events.add("lookupStarted " + method);
    }

    @Override
    public void lookupFinished(LookupResult r) {
      events.add(
          "lookupFinished hops="
              + r.hops()
              + " queries="
              + r.queries()
              + " timedOut="
              + r.timedOut()
              + " at "
              + r.endedAt() / MS
              + " ms");
    }
  }

  @Test
  void aSilentBootstrapNodeStallsThenTimesOutAndTheBootstrapEndsWithNothing() {
    Recorder rec = new Recorder();
    InetSocketAddress silent = new InetSocketAddress(InetAddresses.forString("192.0.2.1"), 6881);
    DhtNode n =
        new DhtNode(
            DhtConfig.builder()
                .seed(1)
                .bootstrapNodes(List.of(silent))
                .queryTimeout(Duration.ofSeconds(3))
                .tracer(rec)
                .build(),
            DhtPort.NONE,
            0);
    List<LookupResult> done = new ArrayList<>();
    n.bootstrap(0, done::add);
    Outbox.drain(n, 0);
    for (long t = n.pollTimeout(); t <= 4 * SEC; t = n.pollTimeout()) {
      n.handleTimeout(t);
      Outbox.drain(n, t);
    }
    assertThat(rec.events)
        .containsExactly(
            "lookupStarted FIND_NODE",
            "stalled FIND_NODE " + silent + " after 1500 ms",
            "lookupFinished hops=0 queries=1 timedOut=false at 1500 ms",
            "timedOut FIND_NODE " + silent);
    assertThat(done).hasSize(1);
    assertThat(n.pollTimeout())
        .as("the bootstrap is retried 5 s after it ended")
        .isEqualTo(6500 * MS);
    DhtCounters c = n.counters();
    assertThat(c.lookupsStarted()).isOne();
    assertThat(c.lookupsDone()).isOne();
    assertThat(c.stalls()).isOne();
    assertThat(c.timeouts()).isOne();
    assertThat(n.activeLookups()).isZero();
  }

  @Test
  void malformedDatagramsAndQueriesOverTheRateAreTracedInOrder() {
    Recorder rec = new Recorder();
    DhtNode n =
        new DhtNode(
            DhtConfig.builder().seed(2).queriesPerSecond(1, 2).tracer(rec).build(),
            DhtPort.NONE,
            0);
    InetSocketAddress from = new InetSocketAddress(InetAddresses.forString("198.51.100.9"), 6881);
    n.handleDatagram(ByteBuffer.wrap("de".getBytes(StandardCharsets.US_ASCII)), from, SEC);
    for (int i = 0; i < 3; i++) {
      ByteBuffer q = ByteBuffer.allocate(256);
      KrpcWriter.beginQuery(q, NodeId.random(random).toBytes());
      KrpcWriter.endQuery(q, KrpcMethod.PING, true, i); // read-only: stays out of our table
      n.handleDatagram(q.flip(), from, SEC);
    }
    assertThat(rec.events)
        .containsExactly("malformed " + from + " 2 MISSING_TRANSACTION", "rateLimited " + from);
    assertThat(Outbox.drain(n, SEC)).hasSize(2);
    assertThat(n.counters().rateLimited()).isOne();
    assertThat(n.counters().badDatagrams()).isOne();
  }

  @Test
  void theSnapshotCopiesEveryCounterToTheComponentOfItsName() throws Exception {
    Counters live = new Counters();
    Field[] fields = Counters.class.getDeclaredFields();
    long v = 1;
    for (Field f : fields) {
      f.setLong(live, v++);
    }
    DhtCounters snapshot = live.snapshot();
    RecordComponent[] components = DhtCounters.class.getRecordComponents();
    assertThat(components).hasSameSizeAs(fields);
    for (Field f : fields) {
      Object copied = DhtCounters.class.getDeclaredMethod(f.getName()).invoke(snapshot);
      assertThat(copied).as(f.getName()).isEqualTo(f.getLong(live));
      assertThat(snapshot.toString()).contains(f.getName() + "=" + f.getLong(live));
    }
  }
}
