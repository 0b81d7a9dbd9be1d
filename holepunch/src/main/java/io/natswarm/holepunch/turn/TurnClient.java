package io.natswarm.holepunch.turn;

import io.natswarm.datagram.DatagramCore;
import io.natswarm.datagram.DatagramKind;
import io.natswarm.datagram.Deadlines;
import io.natswarm.datagram.Transmit;
import io.natswarm.holepunch.stun.TransactionId;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A TURN client (RFC 8656) for one UDP allocation on one server, as a sans-IO core on the node's
 * socket: the relayed address other peers can send to when nothing else reaches us.
 *
 * <ul>
 *   <li>Allocation (section 7): an Allocate request for UDP without credentials; the server's 401
 *       gives REALM and NONCE, and the request goes again with long-term credentials (RFC 8489
 *       section 9.2); a 438 Stale Nonce is answered with the new nonce ({@link #MAX_STALE_NONCES}
 *       times per request). Any other error fails the client with a reason naming the code. The
 *       allocation is refreshed {@link #REFRESH_MARGIN_NANOS} before it expires (at half its
 *       lifetime when that is short); a refused or unanswered Refresh fails the client. {@link
 *       #close} deletes it (a Refresh with LIFETIME 0, sent once).
 *   <li>Permissions (section 9): {@link #permit} creates one per peer address (queued until the
 *       allocation exists), refreshed every {@link #PERMISSION_REFRESH_NANOS} until {@link
 *       #forget}; at most {@link RelayTable#MAX_PERMISSIONS}, the oldest dropped.
 *   <li>Receiving (sections 11, 12): Data indications from permitted addresses go to the {@link
 *       Listener}; the first datagram from a new peer endpoint makes a ChannelBind (channels 0x4000
 *       to 0x40FF), refreshed every {@link #CHANNEL_REFRESH_NANOS} while the channel carries
 *       traffic; ChannelData on a bound channel goes to the listener too.
 *   <li>Sending: {@link #wrap} turns a datagram to a peer we relay for into ChannelData (once the
 *       channel is bound) or a Send indication (section 10), in place, toward the server.
 * </ul>
 *
 * <p>Requests are retransmitted as RFC 8489 section 6.2.1 says: RTO 500 ms doubling, 7
 * transmissions, given up {@link #GIVE_UP_NANOS} (39.5 s) after the first. Success responses to
 * authenticated requests must carry a valid MESSAGE-INTEGRITY; others are dropped and counted, and
 * the request keeps waiting. Error responses are not checked (a 401 or 438 carries none).
 *
 * <p>What comes from an address other than the server, and STUN responses whose transaction is not
 * ours, is declined, so that a binding-discovery core on the same socket gets it. Malformed
 * datagrams from the server are consumed and counted.
 *
 * <p>The relayed hot path allocates nothing: ChannelData in and out, and Send indications out
 * (their transaction ids are a random prefix and a counter). Data indications, used only until a
 * channel is bound, are parsed into a message. Not implemented: TCP allocations (RFC 6062),
 * EVEN-PORT and RESERVATION-TOKEN, DONT-FRAGMENT, IPv6 relayed addresses asked for with
 * REQUESTED-ADDRESS-FAMILY, 300 Try Alternate, MESSAGE-INTEGRITY-SHA256 and PASSWORD-ALGORITHMS
 * (RFC 8489 section 9.2.4: the SHA-1 default that coturn speaks), SASLprep of the password ({@link
 * TurnCodec#longTermKey}).
 *
 * <p>Owned by the thread of the socket it is registered on; never blocks or reads a clock.
 */
public final class TurnClient implements DatagramCore {

  /** What the client tells its owner, on the socket's thread. */
  public interface Listener {
    /**
     * A datagram from {@code peer} through the relay: the payload is between position and limit,
     * valid only during the call.
     */
    void received(ByteBuffer payload, InetSocketAddress peer, long nowNanos);

    /** The allocation's state changed; {@code why} is a sentence for a person. */
    void stateChanged(TurnState state, String why);
  }

  /** How long after its first transmission an unanswered request is given up: 39.5 s. */
  public static final long GIVE_UP_NANOS = TurnTransaction.GIVE_UP_NANOS;

  /** A refresh goes this long before the allocation would expire: 60 s. */
  public static final long REFRESH_MARGIN_NANOS = 60_000_000_000L;

  /** Permissions last 300 s (RFC 8656 section 9); they are refreshed every 240 s. */
  public static final long PERMISSION_REFRESH_NANOS = 240_000_000_000L;

  /** Channel bindings last 600 s (RFC 8656 section 12); they are refreshed every 540 s. */
  public static final long CHANNEL_REFRESH_NANOS = 540_000_000_000L;

  /** 438 Stale Nonce answers per request before it counts as refused. */
  public static final int MAX_STALE_NONCES = 3;

  /** The lifetime assumed when a success response carries no LIFETIME (RFC 8656 section 7.2). */
  static final int DEFAULT_LIFETIME_SECONDS = 600;

  private static final long SECOND = 1_000_000_000L;

  private final InetSocketAddress server;
  private final String username;
  private final String password;
  private final Random random;
  private final Listener listener;
  private final Mac mac;
  private final MessageDigest md5;
  private final RelayTable table = new RelayTable();
  private final List<TurnTransaction> transactions = new ArrayList<>();
  private final long indicationIdHigh;
  private int indicationIdLow;

  private TurnState state = TurnState.IDLE;
  private String failure;
  private String realm;
  private String nonce;
  private InetSocketAddress relayed;
  private InetSocketAddress mapped;
  private int lifetimeSeconds;
  private long refreshAt = Deadlines.NONE;
  private long dueSince = Deadlines.NONE;
  private long nextDeadline = Deadlines.NONE;
  private boolean deadlinesChanged;
  private long lastNow;

  private long allocations;
  private long refreshes;
  private long permissions;
  private long channelBinds;
  private long datagramsIn;
  private long datagramsOut;
  private long bytesIn;
  private long bytesOut;
  private long errorResponses;
  private long integrityFailures;
  private long malformed;
  private long retransmits;

  /**
   * @param server the TURN server's address and UDP port
   * @param username the long-term credential's user name
   * @param password its password (ASCII; SASLprep is not applied)
   * @param random the source of transaction ids (a {@link java.security.SecureRandom} in
   *     production: RFC 8489 section 6 wants them unguessable)
   * @param listener hears of relayed datagrams and state changes
   */
  public TurnClient(
      InetSocketAddress server,
      String username,
      String password,
      Random random,
      Listener listener) {
    this.server = Objects.requireNonNull(server, "server");
    this.username = Objects.requireNonNull(username, "username");
    this.password = Objects.requireNonNull(password, "password");
    this.random = Objects.requireNonNull(random, "random");
    this.listener = Objects.requireNonNull(listener, "listener");
    try {
      this.mac = Mac.getInstance("HmacSHA1");
      this.md5 = MessageDigest.getInstance("MD5");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks HmacSHA1 or MD5", e);
    }
    this.indicationIdHigh = random.nextLong();
  }

  /** Sends the first Allocate request. Once only. */
  public void start(long nowNanos) {
    if (state != TurnState.IDLE) {
      throw new IllegalStateException("already started: " + state);
    }
    lastNow = nowNanos;
    add(
        new TurnTransaction(TurnTransaction.Kind.ALLOCATE, newId(), false, null, null, 0),
        nowNanos);
    move(TurnState.ALLOCATING, "asking " + server + " for a relayed address");
  }

  /** The TURN server. */
  public InetSocketAddress server() {
    return server;
  }

  /** The allocation's state. */
  public TurnState state() {
    return state;
  }

  /** Why the client failed last, or null. */
  public String failure() {
    return failure;
  }

  /** The relayed address (XOR-RELAYED-ADDRESS) while allocated, else null. */
  public InetSocketAddress relayedAddress() {
    return relayed;
  }

  /** This socket's address as the server saw it (XOR-MAPPED-ADDRESS), or null. */
  public InetSocketAddress mappedAddress() {
    return mapped;
  }

  /** The allocation's lifetime granted by the last Allocate or Refresh, in seconds; 0 before. */
  public int lifetimeSeconds() {
    return lifetimeSeconds;
  }

  /** The counters now. */
  public TurnCounters counters() {
    return new TurnCounters(
        allocations,
        refreshes,
        permissions,
        channelBinds,
        datagramsIn,
        datagramsOut,
        bytesIn,
        bytesOut,
        errorResponses,
        integrityFailures,
        malformed,
        retransmits);
  }

  /**
   * Lets {@code peer}'s datagrams in through the relay and ours out to it: a CreatePermission now
   * or, before the allocation exists, once it does. Nothing after the client failed or closed.
   */
  public void permit(InetAddress peer, long nowNanos) {
    lastNow = nowNanos;
    if (state == TurnState.FAILED
        || state == TurnState.CLOSED
        || table.permission(Objects.requireNonNull(peer)) != null) {
      return;
    }
    RelayTable.Permission p = table.permit(peer, nowNanos);
    deadlinesChanged = true;
    if (state == TurnState.ALLOCATED) {
      requestPermission(p, nowNanos);
    }
  }

  /** Stops refreshing {@code peer}'s permission and drops its routes and channels. */
  public void forget(InetAddress peer) {
    // a released channel's quarantine counts from the last time the client was told the time
    if (table.forget(peer, lastNow)) {
      deadlinesChanged = true;
    }
  }

  /** Whether {@link #wrap} would relay a datagram to {@code peer}. */
  public boolean routes(InetSocketAddress peer) {
    return state == TurnState.ALLOCATED
        && (table.route(peer) != null || table.permission(peer.getAddress()) != null);
  }

  /**
   * If {@code t} goes to a peer we relay for (an endpoint heard from through the allocation, or one
   * whose address is permitted), rewrites it in place into ChannelData (channel bound) or a Send
   * indication toward the server and returns true; otherwise, or if it would not fit, returns false
   * and leaves it untouched. Allocates nothing.
   */
  public boolean wrap(Transmit t, long nowNanos) {
    InetSocketAddress to = t.destination();
    if (state != TurnState.ALLOCATED || to == null || to.equals(server)) {
      return false;
    }
    RelayTable.Route r = table.route(to);
    RelayTable.Permission p = r != null ? r.permission : table.permission(to.getAddress());
    if (p == null) {
      return false;
    }
    ByteBuffer b = t.buffer();
    int n = b.position();
    int total =
        r != null && r.bound
            ? TurnCodec.wrapChannelData(b, n, r.channel)
            : TurnCodec.wrapSendIndication(
                b, n, indicationIdHigh, indicationIdLow++, p.raw, to.getPort());
    if (total < 0) {
      return false;
    }
    b.position(total);
    t.setDestination(server);
    if (r != null) {
      r.lastUsed = nowNanos;
    }
    datagramsOut++;
    bytesOut += n;
    return true;
  }

  /** Deletes the allocation (best effort: one Refresh with LIFETIME 0) and closes. */
  public void close(long nowNanos) {
    lastNow = nowNanos;
    if (state == TurnState.CLOSED) {
      return;
    }
    boolean allocated = state == TurnState.ALLOCATED;
    drop(nowNanos);
    if (allocated) {
      add(
          new TurnTransaction(TurnTransaction.Kind.DELETE, newId(), realm != null, null, null, 0),
          nowNanos);
    }
    move(TurnState.CLOSED, "closed");
  }

  @Override
  public boolean handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
    lastNow = nowNanos;
    if (state == TurnState.IDLE || !server.equals(from)) {
      return false;
    }
    int pos = packet.position();
    int len = packet.remaining();
    if (len >= 4 && (packet.get(pos) & 0xC0) == 0x40) {
      return channelData(packet, nowNanos);
    }
    if (len < TurnCodec.HEADER_BYTES
        || (packet.get(pos) & 0xC0) != 0
        || packet.getInt(pos + 4) != DatagramKind.STUN_MAGIC_COOKIE) {
      malformed++;
      return true;
    }
    int type = packet.getShort(pos) & 0xFFFF;
    if (type == TurnMessage.DATA_INDICATION) {
      return dataIndication(packet, nowNanos);
    }
    if ((type & 0x0100) == 0) {
      return false; // a request or another indication: not for a client
    }
    TurnTransaction t = find(packet.getLong(pos + 8), packet.getInt(pos + 16));
    if (t == null) {
      return false; // another core's transaction, or a late copy of an answered one
    }
    TurnParsed parsed = TurnCodec.parse(packet);
    if (!parsed.ok() || !t.kind.answeredBy(parsed.message().type())) {
      malformed++;
      return true;
    }
    answered(t, parsed.message(), packet, nowNanos);
    return true;
  }

  private TurnTransaction find(long idHigh, int idLow) {
    for (int i = 0; i < transactions.size(); i++) {
      TurnTransaction t = transactions.get(i);
      if (t.matches(idHigh, idLow)) {
        return t;
      }
    }
    return null;
  }

  private boolean channelData(ByteBuffer packet, long now) {
    if (state != TurnState.ALLOCATED) {
      return false;
    }
    if (TurnCodec.checkChannelData(packet) != null) {
      malformed++;
      return true;
    }
    RelayTable.Route r = table.byChannel(TurnCodec.channelNumber(packet));
    if (r == null) {
      malformed++; // a channel we did not bind, or one we let go
      return true;
    }
    int n = TurnCodec.channelDataLength(packet);
    int data = packet.position() + TurnCodec.CHANNEL_DATA_HEADER_BYTES;
    packet.limit(data + n).position(data);
    r.lastUsed = now;
    datagramsIn++;
    bytesIn += n;
    listener.received(packet, r.peer, now);
    return true;
  }

  private boolean dataIndication(ByteBuffer packet, long now) {
    if (state != TurnState.ALLOCATED) {
      return false;
    }
    TurnParsed parsed = TurnCodec.parse(packet);
    TurnMessage m = parsed.message();
    if (m == null || m.peer() == null || m.data() == null) {
      malformed++;
      return true;
    }
    InetSocketAddress peer = m.peer();
    RelayTable.Permission p = table.permission(peer.getAddress());
    if (p == null) {
      return true; // not permitted: the server should not have relayed it; dropped
    }
    RelayTable.Route r = table.route(peer);
    if (r == null) {
      r = table.addRoute(peer, p, now);
      deadlinesChanged = true;
    }
    if (r.channel < 0) {
      bindChannel(r, now);
    }
    r.lastUsed = now;
    datagramsIn++;
    bytesIn += m.data().remaining();
    listener.received(m.data(), peer, now);
    return true;
  }

  private void answered(TurnTransaction t, TurnMessage m, ByteBuffer packet, long now) {
    if (m.isError()) {
      errorResponses++;
      refused(t, m, now);
      return;
    }
    if (t.authenticated && !TurnCodec.verifyIntegrity(packet, m, mac)) {
      integrityFailures++; // not the server's, or altered: wait for the real answer
      return;
    }
    transactions.remove(t);
    deadlinesChanged = true;
    if (t.orphaned()) {
      return;
    }
    switch (t.kind) {
      case ALLOCATE -> allocated(m, now);
      case REFRESH -> {
        refreshes++;
        lifetimeSeconds = m.lifetime() >= 0 ? m.lifetime() : DEFAULT_LIFETIME_SECONDS;
        refreshAt = now + refreshDelay(lifetimeSeconds);
      }
      case DELETE -> {}
      case PERMISSION -> {
        permissions++;
        t.permission.installed = true;
        t.permission.pending = null;
        t.permission.refreshAt = now + PERMISSION_REFRESH_NANOS;
      }
      case CHANNEL_BIND -> {
        channelBinds++;
        RelayTable.Route r = t.route;
        r.pending = null;
        r.bound = true;
        r.boundAt = now;
        r.refreshAt = now + CHANNEL_REFRESH_NANOS;
      }
    }
  }

  private void allocated(TurnMessage m, long now) {
    if (m.relayed() == null) {
      fail("the Allocate success response from " + server + " had no XOR-RELAYED-ADDRESS", now);
      return;
    }
    allocations++;
    relayed = m.relayed();
    mapped = m.mapped();
    lifetimeSeconds = m.lifetime() >= 0 ? m.lifetime() : DEFAULT_LIFETIME_SECONDS;
    refreshAt = now + refreshDelay(lifetimeSeconds);
    for (RelayTable.Permission p : table.permissions()) {
      requestPermission(p, now);
    }
    move(
        TurnState.ALLOCATED,
        "relayed address "
            + relayed
            + " on "
            + server
            + " for "
            + lifetimeSeconds
            + " s, refreshed before it expires");
  }

  /** When to refresh an allocation of {@code seconds}: 60 s before, or at half a short one. */
  static long refreshDelay(int seconds) {
    long life = seconds * SECOND;
    long delay = life > 2 * REFRESH_MARGIN_NANOS ? life - REFRESH_MARGIN_NANOS : life / 2;
    return Math.max(SECOND, delay);
  }

  /** An error response to {@code t}. */
  private void refused(TurnTransaction t, TurnMessage m, long now) {
    int code = m.errorCode();
    if (code == 401
        && t.kind == TurnTransaction.Kind.ALLOCATE
        && !t.authenticated
        && m.realm() != null
        && m.nonce() != null) {
      credentials(m.realm(), m.nonce());
      retry(t, now);
      return;
    }
    if (code == 438 && m.nonce() != null && realm != null && t.staleNonces < MAX_STALE_NONCES) {
      t.staleNonces++;
      credentials(m.realm() != null ? m.realm() : realm, m.nonce());
      retry(t, now);
      return;
    }
    transactions.remove(t);
    deadlinesChanged = true;
    if (t.orphaned()) {
      return;
    }
    switch (t.kind) {
      case ALLOCATE -> fail("the Allocate request was refused: " + explain(m), now);
      case REFRESH -> fail("the Refresh request was refused: " + explain(m), now);
      case DELETE -> {}
      case PERMISSION -> table.forget(t.permission.address, now);
      case CHANNEL_BIND -> table.unbind(t.route, now);
    }
  }

  /** A person's sentence for an error response, with what to do where there is something. */
  private String explain(TurnMessage m) {
    int code = m.errorCode();
    String standard =
        switch (code) {
          case 300 -> "Try Alternate (redirection is not supported)";
          case 400 -> "Bad Request";
          case 401 ->
              realm == null
                  ? "Unauthorized, without REALM and NONCE"
                  : "Unauthorized: the server refused the credentials of user \""
                      + username
                      + "\" in realm \""
                      + realm
                      + "\" (check the TURN username and password)";
          case 403 -> "Forbidden";
          case 420 -> "Unknown Attribute";
          case 437 -> "Allocation Mismatch (the server holds another allocation for this socket)";
          case 438 -> "Stale Nonce, " + MAX_STALE_NONCES + " times";
          case 440 -> "Address Family not Supported";
          case 441 -> "Wrong Credentials";
          case 442 -> "Unsupported Transport Protocol";
          case 486 -> "Allocation Quota Reached (too many allocations for this user)";
          case 500 -> "Server Error";
          case 508 -> "Insufficient Capacity (the server has no relayed address to give)";
          default -> "error";
        };
    String s = code + " " + standard;
    if (m.reason() != null && !m.reason().isBlank()) {
      s += "; the server says \"" + m.reason() + "\"";
    }
    return s;
  }

  private void credentials(String newRealm, String newNonce) {
    if (!newRealm.equals(realm)) {
      byte[] key = TurnCodec.longTermKey(md5, username, newRealm, password);
      try {
        mac.init(new SecretKeySpec(key, "HmacSHA1"));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("an HMAC-SHA1 key of 16 bytes was refused", e);
      }
      realm = newRealm;
    }
    nonce = newNonce;
  }

  private void retry(TurnTransaction t, long now) {
    t.renew(newId(), true);
    markDue(now);
  }

  private void requestPermission(RelayTable.Permission p, long now) {
    TurnTransaction t =
        new TurnTransaction(TurnTransaction.Kind.PERMISSION, newId(), realm != null, p, null, 0);
    p.pending = t;
    p.refreshAt = Deadlines.NONE;
    add(t, now);
  }

  private void bindChannel(RelayTable.Route r, long now) {
    if (r.channel < 0 && table.assignChannel(r, now) < 0) {
      return; // every channel is taken: Send indications it is
    }
    TurnTransaction t =
        new TurnTransaction(TurnTransaction.Kind.CHANNEL_BIND, newId(), realm != null, null, r, 0);
    r.pending = t;
    r.refreshAt = Deadlines.NONE;
    add(t, now);
  }

  private TransactionId newId() {
    return TransactionId.random(random);
  }

  private void add(TurnTransaction t, long now) {
    transactions.add(t);
    markDue(now);
  }

  private void markDue(long now) {
    if (dueSince == Deadlines.NONE) {
      dueSince = now;
    }
    deadlinesChanged = true;
  }

  private void fail(String why, long now) {
    failure = why;
    drop(now);
    move(TurnState.FAILED, why);
  }

  /** Forgets the allocation: its requests, permissions, routes and timers. */
  private void drop(long now) {
    transactions.clear();
    table.clear(now);
    relayed = null;
    refreshAt = Deadlines.NONE;
    deadlinesChanged = true;
  }

  private void move(TurnState next, String why) {
    if (!state.canMoveTo(next)) {
      throw new IllegalStateException("TURN client cannot move from " + state + " to " + next);
    }
    state = next;
    deadlinesChanged = true;
    listener.stateChanged(next, why);
  }

  @Override
  public boolean pollTransmit(Transmit out, long nowNanos) {
    for (int i = 0; i < transactions.size(); i++) {
      TurnTransaction t = transactions.get(i);
      if (!t.due) {
        continue;
      }
      if (t.orphaned()) {
        transactions.remove(i--);
        continue;
      }
      ByteBuffer b = out.buffer();
      b.clear();
      TurnCodec.write(b, request(t), t.authenticated ? mac : null);
      out.setDestination(server);
      if (t.sent > 0) {
        retransmits++;
      }
      t.transmitted(nowNanos);
      deadlinesChanged = true;
      return true;
    }
    dueSince = Deadlines.NONE;
    return false;
  }

  private TurnMessage request(TurnTransaction t) {
    TurnMessage m = TurnMessage.of(t.kind.requestType, t.id);
    m =
        switch (t.kind) {
          case ALLOCATE -> m.withRequestedTransport(TurnMessage.UDP);
          case REFRESH -> m.withLifetime(lifetimeSeconds);
          case DELETE -> m.withLifetime(0);
          case PERMISSION -> m.withPeer(new InetSocketAddress(t.permission.address, 0));
          case CHANNEL_BIND -> m.withChannel(t.route.channel).withPeer(t.route.peer);
        };
    return t.authenticated ? m.withCredentials(username, realm, nonce) : m;
  }

  @Override
  public long pollTimeout() {
    if (deadlinesChanged) {
      deadlinesChanged = false;
      nextDeadline = earliestDeadline();
    }
    return Deadlines.earliest(dueSince, nextDeadline);
  }

  private long earliestDeadline() {
    long d = refreshAt;
    for (int i = 0; i < transactions.size(); i++) {
      TurnTransaction t = transactions.get(i);
      if (!t.due) {
        d = Deadlines.earliest(d, t.deadline);
      }
    }
    for (RelayTable.Permission p : table.permissions()) {
      d = Deadlines.earliest(d, p.refreshAt);
    }
    for (RelayTable.Route r : table.routes()) {
      d = Deadlines.earliest(d, r.refreshAt);
    }
    return d;
  }

  @Override
  public void handleTimeout(long nowNanos) {
    lastNow = nowNanos;
    deadlinesChanged = true;
    for (int i = 0; i < transactions.size(); i++) {
      TurnTransaction t = transactions.get(i);
      if (t.due || !Deadlines.isDue(t.deadline, nowNanos)) {
        continue;
      }
      if (!t.exhausted()) {
        t.due = true;
        markDue(nowNanos);
        continue;
      }
      transactions.remove(i--);
      if (!t.orphaned()) {
        unanswered(t, nowNanos);
        if (state == TurnState.FAILED) {
          return;
        }
      }
    }
    if (state != TurnState.ALLOCATED) {
      return;
    }
    if (Deadlines.isDue(refreshAt, nowNanos)) {
      refreshAt = Deadlines.NONE;
      add(
          new TurnTransaction(
              TurnTransaction.Kind.REFRESH, newId(), realm != null, null, null, lifetimeSeconds),
          nowNanos);
    }
    for (RelayTable.Permission p : table.permissions()) {
      if (p.pending == null && Deadlines.isDue(p.refreshAt, nowNanos)) {
        requestPermission(p, nowNanos);
      }
    }
    for (RelayTable.Route r : table.routes()) {
      if (r.pending == null && r.bound && Deadlines.isDue(r.refreshAt, nowNanos)) {
        if (r.lastUsed - r.boundAt > 0) {
          bindChannel(r, nowNanos); // still in use: the same channel again
        } else {
          table.unbind(r, nowNanos); // idle: let the binding lapse
        }
      }
    }
  }

  /** {@code t} was sent {@link TurnTransaction#MAX_TRANSMISSIONS} times and never answered. */
  private void unanswered(TurnTransaction t, long now) {
    String silence =
        "server did not answer: "
            + server
            + " sent nothing back to "
            + TurnTransaction.MAX_TRANSMISSIONS
            + " "
            + t.kind.name().toLowerCase(Locale.ROOT).replace('_', ' ')
            + " requests in "
            + GIVE_UP_NANOS / 100_000_000 / 10.0
            + " s (is the address right, and is UDP to it open?)";
    switch (t.kind) {
      case ALLOCATE, REFRESH -> fail(silence, now);
      case DELETE -> {}
      case PERMISSION -> table.forget(t.permission.address, now);
      case CHANNEL_BIND -> table.unbind(t.route, now);
    }
  }

  @Override
  public String toString() {
    return "TurnClient[" + server + ", " + state + "]";
  }
}
