package io.natswarm.holepunch.portmap.upnp;

/** Carries a {@link UpnpFailure} out of the blocking I/O helpers; never leaves this package. */
final class UpnpException extends Exception {
  private static final long serialVersionUID = 1L;

  @SuppressWarnings("serial") // never serialized
  private final UpnpFailure failure;

  UpnpException(UpnpFailure failure) {
    super(failure.message(), null, false, false);
    this.failure = failure;
  }

  UpnpException(UpnpError kind, String message) {
    this(UpnpFailure.of(kind, message));
  }

  UpnpFailure failure() {
    return failure;
  }
}
