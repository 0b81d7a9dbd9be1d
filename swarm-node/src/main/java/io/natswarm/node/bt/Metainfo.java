package io.natswarm.node.bt;

import bt.metainfo.TorrentId;
import bt.torrent.maker.TorrentBuilder;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * Making v1 torrents (BEP 3 metainfo: {@code info} with {@code name}, {@code piece length}, SHA-1
 * {@code pieces}, {@code length} or {@code files}) with Bt's {@link TorrentBuilder}, and their BEP
 * 9 magnet links. No {@code announce}: peers come from the DHT, PEX or the application.
 */
final class Metainfo {
  /** 256 KiB: libtorrent's choice for files of tens to hundreds of MiB. */
  static final int PIECE_LENGTH = 256 * 1024;

  private Metainfo() {}

  /**
   * The metainfo of {@code fileOrDirectory}; for a directory every regular file below it, named
   * relative to it.
   */
  static byte[] create(Path fileOrDirectory) throws IOException {
    Path p = fileOrDirectory.toAbsolutePath().normalize();
    if (!Files.isReadable(p)) {
      throw new IOException("cannot read " + p);
    }
    TorrentBuilder b =
        new TorrentBuilder().pieceSize(PIECE_LENGTH).createdBy("natswarm").addFile(p);
    if (Files.isDirectory(p)) {
      b.rootPath(p);
      if (b.getFiles().isEmpty()) {
        throw new IOException("no regular file below " + p);
      }
    } else if (Files.size(p) == 0) {
      throw new IOException("cannot share an empty file: " + p);
    }
    try {
      return b.build();
    } catch (RuntimeException e) {
      throw new IOException("cannot make a torrent of " + p + ": " + e.getMessage(), e);
    }
  }

  /** The info-hash as 40 lower-case hex digits. */
  static String hex(TorrentId id) {
    return HexFormat.of().formatHex(id.getBytes());
  }

  /** The BEP 9 magnet link of {@code id} with display name {@code name}. */
  static String magnet(TorrentId id, String name) {
    return "magnet:?xt=urn:btih:"
        + hex(id)
        + "&dn="
        + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
