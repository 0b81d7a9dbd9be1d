package io.natswarm.holepunch.portmap.upnp;

import com.google.common.net.InetAddresses;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One SSDP search for Internet Gateway Devices (UPnP Device Architecture 1.1 section 1.3.2): an
 * M-SEARCH for InternetGatewayDevice:1 and :2 to {@link UpnpConfig#discoveryTarget} from {@link
 * UpnpConfig#localAddress} (multicast TTL 2, as section 1.3.2 says), then the replies, one at a
 * time, until the discovery time is up. A reply counts only when it parses ({@link SsdpReply}),
 * answers one of our search targets and its LOCATION names the very address it came from; the
 * others are counted as rejected. Each LOCATION is returned once.
 *
 * <p>Blocking; runs on the {@link UpnpMapper}'s thread.
 */
final class SsdpSearch implements AutoCloseable {
  static final List<String> SEARCH_TARGETS =
      List.of(
          "urn:schemas-upnp-org:device:InternetGatewayDevice:1",
          "urn:schemas-upnp-org:device:InternetGatewayDevice:2");

  private static final Set<String> ACCEPTED_TARGETS =
      Set.of(
          "urn:schemas-upnp-org:device:InternetGatewayDevice:1",
          "urn:schemas-upnp-org:device:InternetGatewayDevice:2",
          "urn:schemas-upnp-org:device:WANConnectionDevice:1",
          "urn:schemas-upnp-org:device:WANConnectionDevice:2",
          "urn:schemas-upnp-org:service:WANIPConnection:1",
          "urn:schemas-upnp-org:service:WANIPConnection:2",
          "urn:schemas-upnp-org:service:WANPPPConnection:1",
          "upnp:rootdevice");

  /** A reply we will follow. */
  record Found(SsdpReply reply, InetAddress source) {
    URI location() {
      return reply.location();
    }
  }

  private final DatagramSocket socket;
  private final long deadlineNanos;
  private final byte[] buf = new byte[SsdpReply.MAX_LENGTH + 1];
  private final Set<URI> seen = new HashSet<>();
  private int sent;
  private int rejected;

  SsdpSearch(UpnpConfig config) throws IOException {
    InetSocketAddress target = config.discoveryTarget();
    InetSocketAddress local = new InetSocketAddress(config.localAddress(), 0);
    if (target.getAddress().isMulticastAddress()) {
      MulticastSocket m = new MulticastSocket(local);
      try {
        m.setTimeToLive(2);
        NetworkInterface nif = NetworkInterface.getByInetAddress(config.localAddress());
        if (nif != null) {
          m.setNetworkInterface(nif);
        }
      } catch (IOException | RuntimeException e) {
        m.close();
        throw e;
      }
      socket = m;
    } else {
      socket = new DatagramSocket(local);
    }
    deadlineNanos = System.nanoTime() + config.discoveryTimeoutMillis() * 1_000_000L;
    try {
      String host = InetAddresses.toUriString(target.getAddress()) + ":" + target.getPort();
      for (String st : SEARCH_TARGETS) {
        byte[] m =
            ("M-SEARCH * HTTP/1.1\r\nHOST: "
                    + host
                    + "\r\nMAN: \"ssdp:discover\"\r\nMX: 2\r\nST: "
                    + st
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        socket.send(new DatagramPacket(m, m.length, target));
        sent++;
      }
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /** The next reply worth following, or null when the discovery time is up. */
  Found next() throws IOException {
    while (true) {
      long remainingMillis = (deadlineNanos - System.nanoTime()) / 1_000_000L;
      if (remainingMillis <= 0) {
        return null;
      }
      socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, remainingMillis));
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      try {
        socket.receive(p);
      } catch (SocketTimeoutException e) {
        return null;
      }
      SsdpParsed parsed = SsdpReply.parse(p.getData(), p.getOffset(), p.getLength());
      if (!parsed.ok()
          || !ACCEPTED_TARGETS.contains(parsed.reply().searchTarget())
          || !parsed.reply().locationHost().equals(p.getAddress())) {
        rejected++;
        continue;
      }
      if (seen.size() < 16 && seen.add(parsed.reply().location())) {
        return new Found(parsed.reply(), p.getAddress());
      }
    }
  }

  int sent() {
    return sent;
  }

  int rejected() {
    return rejected;
  }

  @Override
  public void close() {
    socket.close();
  }
}
