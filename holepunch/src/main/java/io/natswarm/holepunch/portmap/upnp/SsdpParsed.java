package io.natswarm.holepunch.portmap.upnp;

/**
 * The result of {@link SsdpReply#parse}: a reply or the reason there is none.
 *
 * @param reply the reply, null on error
 * @param error why the bytes were refused, null on success
 */
public record SsdpParsed(SsdpReply reply, SsdpError error) {
  static SsdpParsed ok(SsdpReply r) {
    return new SsdpParsed(r, null);
  }

  static SsdpParsed error(SsdpError e) {
    return new SsdpParsed(null, e);
  }

  /** True when a reply was parsed. */
  public boolean ok() {
    return reply != null;
  }
}
