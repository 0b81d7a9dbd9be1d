package io.natswarm.holepunch.portmap.upnp;

import io.natswarm.holepunch.portmap.PortMapping;
import java.net.InetAddress;
import java.net.URI;
import java.util.List;

/**
 * What a {@link UpnpMapper} holds after a call: an immutable snapshot.
 *
 * @param gateway the description URL of the gateway in use, null when none was found
 * @param externalAddress the gateway's external address, null when unknown
 * @param mappings the mappings held, at most one per protocol; a permanent one (the gateway
 *     accepted only lease 0) has {@code goodUntilNanos == Long.MAX_VALUE}
 * @param failures what went wrong in this call, each with a message a person understands
 * @param nextActionNanos when to call {@link UpnpMapper#maintain} again (host clock; {@code
 *     Long.MAX_VALUE} when nothing is due, e.g. after release)
 */
public record UpnpStatus(
    URI gateway,
    InetAddress externalAddress,
    List<PortMapping> mappings,
    List<UpnpFailure> failures,
    long nextActionNanos) {

  /** Copies the lists. */
  public UpnpStatus {
    mappings = List.copyOf(mappings);
    failures = List.copyOf(failures);
  }
}
