package io.natswarm.holepunch.portmap.upnp;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.holepunch.portmap.PortMapping;
import io.natswarm.holepunch.portmap.Protocol;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The UPnP mapper against a well-behaved fake IGD on loopback. */
class UpnpMapperTest {
  private static final long S = 1_000_000_000L;
  private final AtomicLong clock = new AtomicLong(1_000 * S);
  private final FakeIgd igd;
  private final UpnpMapper mapper;

  UpnpMapperTest() throws Exception {
    igd = new FakeIgd();
    mapper = new UpnpMapper(igd.config().withLease(3600, clock::get));
  }

  @AfterEach
  void close() {
    igd.close();
  }

  @Test
  void mapsUdpAndTcpOfOnePortWithALease() {
    UpnpStatus s = mapper.map(6881);

    assertThat(s.failures()).isEmpty();
    assertThat(s.gateway()).hasToString(igd.location());
    assertThat(s.externalAddress().getHostAddress()).isEqualTo(FakeIgd.EXTERNAL_IP);
    assertThat(s.mappings())
        .extracting(PortMapping::protocol)
        .containsExactly(Protocol.UDP, Protocol.TCP);
    for (PortMapping m : s.mappings()) {
      assertThat(m.external()).isEqualTo(new InetSocketAddress(FakeIgd.EXTERNAL_IP, 6881));
      assertThat(m.internalPort()).isEqualTo(6881);
      assertThat(m.goodUntilNanos()).isEqualTo(clock.get() + 3600 * S);
      assertThat(m.renewAfterNanos()).isEqualTo(clock.get() + 1800 * S);
      assertThat(m.via()).isEqualTo(UpnpMapper.VIA);
    }
    assertThat(s.nextActionNanos()).isEqualTo(clock.get() + 1800 * S);
    assertThat(igd.entryList())
        .containsExactlyInAnyOrder(
            new FakeIgd.Entry("UDP", 6881, 6881, "127.0.0.1", 3600),
            new FakeIgd.Entry("TCP", 6881, 6881, "127.0.0.1", 3600));
    assertThat(mapper.counters().mapped()).isEqualTo(2);
    assertThat(mapper.counters().searches()).isEqualTo(1);
    assertThat(igd.searches.get()).isEqualTo(SsdpSearch.SEARCH_TARGETS.size());
  }

  @Test
  void renewsAtHalfTheLeaseAndNotBefore() {
    mapper.map(6881);
    int adds = igd.adds.get();

    clock.addAndGet(1799 * S);
    mapper.maintain();
    assertThat(igd.adds.get()).isEqualTo(adds);

    clock.addAndGet(S);
    UpnpStatus s = mapper.maintain();
    assertThat(igd.adds.get()).isEqualTo(adds + 2);
    assertThat(mapper.counters().renewals()).isEqualTo(2);
    assertThat(s.failures()).isEmpty();
    assertThat(s.mappings())
        .allSatisfy(m -> assertThat(m.goodUntilNanos()).isEqualTo(clock.get() + 3600 * S));
    assertThat(s.nextActionNanos()).isEqualTo(clock.get() + 1800 * S);
    assertThat(mapper.counters().searches()).isEqualTo(1); // the gateway is remembered
  }

  @Test
  void releaseDeletesBothMappingsOnceAndIsIdempotent() {
    mapper.map(6881);

    UpnpStatus first = mapper.release();
    assertThat(first.failures()).isEmpty();
    assertThat(first.mappings()).isEmpty();
    assertThat(first.nextActionNanos()).isEqualTo(Long.MAX_VALUE);
    assertThat(igd.entries).isEmpty();
    assertThat(igd.deletes.get()).isEqualTo(2);

    mapper.release();
    mapper.close();
    assertThat(igd.deletes.get()).isEqualTo(2);
    assertThat(mapper.counters().deletions()).isEqualTo(2);

    clock.addAndGet(7200 * S);
    mapper.maintain();
    assertThat(igd.entries).isEmpty();
  }

  @Test
  void aGatewayWithOnlyPermanentLeasesGetsLeaseZeroWhichIsDeletedOnRelease() {
    igd.onlyPermanent = true;

    UpnpStatus s = mapper.map(6881);

    assertThat(s.failures()).isEmpty();
    assertThat(s.mappings()).hasSize(2);
    assertThat(s.mappings())
        .allSatisfy(m -> assertThat(m.goodUntilNanos()).isEqualTo(Long.MAX_VALUE));
    // UDP: 3600 refused with 725, then 0; TCP: 0 at once.
    assertThat(igd.addLeases).containsExactly(3600, 0, 0);
    assertThat(igd.entryList()).extracting(FakeIgd.Entry::lease).containsOnly(0);
    assertThat(mapper.counters().permanentFallbacks()).isEqualTo(1);

    clock.addAndGet(1800 * S); // permanent mappings are re-added as often, for a rebooted router
    mapper.maintain();
    assertThat(igd.addLeases).containsExactly(3600, 0, 0, 0, 0);

    mapper.release();
    assertThat(igd.entries).isEmpty();
  }

  @Test
  void aConflictIsExplainedAndTheOtherProtocolStillMapped() {
    igd.conflicts.add("UDP/6881");

    UpnpStatus s = mapper.map(6881);

    assertThat(s.mappings()).extracting(PortMapping::protocol).containsExactly(Protocol.TCP);
    assertThat(s.failures()).hasSize(1);
    UpnpFailure f = s.failures().get(0);
    assertThat(f.kind()).isEqualTo(UpnpError.UPNP_FAULT);
    assertThat(f.protocol()).isEqualTo(Protocol.UDP);
    assertThat(f.upnpErrorCode()).isEqualTo(718);
    assertThat(f.message()).contains("already mapped to another computer").contains("718");
    assertThat(s.nextActionNanos()).isEqualTo(clock.get() + 300 * S);

    igd.conflicts.clear();
    clock.addAndGet(300 * S);
    UpnpStatus retried = mapper.maintain();
    assertThat(retried.mappings()).hasSize(2);
    assertThat(retried.failures()).isEmpty();
  }

  @Test
  void notAuthorizedIsExplained() {
    igd.failEveryActionWith = 606;

    UpnpStatus s = mapper.map(6881);

    assertThat(s.mappings()).isEmpty();
    assertThat(s.failures())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.upnpErrorCode()).isEqualTo(606);
              assertThat(f.message()).contains("not authorized").contains("router's settings");
            });
  }

  @Test
  void aMalformedSsdpReplyIsSkippedAndCounted() {
    igd.ssdpReplies =
        List.of(
            "HTTP/1.1 200 OK\r\nthis line has no colon\r\nLOCATION: %LOCATION%\r\n\r\n",
            "NOTIFY * HTTP/1.1\r\n\r\n", FakeIgd.reply("%LOCATION%"));

    UpnpStatus s = mapper.map(6881);

    assertThat(s.mappings()).hasSize(2);
    assertThat(mapper.counters().ssdpRejected()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void onlyMalformedSsdpRepliesMeanNoGatewayAndNoFetch() {
    igd.ssdpReplies = List.of("HTTP/1.1 200 OK\r\nST: x\r\n\r\n", "\u0000\u0001garbage");

    UpnpStatus s = mapper.map(6881);

    assertThat(s.mappings()).isEmpty();
    assertThat(s.failures())
        .singleElement()
        .extracting(UpnpFailure::kind)
        .isEqualTo(UpnpError.NO_GATEWAY);
    assertThat(s.failures().get(0).message()).contains("no UPnP gateway answered");
    assertThat(igd.descriptionHits.get()).isZero();
    assertThat(mapper.counters().ssdpRejected()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void aLostGatewayIsSearchedAgainAndItsMappingsKeptUntilTheyExpire() {
    mapper.map(6881);
    igd.http.stop(0); // the router's web server is gone; SSDP still answers

    clock.addAndGet(1800 * S);
    UpnpStatus s = mapper.maintain();
    assertThat(s.failures()).isNotEmpty();
    assertThat(s.mappings()).hasSize(2);
    assertThat(s.nextActionNanos()).isEqualTo(clock.get() + 300 * S);
    assertThat(mapper.counters().searches()).isEqualTo(1); // the first failure finds it gone

    clock.addAndGet(300 * S);
    mapper.maintain();
    assertThat(mapper.counters().searches()).isEqualTo(2); // searched again

    clock.addAndGet(1500 * S); // the lease has ended
    UpnpStatus expired = mapper.maintain();
    assertThat(expired.mappings()).isEmpty();
    assertThat(mapper.counters().renewals()).isZero();
  }

  @Test
  void mapsOnlyTheProtocolsAskedFor() {
    UpnpStatus s = mapper.map(6881, java.util.Set.of(Protocol.TCP));

    assertThat(s.mappings()).extracting(PortMapping::protocol).containsExactly(Protocol.TCP);
    assertThat(igd.entryList()).extracting(FakeIgd.Entry::protocol).containsExactly("TCP");

    mapper.map(6881, java.util.Set.of(Protocol.UDP)); // PCP took TCP over: UDP only now
    assertThat(igd.entryList()).extracting(FakeIgd.Entry::protocol).containsExactly("UDP");
    assertThat(mapper.counters().deletions()).isEqualTo(1);
  }

  @Test
  void unknownErrorCodesQuoteTheDeviceSafely() {
    assertThat(UpnpErrorCodes.message(899, "Weird\u0007 thing"))
        .isEqualTo("the gateway answered with UPnP error 899: Weird? thing");
    assertThat(UpnpErrorCodes.message(501, null)).contains("Action Failed");
    assertThat(UpnpErrorCodes.message(725, "x")).contains("permanent");
  }
}
