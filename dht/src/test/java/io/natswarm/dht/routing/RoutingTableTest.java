package io.natswarm.dht.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RoutingTableTest {
  private static final long MIN = 60_000_000_000L;
  private final Random random = new Random(42);
  private final NodeId self = NodeId.random(random);

  private static InetSocketAddress addr(int a, int b, int c, int d) {
    return new InetSocketAddress(InetAddresses.forString(a + "." + b + "." + c + "." + d), 6881);
  }

  private RoutingTable table() {
    return new RoutingTable(self, 8, 2, true, false, 15 * MIN, 0);
  }

  @Test
  void splitsTheOwnBucketAndKeepsEveryNodeReachable() {
    RoutingTable t = table();
    int inserted = 0;
    for (int i = 0; i < 2000; i++) {
      RoutingTable.Outcome o =
          t.heard(NodeId.random(random), addr(20, i / 250, i % 250, 1), true, 1_000_000, 1);
      if (o == RoutingTable.Outcome.INSERTED) {
        inserted++;
      }
    }
    assertThat(t.bucketCount()).isGreaterThan(5);
    assertThat(t.size()).isEqualTo(inserted);
    for (int i = 0; i < t.bucketCount(); i++) {
      assertThat(t.bucket(i)).hasSizeLessThanOrEqualTo(8);
    }
    // the closest nodes are sorted by distance and agree with a brute-force sort
    NodeEntry[] out = new NodeEntry[8];
    NodeId target = NodeId.random(random);
    int n = t.closest(target, out, 8, 1);
    assertThat(n).isEqualTo(8);
    List<NodeEntry> all = new ArrayList<>(t.entries());
    all.sort((x, y) -> target.compareDistance(x.id(), y.id()));
    for (int i = 0; i < 8; i++) {
      assertThat(out[i]).isSameAs(all.get(i));
    }
  }

  @Test
  void oneSubnetCannotFillABucket() {
    RoutingTable t = new RoutingTable(self, 8, 2, false, false, 15 * MIN, 0);
    int rejected = 0;
    for (int i = 0; i < 200; i++) {
      RoutingTable.Outcome o = t.heard(NodeId.random(random), addr(6, 6, 6, i), true, -1, 1);
      if (o == RoutingTable.Outcome.REJECTED_SUBNET) {
        rejected++;
      }
    }
    for (int i = 0; i < t.bucketCount(); i++) {
      assertThat(t.bucket(i)).hasSizeLessThanOrEqualTo(2);
    }
    assertThat(rejected).isGreaterThan(190);
  }

  @Test
  void uniqueIpsRejectsASecondIdFromOneAddress() {
    RoutingTable t = table();
    assertThat(t.heard(NodeId.random(random), addr(1, 2, 3, 4), true, -1, 1))
        .isEqualTo(RoutingTable.Outcome.INSERTED);
    assertThat(t.heard(NodeId.random(random), addr(1, 2, 3, 4), true, -1, 1))
        .isEqualTo(RoutingTable.Outcome.REJECTED_IP);
    assertThat(t.heard(self, addr(9, 2, 3, 4), true, -1, 1))
        .isEqualTo(RoutingTable.Outcome.REJECTED_SELF);
  }

  @Test
  void fullBucketCachesPingsQuestionableAndReplacesBadNodes() {
    RoutingTable t = table();
    // fill the far bucket (ids differing in bit 0) after splitting once
    List<NodeId> far = new ArrayList<>();
    for (int i = 0; far.size() < 8; i++) {
      NodeId id = self.randomWithPrefix(0, random);
      far.add(id);
      t.heard(id, addr(30, i, 0, 1), true, -1, 0);
      t.heard(self.randomWithPrefix(1, random), addr(31, i, 0, 1), true, -1, 0);
    }
    assertThat(t.bucketCount()).isGreaterThan(1);
    long later = 20 * MIN; // everyone is questionable now
    NodeId newcomer = self.randomWithPrefix(0, random);
    assertThat(t.heard(newcomer, addr(40, 0, 0, 1), true, -1, later))
        .isEqualTo(RoutingTable.Outcome.REPLACEMENT);
    assertThat(t.replacementCount(0)).isEqualTo(1);
    List<NodeEntry> pinged = new ArrayList<>();
    for (NodeEntry e; (e = t.pollPing()) != null; ) {
      pinged.add(e);
    }
    assertThat(pinged).hasSize(8);
    // the first far node fails twice: it is evicted for the cached newcomer
    t.failed(far.get(0), later);
    assertThat(t.find(far.get(0))).isNotNull();
    t.failed(far.get(0), later);
    assertThat(t.find(far.get(0))).isNull();
    assertThat(t.find(newcomer)).isNotNull();
    assertThat(t.replacementCount(0)).isZero();
  }

  @Test
  void enforcedBep42RejectsUnverifiedIds() {
    RoutingTable t = new RoutingTable(self, 8, 2, true, true, 15 * MIN, 0);
    InetSocketAddress a = addr(124, 31, 75, 21);
    assertThat(t.heard(NodeId.random(random), a, true, -1, 1))
        .isEqualTo(RoutingTable.Outcome.REJECTED_UNVERIFIED);
    NodeId good = Bep42.generate(a.getAddress(), 1, random);
    assertThat(t.heard(good, a, true, -1, 1)).isEqualTo(RoutingTable.Outcome.INSERTED);
    assertThat(t.find(good).verified()).isTrue();
  }

  @Test
  void staleBucketsYieldRefreshTargetsInsideTheBucket() {
    RoutingTable t = table();
    for (int i = 0; i < 100; i++) {
      t.heard(NodeId.random(random), addr(50, i, 0, 1), true, -1, 0);
    }
    assertThat(t.pollRefreshTarget(MIN, random)).isNull();
    assertThat(t.nextRefresh()).isEqualTo(15 * MIN);
    NodeId target = t.pollRefreshTarget(16 * MIN, random);
    assertThat(target).isNotNull();
    assertThat(self.commonPrefixLength(target)).isZero(); // bucket 0 first
  }

  @Test
  void encodesAndDecodesAndToleratesCorruptBytes() {
    RoutingTable t = table();
    for (int i = 0; i < 50; i++) {
      t.heard(NodeId.random(random), addr(60, i, 0, 1), true, -1, 0);
    }
    assertThat(
            t.heard(
                self.randomWithPrefix(t.bucketCount() - 1, random),
                new InetSocketAddress(InetAddresses.forString("2001:db8::1"), 7000),
                true,
                -1,
                0))
        .isIn(RoutingTable.Outcome.INSERTED, RoutingTable.Outcome.REPLACEMENT);
    RoutingTableStore.Loaded loaded =
        RoutingTableStore.decode(RoutingTableStore.encode(self, t.entries()));
    assertThat(loaded.problem()).isEmpty();
    assertThat(loaded.selfId()).contains(self);
    assertThat(loaded.nodes()).hasSize(t.size());
    assertThat(loaded.nodes().stream().map(RoutingTableStore.SavedNode::address))
        .containsExactlyInAnyOrderElementsOf(t.entries().stream().map(NodeEntry::address).toList());

    RoutingTableStore.Loaded bad = RoutingTableStore.decode(new byte[] {'d', '2', ':', 'i'});
    assertThat(bad.problem()).get().asString().contains("corrupt");
    assertThat(bad.nodes()).isEmpty();
    assertThat(RoutingTableStore.decode(new byte[0]).problem()).isPresent();
    assertThat(RoutingTableStore.decode(new byte[RoutingTableStore.MAX_BYTES + 1]).problem())
        .isPresent();
  }
}
