package io.natswarm.holepunch.portmap.upnp;

/**
 * UPnP error codes a gateway returns in a SOAP fault (UPnP Device Architecture 1.1 section 3.2.2;
 * WANIPConnection:2 section 2.4 and WANIPConnection:1 section 2.4.16), each turned into a message a
 * person understands.
 */
public final class UpnpErrorCodes {
  /** The external port is mapped to another host. */
  public static final int CONFLICT_IN_MAPPING_ENTRY = 718;

  /** The gateway accepts only leases of duration 0 (permanent). */
  public static final int ONLY_PERMANENT_LEASES_SUPPORTED = 725;

  /** No such mapping (DeletePortMapping of a mapping the gateway does not hold). */
  public static final int NO_SUCH_ENTRY_IN_ARRAY = 714;

  private UpnpErrorCodes() {}

  /**
   * What a UPnP error code means for a person.
   *
   * @param code the errorCode of the fault
   * @param description the device's errorDescription, may be null; quoted only when the code is
   *     unknown, cut to 80 printable characters
   */
  public static String message(int code, String description) {
    String m =
        switch (code) {
          case 401 -> "the gateway does not know this action (it is not a standard IGD)";
          case 402 -> "the gateway refused the request's arguments as invalid";
          case 501 ->
              "the gateway failed to carry out the action (Action Failed); it may be busy or its"
                  + " UPnP service broken: restarting the router often helps";
          case 606 ->
              "the gateway refuses: this host is not authorized to map ports (Action not"
                  + " authorized); allow UPnP port mapping for this computer in the router's"
                  + " settings, or forward the port by hand";
          case 714 -> "the gateway holds no such port mapping (NoSuchEntryInArray)";
          case 715 -> "the gateway does not accept a wildcard remote host";
          case 716 -> "the gateway does not accept a wildcard external port";
          case 718 ->
              "the external port is already mapped to another computer on this network"
                  + " (ConflictInMappingEntry): choose another port, or free it on the router";
          case 724 -> "the gateway only maps an external port to the same internal port";
          case 725 ->
              "the gateway only accepts permanent port mappings (OnlyPermanentLeasesSupported)";
          case 726 -> "the gateway does not accept a specific remote host";
          case 727 -> "the gateway only accepts a wildcard external port";
          case 728 -> "the gateway has no port mapping left to give (NoPortMapsAvailable)";
          case 729 ->
              "the port is taken by another mechanism on the gateway (ConflictWithOtherMechanisms),"
                  + " e.g. a rule set by hand or by NAT-PMP/PCP";
          case 732 -> "the gateway does not accept a wildcard internal port";
          default -> null;
        };
    if (m != null) {
      return m + " (UPnP error " + code + ")";
    }
    return "the gateway answered with UPnP error "
        + code
        + (description == null || description.isBlank() ? "" : ": " + printable(description));
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < 80; i++) {
      char c = s.charAt(i);
      b.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return b.toString();
  }
}
