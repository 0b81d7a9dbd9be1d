package io.natswarm.node.bt;

import bt.module.ServiceModule;
import bt.tracker.ITrackerService;
import com.google.inject.Binder;
import com.google.inject.Module;
import com.google.inject.Singleton;
import io.natswarm.node.TrackerPolicy;

/**
 * natswarm's bindings into Bt's injector. Bt applies a custom module with {@code Modules.override},
 * so each binding here replaces Bt's own (DESIGN.md, "Bt").
 *
 * <ul>
 *   <li>{@link ITrackerService}: Bt's tracker service behind the node's {@link TrackerPolicy}.
 *   <li>a peer source: the peers the application names ({@link DirectPeers}).
 * </ul>
 */
final class NatswarmBtModule implements Module {
  private final TrackerPolicy trackers;
  private final DirectPeers directPeers;

  NatswarmBtModule(TrackerPolicy trackers, DirectPeers directPeers) {
    this.trackers = trackers;
    this.directPeers = directPeers;
  }

  @Override
  public void configure(Binder binder) {
    binder.bind(TrackerPolicy.class).toInstance(trackers);
    binder.bind(ITrackerService.class).to(LoopbackTrackerPolicy.class).in(Singleton.class);
    ServiceModule.extend(binder).addPeerSourceFactory(directPeers);
  }
}
