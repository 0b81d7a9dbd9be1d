package io.natswarm.holepunch.portmap.upnp;

import io.natswarm.holepunch.portmap.Protocol;

/**
 * A failed UPnP-IGD step, with a message a person understands.
 *
 * @param kind what went wrong
 * @param protocol the mapping it concerns, null when it concerns the gateway as a whole
 * @param upnpErrorCode the device's UPnP error code (e.g. 718) for {@link UpnpError#UPNP_FAULT},
 *     otherwise 0
 * @param message what happened and, where there is something to do, what to do
 */
public record UpnpFailure(UpnpError kind, Protocol protocol, int upnpErrorCode, String message) {
  static UpnpFailure of(UpnpError kind, String message) {
    return new UpnpFailure(kind, null, 0, message);
  }

  UpnpFailure about(Protocol p) {
    return new UpnpFailure(kind, p, upnpErrorCode, message);
  }

  @Override
  public String toString() {
    return (protocol == null ? "" : protocol + ": ") + message;
  }
}
