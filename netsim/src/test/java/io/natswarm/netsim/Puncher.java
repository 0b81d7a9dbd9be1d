package io.natswarm.netsim;

import io.natswarm.datagram.DatagramCore;
import io.natswarm.datagram.Transmit;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Test UDP hole puncher (sans-IO), like LAB.md's: registers with a {@link Rendezvous}, learns the
 * peer's server-observed address, then probes it (and, with port prediction, the next {@code
 * predict} ports) every 100 ms for 10 s. It answers every PROBE with an ACK to whatever address the
 * PROBE came from (the peer-reflexive address) and probes that address from then on; an ACK means
 * the path works both ways.
 */
final class Puncher implements DatagramCore {
  static final byte REGISTER = 1;
  static final byte PEER = 2;
  static final byte PROBE = 3;
  static final byte ACK = 4;

  private static final long REGISTER_INTERVAL = 200_000_000L;
  private static final long PROBE_INTERVAL = 100_000_000L;
  private static final long PUNCH_FOR = 10_000_000_000L;

  enum State {
    IDLE,
    REGISTERING,
    PUNCHING,
    CONNECTED,
    GAVE_UP
  }

  private final int id;
  private final InetSocketAddress server;
  private final int predict;
  private final List<InetSocketAddress> targets = new ArrayList<>();
  private final ArrayDeque<Object[]> outbox = new ArrayDeque<>();
  private State state = State.IDLE;
  private long next;
  private long punchUntil;
  private InetSocketAddress connectedTo;
  int probesSent;
  int badDatagrams;

  Puncher(int id, InetSocketAddress server, long startAtNanos, int predict) {
    this.id = id;
    this.server = server;
    this.predict = predict;
    this.next = startAtNanos;
  }

  State state() {
    return state;
  }

  boolean connected() {
    return state == State.CONNECTED;
  }

  InetSocketAddress connectedTo() {
    return connectedTo;
  }

  @Override
  public boolean handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
    if (packet.remaining() < 1) {
      badDatagrams++;
      return true;
    }
    byte type = packet.get(packet.position());
    switch (type) {
      case PEER -> onPeer(packet, nowNanos);
      case PROBE -> {
        if (state == State.IDLE) {
          return true; // not started: the application is not listening yet
        }
        outbox.add(new Object[] {ACK, from});
        if (!targets.contains(from)) {
          targets.add(0, from); // peer-reflexive candidate
        }
        if (state == State.REGISTERING || state == State.GAVE_UP) {
          startPunching(nowNanos);
        }
      }
      case ACK -> {
        if (state != State.IDLE) {
          state = State.CONNECTED;
          connectedTo = from;
        }
      }
      default -> badDatagrams++;
    }
    return true;
  }

  private void onPeer(ByteBuffer packet, long nowNanos) {
    if (packet.remaining() != 7 || state != State.REGISTERING) {
      if (packet.remaining() != 7) {
        badDatagrams++;
      }
      return;
    }
    byte[] ip = new byte[4];
    packet.get(packet.position() + 1, ip);
    int port = packet.getShort(packet.position() + 5) & 0xFFFF;
    InetAddress address;
    try {
      address = InetAddress.getByAddress(ip);
    } catch (UnknownHostException e) {
      badDatagrams++;
      return;
    }
    for (int i = 0; i <= predict; i++) {
      if (port + i <= 65_535) {
        InetSocketAddress t = new InetSocketAddress(address, port + i);
        if (!targets.contains(t)) {
          targets.add(t);
        }
      }
    }
    startPunching(nowNanos);
  }

  private void startPunching(long nowNanos) {
    state = State.PUNCHING;
    punchUntil = nowNanos + PUNCH_FOR;
    next = nowNanos;
  }

  @Override
  public boolean pollTransmit(Transmit out, long nowNanos) {
    Object[] o = outbox.poll();
    if (o == null) {
      return false;
    }
    ByteBuffer b = out.buffer();
    b.put((Byte) o[0]);
    if ((Byte) o[0] == REGISTER) {
      b.put((byte) id);
    }
    out.setDestination((InetSocketAddress) o[1]);
    return true;
  }

  @Override
  public long pollTimeout() {
    return state == State.CONNECTED || state == State.GAVE_UP ? Long.MAX_VALUE : next;
  }

  @Override
  public void handleTimeout(long nowNanos) {
    switch (state) {
      case IDLE, REGISTERING -> {
        state = State.REGISTERING;
        outbox.add(new Object[] {REGISTER, server});
        next = nowNanos + REGISTER_INTERVAL;
      }
      case PUNCHING -> {
        if (nowNanos >= punchUntil) {
          state = State.GAVE_UP;
          return;
        }
        for (InetSocketAddress t : targets) {
          outbox.add(new Object[] {PROBE, t});
          probesSent++;
        }
        next = nowNanos + PROBE_INTERVAL;
      }
      default -> {}
    }
  }
}
