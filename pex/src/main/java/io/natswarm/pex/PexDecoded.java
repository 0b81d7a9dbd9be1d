package io.natswarm.pex;

import java.util.Objects;

/**
 * What {@link PexCodec#decode} made of a payload: a message, or the {@link PexError} that says why
 * there is none. Exactly one of {@link #message()} and {@link #error()} is non-null.
 *
 * @param message the decoded message, or null
 * @param error why the payload was rejected, or null
 * @param skippedEntries well-formed entries left out because they cannot be dialled (port 0, an
 *     unspecified, multicast or broadcast address)
 */
public record PexDecoded(PexMessage message, PexError error, int skippedEntries) {
  public PexDecoded {
    if ((message == null) == (error == null)) {
      throw new IllegalArgumentException("exactly one of message and error");
    }
  }

  static PexDecoded ok(PexMessage message, int skippedEntries) {
    return new PexDecoded(Objects.requireNonNull(message), null, skippedEntries);
  }

  static PexDecoded failed(PexError error) {
    return new PexDecoded(null, Objects.requireNonNull(error), 0);
  }

  /** Whether a message was decoded. */
  public boolean ok() {
    return message != null;
  }
}
