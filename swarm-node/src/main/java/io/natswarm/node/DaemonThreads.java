package io.natswarm.node;

import java.util.concurrent.ThreadFactory;

/**
 * The node's background threads: daemon threads (a node that was not closed never keeps the JVM
 * alive) with a name that says whose they are in a thread dump.
 */
public final class DaemonThreads {
  private DaemonThreads() {}

  /** A factory of daemon threads all named {@code name}. */
  public static ThreadFactory named(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
