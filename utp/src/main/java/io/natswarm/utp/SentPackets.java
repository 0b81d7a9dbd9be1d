package io.natswarm.utp;

/**
 * The packets we sent that are not yet cumulatively acknowledged, indexed by 16-bit sequence number
 * (BEP 29: one sequence number per SYN, DATA or FIN packet; ST_STATE uses none). Metadata only, in
 * parallel primitive arrays: the payload stays in the send {@link ByteRing} at {@link #offset}.
 * Grows by doubling up to {@link #MAX_CAPACITY} so idle connections stay small. Owned by the
 * event-loop thread.
 */
final class SentPackets {
  /** Well below 32,768 so that sequence comparisons stay unambiguous. */
  static final int MAX_CAPACITY = 8192;

  private static final int INITIAL = 16;

  static final byte SENT = 1;
  static final byte LOST = 2;
  static final byte SACKED = 3;

  static final byte FLAG_FAST_RESENT = 1;
  static final byte FLAG_PROBE = 2;

  private int mask = -1;
  private long[] offsets = new long[0];
  private int[] lengths = new int[0];
  private long[] sentAt = new long[0];
  private byte[] transmissions = new byte[0];
  private byte[] status = new byte[0];
  private byte[] types = new byte[0];
  private byte[] flags = new byte[0];
  private int first;
  private int next;

  SentPackets(int firstSeq) {
    first = firstSeq & SeqNr.MASK;
    next = first;
  }

  /** Sequence number of the oldest unacked packet (equals {@link #next()} when empty). */
  int first() {
    return first;
  }

  /** Sequence number the next packet gets. */
  int next() {
    return next;
  }

  int count() {
    return SeqNr.diff(next, first);
  }

  boolean isEmpty() {
    return first == next;
  }

  /** True if another packet can be added (growing the arrays if needed). */
  boolean hasRoom() {
    int c = count();
    if (c < offsets.length) {
      return true;
    }
    if (offsets.length >= MAX_CAPACITY) {
      return false;
    }
    grow();
    return true;
  }

  /** True if {@code seq} is in [first, next). */
  boolean contains(int seq) {
    int d = SeqNr.diff(seq, first);
    return d >= 0 && d < count();
  }

  /** Gives the arrays back when nothing is outstanding (idle connections stay small). */
  void trimIfEmpty() {
    if (first == next && offsets.length > 0) {
      mask = -1;
      offsets = new long[0];
      lengths = new int[0];
      sentAt = new long[0];
      transmissions = new byte[0];
      status = new byte[0];
      types = new byte[0];
      flags = new byte[0];
    }
  }

  /** Records a new packet (call {@link #hasRoom()} first) and returns its sequence number. */
  int add(int type, long offset, int length, long nowNanos, boolean probe) {
    int seq = next;
    int i = seq & mask;
    offsets[i] = offset;
    lengths[i] = length;
    sentAt[i] = nowNanos;
    transmissions[i] = 1;
    status[i] = SENT;
    types[i] = (byte) type;
    flags[i] = probe ? FLAG_PROBE : 0;
    next = SeqNr.add(next, 1);
    return seq;
  }

  /** Drops the oldest packet (it was cumulatively acknowledged). */
  void removeFirst() {
    first = SeqNr.add(first, 1);
  }

  long offset(int seq) {
    return offsets[seq & mask];
  }

  int length(int seq) {
    return lengths[seq & mask];
  }

  long sentAt(int seq) {
    return sentAt[seq & mask];
  }

  int transmissions(int seq) {
    return transmissions[seq & mask];
  }

  byte status(int seq) {
    return status[seq & mask];
  }

  int type(int seq) {
    return types[seq & mask];
  }

  boolean hasFlag(int seq, byte flag) {
    return (flags[seq & mask] & flag) != 0;
  }

  void setFlag(int seq, byte flag) {
    flags[seq & mask] |= flag;
  }

  void clearFlag(int seq, byte flag) {
    flags[seq & mask] &= (byte) ~flag;
  }

  void setStatus(int seq, byte s) {
    status[seq & mask] = s;
  }

  /** Marks a retransmission. */
  void resent(int seq, long nowNanos) {
    int i = seq & mask;
    sentAt[i] = nowNanos;
    if (transmissions[i] < Byte.MAX_VALUE) {
      transmissions[i]++;
    }
    status[i] = SENT;
    // FLAG_FAST_RESENT stays: acks already in flight still show the hole, so a fast-retransmitted
    // packet is declared lost again only by the timer or by acks of packets sent after this
    // (see SendWindow.onSack).
    flags[i] &= (byte) ~FLAG_PROBE;
  }

  private void grow() {
    int cap = Math.max(INITIAL, offsets.length * 2);
    int nm = cap - 1;
    long[] no = new long[cap];
    int[] nl = new int[cap];
    long[] ns = new long[cap];
    byte[] nt = new byte[cap];
    byte[] nst = new byte[cap];
    byte[] nty = new byte[cap];
    byte[] nf = new byte[cap];
    int c = count();
    for (int k = 0; k < c; k++) {
      int seq = SeqNr.add(first, k);
      int i = seq & mask;
      int j = seq & nm;
      no[j] = offsets[i];
      nl[j] = lengths[i];
      ns[j] = sentAt[i];
      nt[j] = transmissions[i];
      nst[j] = status[i];
      nty[j] = types[i];
      nf[j] = flags[i];
    }
    offsets = no;
    lengths = nl;
    sentAt = ns;
    transmissions = nt;
    status = nst;
    types = nty;
    flags = nf;
    mask = nm;
  }
}
