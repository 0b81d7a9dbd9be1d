package io.natswarm.node.bt;

import bt.data.DataDescriptor;
import bt.protocol.Bitfield;
import bt.protocol.Cancel;
import bt.protocol.Have;
import bt.protocol.Piece;
import bt.protocol.Request;
import bt.torrent.TorrentDescriptor;
import bt.torrent.TorrentRegistry;
import bt.torrent.annotation.Consumes;
import bt.torrent.messaging.MessageContext;
import com.google.inject.Inject;

/**
 * Bt's messaging agent that closes a connection whose peer names a piece the torrent does not have
 * (BEP 3): a {@code have}, {@code request}, {@code cancel} or {@code piece} with an index out of
 * range, or a {@code bitfield} of the wrong length ("clients should drop the connection if they
 * receive bitfields that are not of the correct size"). Counted as a protocol error ({@link
 * PeerBans#protocolError(bt.net.Peer)}).
 *
 * <p>Bt 1.10 decodes such messages and then fails in its own consumers (an index out of bounds),
 * logs a warning with a stack trace for each, and keeps the connection. Before a magnet link's
 * metadata arrives nothing is checked. Public only because Bt invokes agents through {@code
 * MethodHandles.publicLookup()}.
 */
public final class MessageSanity {
  private final TorrentRegistry torrents;
  private final PeerBans bans;

  @Inject
  MessageSanity(TorrentRegistry torrents, PeerBans bans) {
    this.torrents = torrents;
    this.bans = bans;
  }

  @Consumes
  public void consume(Have m, MessageContext c) {
    check(m.getPieceIndex(), c);
  }

  @Consumes
  public void consume(Request m, MessageContext c) {
    check(m.getPieceIndex(), c);
  }

  @Consumes
  public void consume(Cancel m, MessageContext c) {
    check(m.getPieceIndex(), c);
  }

  @Consumes
  public void consume(Piece m, MessageContext c) {
    check(m.getPieceIndex(), c);
  }

  @Consumes
  public void consume(Bitfield m, MessageContext c) {
    int pieces = pieces(c);
    if (pieces > 0 && m.getBitfield().length != (pieces + 7) / 8) {
      bans.protocolError(c.getPeer());
    }
  }

  private void check(int pieceIndex, MessageContext c) {
    int pieces = pieces(c);
    if (pieces > 0 && (pieceIndex < 0 || pieceIndex >= pieces)) {
      bans.protocolError(c.getPeer());
    }
  }

  /** Pieces in the context's torrent, or 0 while not known. */
  private int pieces(MessageContext c) {
    if (c.getTorrentId() == null) {
      return 0;
    }
    TorrentDescriptor d = torrents.getDescriptor(c.getTorrentId()).orElse(null);
    DataDescriptor data = d == null ? null : d.getDataDescriptor();
    return data == null ? 0 : data.getBitfield().getPiecesTotal();
  }
}
