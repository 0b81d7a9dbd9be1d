package io.natswarm.holepunch.portmap;

/**
 * The result of {@link PcpCodec#parse}: a response or the reason there is none.
 *
 * @param response the response, null on error
 * @param error why the bytes were refused, null on success
 */
public record PcpParsed(PcpResponse response, PcpError error) {
  static PcpParsed ok(PcpResponse r) {
    return new PcpParsed(r, null);
  }

  static PcpParsed error(PcpError e) {
    return new PcpParsed(null, e);
  }

  /** True when a response was parsed. */
  public boolean ok() {
    return response != null;
  }
}
