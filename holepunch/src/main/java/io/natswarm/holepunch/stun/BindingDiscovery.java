package io.natswarm.holepunch.stun;

import io.natswarm.datagram.DatagramCore;
import io.natswarm.datagram.DatagramKind;
import io.natswarm.datagram.Deadlines;
import io.natswarm.datagram.Transmit;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Binding discovery against one STUN server, as a sans-IO core on the node's socket: the external
 * address this socket is seen at (RFC 8489 Binding request), and with an RFC 5780 server the NAT's
 * mapping and filtering behaviour (RFC 5780 sections 4.3 and 4.4):
 *
 * <ol>
 *   <li>Test I to the server's primary address: the mapped address X1 and the server's
 *       OTHER-ADDRESS. X1 equal to the local endpoint means no NAT.
 *   <li>Mapping, test II to the alternate address and the primary port: X2 = X1 means
 *       endpoint-independent mapping; test III to the alternate address and port: X3 = X2 means
 *       address-dependent, else address-and-port-dependent.
 *   <li>Filtering, test II to the primary address asking the answer from the alternate address and
 *       port (CHANGE-REQUEST): an answer means endpoint-independent filtering; else test III asking
 *       it from the alternate port only: an answer means address-dependent, else
 *       address-and-port-dependent.
 * </ol>
 *
 * <p>Each request is retransmitted as RFC 8489 section 6.2.1 says (RTO doubling from {@link
 * Settings#rtoNanos}, {@link Settings#requests} transmissions, then {@link
 * Settings#lastWaitNanos}); the filtering tests, whose silence is an expected answer, use {@link
 * Settings#filteringRequests}.
 *
 * <p>Owned by the thread of the socket it is registered on; never blocks or reads a clock.
 */
public final class BindingDiscovery implements DatagramCore {

  /**
   * Retransmission settings.
   *
   * @param rtoNanos the first retransmission timeout (RFC 8489: 500 ms)
   * @param requests transmissions of a request that must be answered (RFC 8489 Rc: 7)
   * @param filteringRequests transmissions of a filtering test's request
   * @param lastWaitNanos the wait after the last transmission (RFC 8489: Rm x RTO = 16 x RTO)
   * @param filteringLastWaitNanos the wait after a filtering test's last transmission
   */
  public record Settings(
      long rtoNanos,
      int requests,
      int filteringRequests,
      long lastWaitNanos,
      long filteringLastWaitNanos) {
    /**
     * RFC 8489's defaults; a filtering test, whose silence is an answer, sends three requests and
     * waits 2 s after the last (3.5 s in all, against 39.5 s).
     */
    public static Settings defaults() {
      return new Settings(500_000_000L, 7, 3, 8_000_000_000L, 2_000_000_000L);
    }

    /** Checks that every value is positive. */
    public Settings {
      if (rtoNanos <= 0
          || requests < 1
          || filteringRequests < 1
          || lastWaitNanos <= 0
          || filteringLastWaitNanos <= 0) {
        throw new IllegalArgumentException("STUN settings must be positive: " + this);
      }
    }
  }

  /** What discovery found; fields not yet known are null or UNKNOWN. */
  public record Result(
      Outcome outcome,
      InetSocketAddress mapped,
      InetSocketAddress otherAddress,
      MappingBehavior mapping,
      FilteringBehavior filtering,
      int errorCode) {}

  /** How discovery ended. */
  public enum Outcome {
    /** Still running. */
    RUNNING,
    /** Every test that the server supports ran. */
    DONE,
    /** The server never answered test I. */
    SERVER_UNREACHABLE,
    /** The server answered test I with an error response ({@link Result#errorCode}). */
    SERVER_ERROR
  }

  /** Counters since the core was made. */
  public record Counters(
      long requestsSent, long retransmissions, long responses, long malformed, long unmatched) {}

  private enum Step {
    TEST_I,
    FILTERING_II,
    FILTERING_III,
    MAPPING_II,
    MAPPING_III,
    FINISHED
  }

  private final InetSocketAddress server;
  private final InetSocketAddress local;
  private final boolean behaviour;
  private final Settings settings;
  private final RandomGenerator random;

  private Step step = Step.TEST_I;
  private TransactionId id;
  private InetSocketAddress destination;
  private boolean changeIp;
  private boolean changePort;
  private int sent;
  private int allowed;
  private boolean transmitDue;
  private long deadline = Deadlines.NONE;
  private long rto;

  private Outcome outcome = Outcome.RUNNING;
  private InetSocketAddress x1;
  private InetSocketAddress x2;
  private InetSocketAddress other;
  private MappingBehavior mapping = MappingBehavior.UNKNOWN;
  private FilteringBehavior filtering = FilteringBehavior.UNKNOWN;
  private int errorCode;

  private long requestsSent;
  private long retransmissions;
  private long responses;
  private long malformed;
  private long unmatched;

  /**
   * @param server the STUN server's primary address and port
   * @param local this socket's own endpoint (its address as the server would see it without a NAT)
   * @param behaviour true to run the RFC 5780 tests after test I; false for the mapped address only
   * @param settings retransmission settings
   * @param random the source of transaction ids
   * @param nowNanos now, on the host's clock: test I is sent at once
   */
  public BindingDiscovery(
      InetSocketAddress server,
      InetSocketAddress local,
      boolean behaviour,
      Settings settings,
      RandomGenerator random,
      long nowNanos) {
    this.server = Objects.requireNonNull(server);
    this.local = local;
    this.behaviour = behaviour;
    this.settings = Objects.requireNonNull(settings);
    this.random = Objects.requireNonNull(random);
    begin(server, false, false, settings.requests(), nowNanos);
  }

  /** What is known so far. */
  public Result result() {
    return new Result(outcome, x1, other, mapping, filtering, errorCode);
  }

  /** True once discovery has ended. */
  public boolean finished() {
    return step == Step.FINISHED;
  }

  /** The counters now. */
  public Counters counters() {
    return new Counters(requestsSent, retransmissions, responses, malformed, unmatched);
  }

  private void begin(
      InetSocketAddress to, boolean changeIp, boolean changePort, int transmissions, long now) {
    id = TransactionId.random(random);
    destination = to;
    this.changeIp = changeIp;
    this.changePort = changePort;
    sent = 0;
    allowed = transmissions;
    rto = settings.rtoNanos();
    transmitDue = true;
    deadline = now;
  }

  @Override
  public boolean handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
    if (step == Step.FINISHED || !DatagramKind.STUN.matches(packet)) {
      return false;
    }
    if (!id.matches(packet, packet.position() + 8)) {
      unmatched++;
      return false; // another core's transaction, or a late answer to one of ours
    }
    StunParsed parsed = StunCodec.parse(packet);
    if (!parsed.ok()) {
      malformed++;
      return true;
    }
    StunMessage m = parsed.message();
    if (m.type() != StunMessage.BINDING_SUCCESS && m.type() != StunMessage.BINDING_ERROR) {
      malformed++;
      return true;
    }
    responses++;
    answered(m, nowNanos);
    return true;
  }

  private void answered(StunMessage m, long now) {
    id = new TransactionId(~id.high(), ~id.low()); // later copies of this answer match nothing
    if (!m.isSuccess() || m.mapped() == null) {
      if (step == Step.TEST_I) {
        errorCode = m.isSuccess() ? 0 : m.errorCode();
        finish(Outcome.SERVER_ERROR);
      } else {
        next(null, now);
      }
      return;
    }
    next(m, now);
  }

  /** Moves on after the current test: {@code m} is its answer, or null for none. */
  private void next(StunMessage m, long now) {
    switch (step) {
      case TEST_I -> {
        if (m == null) {
          finish(Outcome.SERVER_UNREACHABLE);
          return;
        }
        x1 = m.mapped();
        other = m.otherAddress();
        if (x1.equals(local)) {
          mapping = MappingBehavior.NO_NAT;
        }
        if (!behaviour || other == null) {
          finish(Outcome.DONE);
        } else {
          filteringTest(Step.FILTERING_II, now);
        }
      }
      case FILTERING_II -> {
        if (m != null) {
          filtering = FilteringBehavior.ENDPOINT_INDEPENDENT;
          mappingTests(now);
        } else {
          filteringTest(Step.FILTERING_III, now);
        }
      }
      case FILTERING_III -> {
        filtering =
            m != null
                ? FilteringBehavior.ADDRESS_DEPENDENT
                : FilteringBehavior.ADDRESS_AND_PORT_DEPENDENT;
        mappingTests(now);
      }
      case MAPPING_II -> {
        if (m == null) {
          finish(Outcome.DONE);
        } else if (m.mapped().equals(x1)) {
          mapping = MappingBehavior.ENDPOINT_INDEPENDENT;
          finish(Outcome.DONE);
        } else {
          x2 = m.mapped();
          step = Step.MAPPING_III;
          begin(other, false, false, settings.requests(), now);
        }
      }
      case MAPPING_III -> {
        if (m != null) {
          mapping =
              m.mapped().equals(x2)
                  ? MappingBehavior.ADDRESS_DEPENDENT
                  : MappingBehavior.ADDRESS_AND_PORT_DEPENDENT;
        }
        finish(Outcome.DONE);
      }
      case FINISHED -> {}
    }
  }

  /**
   * The mapping tests, after the filtering ones: a request to the alternate address opens the NAT's
   * filter to it, so filtering must be probed before anything was sent there from this port.
   */
  private void mappingTests(long now) {
    if (mapping == MappingBehavior.NO_NAT) {
      finish(Outcome.DONE);
      return;
    }
    step = Step.MAPPING_II;
    begin(
        new InetSocketAddress(other.getAddress(), server.getPort()),
        false,
        false,
        settings.requests(),
        now);
  }

  private void filteringTest(Step which, long now) {
    step = which;
    begin(server, which == Step.FILTERING_II, true, settings.filteringRequests(), now);
  }

  private void finish(Outcome how) {
    outcome = how;
    step = Step.FINISHED;
    transmitDue = false;
    deadline = Deadlines.NONE;
  }

  @Override
  public boolean pollTransmit(Transmit out, long nowNanos) {
    if (!transmitDue) {
      return false;
    }
    transmitDue = false;
    ByteBuffer b = out.buffer();
    b.clear();
    StunCodec.writeBindingRequest(b, id, changeIp, changePort);
    out.setDestination(destination);
    requestsSent++;
    if (sent > 0) {
      retransmissions++;
    }
    sent++;
    if (sent < allowed) {
      deadline = nowNanos + rto;
      rto *= 2;
    } else {
      deadline =
          nowNanos
              + (step == Step.FILTERING_II || step == Step.FILTERING_III
                  ? settings.filteringLastWaitNanos()
                  : settings.lastWaitNanos());
    }
    return true;
  }

  @Override
  public long pollTimeout() {
    return deadline;
  }

  @Override
  public void handleTimeout(long nowNanos) {
    if (step == Step.FINISHED || !Deadlines.isDue(deadline, nowNanos)) {
      return;
    }
    if (sent < allowed) {
      transmitDue = true;
      deadline = nowNanos; // the host transmits right after this call
    } else {
      next(null, nowNanos);
    }
  }
}
