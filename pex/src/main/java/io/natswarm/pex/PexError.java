package io.natswarm.pex;

/**
 * Why a ut_pex message was not accepted. The swarm node counts each one and ignores the message;
 * only {@link PexReceiver}'s flood verdict costs the peer its connection.
 */
public enum PexError {
  /** Longer than {@link PexCodec#MAX_MESSAGE_BYTES}. */
  TOO_LARGE,
  /** Not a bencoded dictionary at the top level. */
  NOT_A_DICTIONARY,
  /** The bencoding is broken or ends early (bad length, bad integer, missing {@code e}). */
  BAD_BENCODING,
  /** Lists or dictionaries nested deeper than {@link PexCodec#MAX_DEPTH}. */
  TOO_DEEP,
  /** Bytes after the top-level dictionary. */
  TRAILING_BYTES,
  /** A known key ({@code added}, {@code dropped6}, ...) holding something other than a string. */
  BAD_FIELD_TYPE,
  /** A known key given twice: which one counts would be a guess. */
  DUPLICATE_KEY,
  /** A compact peer list whose length is not a multiple of its entry size (6 or 18 bytes). */
  BAD_PEER_LIST_LENGTH,
  /** More than {@link PexCodec#MAX_PEERS_PER_LIST} entries in one list. */
  TOO_MANY_PEERS
}
