package io.natswarm.node.bt;

import bt.tracker.AnnounceKey;
import bt.tracker.ITrackerService;
import bt.tracker.Tracker;
import bt.tracker.TrackerService;
import com.google.inject.Inject;
import io.natswarm.node.TrackerPolicy;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;

/**
 * Bt's tracker service (BEP 3 HTTP, BEP 15 UDP trackers) behind the node's {@link TrackerPolicy}:
 * under {@link TrackerPolicy#LOOPBACK_ONLY} a tracker URL whose host is not a loopback address is
 * reported as unsupported, so Bt's peer registry never queries it (it skips announce keys it cannot
 * serve). Host names other than "localhost" are not resolved: resolving one would itself reach the
 * network.
 *
 * <p>Called on Bt's peer-collector thread.
 */
final class LoopbackTrackerPolicy implements ITrackerService {
  private final TrackerService delegate;
  private final TrackerPolicy policy;

  @Inject
  LoopbackTrackerPolicy(TrackerService delegate, TrackerPolicy policy) {
    this.delegate = delegate;
    this.policy = policy;
  }

  @Override
  public boolean isSupportedProtocol(String trackerUrl) {
    return allowed(trackerUrl) && delegate.isSupportedProtocol(trackerUrl);
  }

  @Override
  public Tracker getTracker(String trackerUrl) {
    if (!allowed(trackerUrl)) {
      throw new IllegalArgumentException(
          "tracker not allowed by policy " + policy + ": " + trackerUrl);
    }
    return delegate.getTracker(trackerUrl);
  }

  @Override
  public Tracker getTracker(AnnounceKey announceKey) {
    if (announceKey.isMultiKey()) {
      for (var tier : announceKey.getTrackerUrls()) {
        for (String url : tier) {
          if (!allowed(url)) {
            throw new IllegalArgumentException(
                "tracker not allowed by policy " + policy + ": " + url);
          }
        }
      }
    } else if (!allowed(announceKey.getTrackerUrl())) {
      throw new IllegalArgumentException(
          "tracker not allowed by policy " + policy + ": " + announceKey.getTrackerUrl());
    }
    return delegate.getTracker(announceKey);
  }

  /** True if {@code trackerUrl} may be contacted under the policy. */
  boolean allowed(String trackerUrl) {
    if (policy == TrackerPolicy.ANY) {
      return true;
    }
    return isLoopback(trackerUrl);
  }

  static boolean isLoopback(String trackerUrl) {
    String host;
    try {
      host = new URI(trackerUrl).getHost();
    } catch (URISyntaxException e) {
      return false;
    }
    if (host == null) {
      return false;
    }
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    String literal =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (!isAddressLiteral(literal)) {
      return false;
    }
    try {
      return InetAddress.getByName(literal).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** An IPv4 dotted quad or an IPv6 literal: getByName will not resolve it through DNS. */
  private static boolean isAddressLiteral(String host) {
    return host.contains(":") || host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
  }
}
