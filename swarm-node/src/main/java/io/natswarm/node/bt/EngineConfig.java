package io.natswarm.node.bt;

import bt.protocol.crypto.EncryptionPolicy;
import bt.runtime.Config;
import io.natswarm.node.EngineTuning;
import io.natswarm.node.PeerEncryption;
import io.natswarm.node.SwarmNodeSettings;

/**
 * The node's settings as Bt's {@link Config}.
 *
 * <p>Decisions and their measurements (issue 9, stage 0: Bt's own TCP transport). Each figure is
 * natswarm downloading 64 MiB (256 KiB pieces) from a libtorrent 2.0.8 seeder over TCP on loopback,
 * payload rate from the first byte to the last piece verified, then the time from adding the
 * torrent; one run each, on the 2-core machine under a load average of 12–14 (other builds), so
 * differences under ~30 % are noise. Reproduce with {@code ./mvnw -o -B -pl swarm-node test
 * -Dtest=LibtorrentRateTest} (prints lines starting with RATE).
 *
 * <table>
 *   <caption>stage 0, 2026-12-02</caption>
 *   <tr><th>engine settings</th><th>plaintext</th><th>MSE (RC4 both ways)</th></tr>
 *   <tr><td>Bt's defaults ({@link EngineTuning#btDefaults()})</td>
 *       <td>9.3–10.6 MiB/s; 6.4–8.1 s</td><td>10.3 MiB/s; 8.0 s</td></tr>
 *   <tr><td>maxSimultaneouslyAssignedPieces 3 → 8</td><td>25.5 MiB/s; 3.3 s</td><td></td></tr>
 *   <tr><td>maxSimultaneouslyAssignedPieces 3 → 32</td><td>35.0 MiB/s; 5.7 s</td><td></td></tr>
 *   <tr><td>maxMessageProcessingInterval 100 ms → 1 ms</td><td>21.0 MiB/s; 4.3 s</td><td></td></tr>
 *   <tr><td>both of the above</td><td>91.0 MiB/s; 1.7 s</td><td></td></tr>
 *   <tr><td>both, and maxOutstandingRequests 250 → 1024</td><td>50.1 MiB/s; 2.8 s</td>
 *       <td>40.3 MiB/s; 2.3 s</td></tr>
 *   <tr><td>both, and networkBufferSize 1 → 4 MiB</td><td>70.2 MiB/s; 3.6 s</td><td></td></tr>
 *   <tr><td>both, and 64 pieces instead of 32</td><td></td><td>65.3 MiB/s; 2.1 s</td></tr>
 *   <tr><td>{@link EngineTuning#measured()} but mseWaitBetweenReads 1 s</td><td></td>
 *       <td>51.5 MiB/s; 26.9 s</td></tr>
 *   <tr><td>{@link EngineTuning#measured()}</td><td>54–97 MiB/s; 1.1–2.0 s</td>
 *       <td>63.9 MiB/s; 1.5 s</td></tr>
 * </table>
 *
 * <p>So: 32 pieces per peer (Bt's request pipeline is its assigned pieces' blocks: 3 × 256 KiB is
 * far below the bandwidth-delay product of even loopback once a piece waits for hashing), a
 * dispatcher back-off of at most 1 ms (Bt's 100 ms back-off stalls each peer's message loop), and
 * an MSE wait of 1 ms (Bt sleeps this long after every empty read during the MSE handshake; at 1 s
 * an encrypted connection took tens of seconds to start). More outstanding requests, bigger buffers
 * and 64 pieces showed no gain and stay at Bt's values. Hashing threads only matter when a torrent
 * is checked at start. The sleeps are gone since stage 2 (our transport), which replaces the code
 * that sleeps rather than shortening its naps.
 *
 * <p>Re-measured on 2026-12-03 (same download of 64 MiB, medians of three runs of {@code
 * LibtorrentRateTest}, MiB/s from the first byte; machine shared with 4 other builds, spread ±40
 * %):
 *
 * <table>
 *   <caption>stages 1 and 2</caption>
 *   <tr><th>transport</th><th>Bt's defaults</th><th>{@link EngineTuning#measured()}</th></tr>
 *   <tr><td>stage 1: Bt's own TCP transport</td><td>10.4 (10.1–10.5)</td>
 *       <td>76.1 (70.9–93.9)</td></tr>
 *   <tr><td>stage 2: {@link PeerConnector}, TCP from the listen port</td>
 *       <td>33.6 (29.5–40.7)</td><td>72.5 (69.6–83.8)</td></tr>
 *   <tr><td>stage 2: {@link PeerConnector}, µTP</td><td>40.4 (34.4–43.2)</td>
 *       <td>68.7 (37.1–81.9)</td></tr>
 * </table>
 *
 * <p>Our transport alone triples Bt's defaults (no MSE nap, no 100 ms handshake polling); with the
 * measured tuning the transport is not the cap any more at these rates. libtorrent to libtorrent on
 * the same loopback reaches about 200 MiB/s over TCP and 84 MiB/s over µTP (LAB.md), so the next
 * cap is Bt's scheduling (its dispatcher and single data worker, stage 3), not measured yet.
 */
final class EngineConfig {
  private EngineConfig() {}

  /** Bt's configuration for a node with {@code settings} accepting on {@code port}. */
  static Config of(SwarmNodeSettings settings, int port) {
    Config c = new Config();
    c.setAcceptorAddress(settings.listenAddress());
    c.setAcceptorPort(port);
    c.setPeerDiscoveryInterval(settings.peerDiscoveryInterval());
    c.setEncryptionPolicy(policy(settings.encryption()));
    // Bt 1.10 opens every outgoing connection with the MSE handshake unless MSE is disabled, even
    // under REQUIRE_PLAINTEXT; a peer that refuses MSE (libtorrent with in_enc_policy disabled)
    // then closes the connection before its key arrives. Measured: never connected.
    c.setMseDisabled(settings.encryption() == PeerEncryption.REQUIRE_PLAINTEXT);
    EngineTuning t = settings.tuning();
    // Stage 1 (our transport): the MSE handshake reads through PeerStream.blockingView, whose reads
    // wait for bytes, so Bt's nap after a read is not needed at all (0: no sleep).
    c.setMseWaitBetweenReads(java.time.Duration.ZERO);
    c.setMaxSimultaneouslyAssignedPieces(t.maxSimultaneouslyAssignedPieces());
    c.setMaxOutstandingRequests(t.maxOutstandingRequests());
    c.setMaxPieceReceivingTime(t.maxPieceReceivingTime());
    c.setNumOfHashingThreads(t.hashingThreads());
    c.setNetworkBufferSize(t.networkBufferBytes());
    c.setMaxMessageProcessingInterval(t.maxMessageProcessingInterval());
    // Bt's own unreachable-peer ban is keyed by peer object identity; PeerConnector keeps its own
    // back-off by address (DialBackoff), so Bt's is kept short.
    c.setUnreachablePeerBanDuration(java.time.Duration.ofSeconds(1));
    return c;
  }

  static EncryptionPolicy policy(PeerEncryption e) {
    return switch (e) {
      case REQUIRE_PLAINTEXT -> EncryptionPolicy.REQUIRE_PLAINTEXT;
      case PREFER_PLAINTEXT -> EncryptionPolicy.PREFER_PLAINTEXT;
      case PREFER_ENCRYPTED -> EncryptionPolicy.PREFER_ENCRYPTED;
      case REQUIRE_ENCRYPTED -> EncryptionPolicy.REQUIRE_ENCRYPTED;
    };
  }
}
