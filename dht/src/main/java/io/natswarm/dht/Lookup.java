package io.natswarm.dht;

import io.natswarm.dht.krpc.KrpcMessage;
import io.natswarm.dht.krpc.KrpcMethod;
import io.natswarm.dht.routing.NodeEntry;
import io.natswarm.dht.routing.NodeId;
import io.natswarm.dht.routing.RoutingTableStore;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * An iterative Kademlia lookup (BEP 5 "find_node"/"get_peers"; Maymounkov & Mazieres 2002, 2.3): up
 * to α queries in flight to the closest candidates not yet asked, a closest set ordered by XOR
 * distance, termination when the k closest candidates that have not failed or stalled have all
 * answered. A stalled query (past its adaptive timeout) frees its slot; a late answer still counts.
 * A lookup that reaches its deadline returns what it has. After a get_peers lookup with an announce
 * port, announce_peer goes to the k closest answering nodes with their tokens.
 *
 * <p>Explicit states: {@link State} for the lookup, {@link CandidateState} per candidate. Owned by
 * the DHT node's thread.
 */
final class Lookup implements RpcCall.Listener {
  enum Kind {
    FIND_NODE,
    GET_PEERS
  }

  enum State {
    RUNNING,
    DONE
  }

  enum CandidateState {
    NEW,
    IN_FLIGHT,
    STALLED,
    RESPONDED,
    FAILED
  }

  static final class Candidate {
    NodeId id;
    final InetSocketAddress address;
    CandidateState state = CandidateState.NEW;
    byte[] token;
    RpcCall activeCall;
    int retries;

    Candidate(NodeId id, InetSocketAddress address) {
      this.id = id;
      this.address = address;
    }
  }

  private final DhtNode node;
  final NodeId target;
  private final byte[] targetBytes;
  private final Kind kind;
  private final int k;
  private final int alpha;
  private final int maxCandidates;
  private final List<Candidate> candidates = new ArrayList<>();
  private final Set<InetSocketAddress> seen = new HashSet<>();
  private final Set<InetSocketAddress> peers = new LinkedHashSet<>();
  private final Consumer<LookupResult> callback;
  private final int announcePort;
  private final long startedAt;
  final long deadline;
  private State state = State.RUNNING;
  private int inFlight;
  private int queries;
  private long firstPeerAt = -1;

  Lookup(
      DhtNode node,
      NodeId target,
      Kind kind,
      int k,
      int alpha,
      int announcePort,
      long now,
      long timeout,
      Consumer<LookupResult> callback) {
    this.node = node;
    this.target = target;
    this.targetBytes = target.toBytes();
    this.kind = kind;
    this.k = k;
    this.alpha = alpha;
    this.maxCandidates = 4 * k + 16;
    this.announcePort = announcePort;
    this.startedAt = now;
    this.deadline = now + timeout;
    this.callback = callback;
  }

  byte[] targetBytes() {
    return targetBytes;
  }

  Kind kind() {
    return kind;
  }

  boolean isDone() {
    return state == State.DONE;
  }

  /** Adds a candidate with a known id (from our table or a {@code nodes} list). */
  void addCandidate(NodeId id, InetSocketAddress address) {
    if (id.equals(node.selfId()) || address.getPort() == 0 || !seen.add(address)) {
      return;
    }
    int pos = candidates.size();
    while (pos > 0) {
      Candidate c = candidates.get(pos - 1);
      if (c.id != null) {
        int cmp = target.compareDistance(id, c.id);
        if (cmp > 0) {
          break;
        }
        if (cmp == 0) {
          return; // same id at another address
        }
      }
      pos--;
    }
    if (pos >= maxCandidates) {
      return;
    }
    candidates.add(pos, new Candidate(id, address));
    if (candidates.size() > maxCandidates) {
      Candidate dropped = candidates.remove(candidates.size() - 1);
      if (dropped.state == CandidateState.NEW) {
        seen.remove(dropped.address);
      } else {
        candidates.add(dropped); // never drop one we are waiting for
      }
    }
  }

  /** Queries a bootstrap address whose id we do not know yet (it joins the set once it answers). */
  void addSeed(InetSocketAddress address, long now) {
    if (!seen.add(address)) {
      return;
    }
    Candidate c = new Candidate(null, address);
    send(c, now);
  }

  void start(long now) {
    if (kind == Kind.GET_PEERS) {
      node.localPeers(target, peers, now); // peers announced to us count too
      if (!peers.isEmpty()) {
        firstPeerAt = now;
      }
    }
    NodeEntry[] closest = new NodeEntry[k * 2];
    int n = node.closestNodes(target, closest, closest.length, now);
    for (int i = 0; i < n; i++) {
      addCandidate(closest[i].id(), closest[i].address());
    }
    step(now);
  }

  private void send(Candidate c, long now) {
    KrpcMethod m = kind == Kind.GET_PEERS ? KrpcMethod.GET_PEERS : KrpcMethod.FIND_NODE;
    RpcCall call = node.sendLookupQuery(m, c.address, c.id, targetBytes, this, c, now);
    if (call != null) {
      c.activeCall = call;
      c.state = CandidateState.IN_FLIGHT;
      inFlight++;
      queries++;
    } else {
      c.state = CandidateState.FAILED;
    }
  }

  /** Sends queries while slots are free and ends the lookup when the k closest have answered. */
  void step(long now) {
    if (state == State.DONE) {
      return;
    }
    if (now >= deadline) {
      finish(now, true);
      return;
    }
    int rank = 0;
    boolean allAnswered = true;
    for (int i = 0; i < candidates.size() && rank < k; i++) {
      Candidate c = candidates.get(i);
      switch (c.state) {
        case FAILED, STALLED -> {
          continue;
        }
        case NEW -> {
          if (inFlight < alpha) {
            send(c, now);
            if (c.state == CandidateState.FAILED) {
              continue;
            }
          }
          allAnswered = false;
        }
        case IN_FLIGHT -> allAnswered = false;
        case RESPONDED -> {}
      }
      rank++;
    }
    if (allAnswered && (rank == k || (inFlight == 0 && !hasStalled()))) {
      finish(now, false);
    }
  }

  private boolean hasStalled() {
    for (Candidate c : candidates) {
      if (c.state == CandidateState.STALLED) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void onResponse(RpcCall call, KrpcMessage msg, long now) {
    Candidate c = (Candidate) call.context;
    if (c.state == CandidateState.IN_FLIGHT) {
      inFlight--;
    }
    if (state == State.DONE) {
      return;
    }
    byte[] buf = msg.buf();
    if (c.id == null) {
      c.id = NodeId.of(buf, msg.idOff());
      c.state = CandidateState.RESPONDED;
      if (!c.id.equals(node.selfId())) {
        insertAnswered(c);
      }
    } else if (!c.id.matches(buf, msg.idOff())) {
      c.state = CandidateState.FAILED; // answered with another id: do not trust it
      step(now);
      return;
    }
    c.state = CandidateState.RESPONDED;
    if (msg.tokenOff() >= 0) {
      c.token = Arrays.copyOfRange(buf, msg.tokenOff(), msg.tokenOff() + msg.tokenLen());
    }
    for (int i = 0; i < msg.valueCount(); i++) {
      InetSocketAddress p =
          RoutingTableStore.compactAddress(buf, msg.valueOff(i), msg.valueLen(i) - 2);
      if (p != null && p.getPort() != 0 && peers.add(p) && firstPeerAt < 0) {
        firstPeerAt = now;
      }
    }
    int addrLen = node.ipv6() ? 16 : 4;
    int off = node.ipv6() ? msg.nodes6Off() : msg.nodesOff();
    int len = node.ipv6() ? msg.nodes6Len() : msg.nodesLen();
    int step = 22 + addrLen;
    for (int p = off; off >= 0 && p + step <= off + len; p += step) {
      InetSocketAddress a = RoutingTableStore.compactAddress(buf, p + 20, addrLen);
      if (a != null && node.acceptableAddress(a)) {
        NodeId id = NodeId.of(buf, p);
        addCandidate(id, a);
        node.consider(id, a, now);
      }
    }
    step(now);
  }

  private void insertAnswered(Candidate c) {
    int pos = 0;
    while (pos < candidates.size()) {
      Candidate o = candidates.get(pos);
      if (o.id != null && target.compareDistance(c.id, o.id) < 0) {
        break;
      }
      if (o.id != null && o.id.equals(c.id)) {
        return;
      }
      pos++;
    }
    candidates.add(pos, c);
  }

  @Override
  public void onStall(RpcCall call, long now) {
    Candidate c = (Candidate) call.context;
    if (c.state == CandidateState.IN_FLIGHT && call == c.activeCall) {
      inFlight--;
      c.state = CandidateState.STALLED;
      if (c.retries == 0 && state == State.RUNNING && c.id != null && withinClosest(c)) {
        // most stalls are a lost datagram: a node that may end up in the result is asked once
        // more (the first call may still answer); farther ones are simply passed over
        c.retries++;
        send(c, now); // counted in queries: messages are messages
      }
    }
    step(now);
  }

  /** Whether {@code c} is among the k closest candidates that have not failed. */
  private boolean withinClosest(Candidate c) {
    int rank = 0;
    for (int i = 0; i < candidates.size() && rank < k; i++) {
      Candidate o = candidates.get(i);
      if (o == c) {
        return true;
      }
      if (o.state != CandidateState.FAILED) {
        rank++;
      }
    }
    return false;
  }

  @Override
  public void onFailure(RpcCall call, long now) {
    Candidate c = (Candidate) call.context;
    if (call != c.activeCall && c.state != CandidateState.STALLED) {
      return; // a superseded call: its retry is still running
    }
    if (c.state == CandidateState.IN_FLIGHT) {
      inFlight--;
    }
    if (c.state != CandidateState.RESPONDED) {
      c.state = CandidateState.FAILED;
    }
    step(now);
  }

  /** Ends the lookup: announces if asked to, then reports. */
  void finish(long now, boolean timedOut) {
    if (state == State.DONE) {
      return;
    }
    state = State.DONE;
    List<LookupResult.NodeRef> closest = new ArrayList<>(k);
    List<Candidate> answered = new ArrayList<>(k);
    for (Candidate c : candidates) {
      if (c.state == CandidateState.RESPONDED && c.id != null && closest.size() < k) {
        closest.add(new LookupResult.NodeRef(c.id, c.address));
        answered.add(c);
      }
    }
    int announced = 0;
    if (announcePort >= 0 && kind == Kind.GET_PEERS) {
      for (Candidate c : answered) {
        if (c.token != null
            && node.sendAnnounce(c.address, c.id, targetBytes, c.token, announcePort, now)) {
          announced++;
        }
      }
    }
    node.lookupDone(this);
    callback.accept(
        new LookupResult(
            target,
            new ArrayList<>(peers),
            closest,
            queries,
            startedAt,
            now,
            firstPeerAt,
            timedOut,
            announced));
  }
}
