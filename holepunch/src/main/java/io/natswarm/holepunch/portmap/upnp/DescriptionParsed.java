package io.natswarm.holepunch.portmap.upnp;

/**
 * The result of {@link DeviceDescription#parse}: the WAN connection service or why there is none.
 *
 * @param description the service found, null on error
 * @param error why the description was refused, null on success
 */
public record DescriptionParsed(DeviceDescription description, UpnpFailure error) {
  /** True when a service was found. */
  public boolean ok() {
    return description != null;
  }
}
