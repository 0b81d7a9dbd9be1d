package io.natswarm.node.cli;

/** The exit codes of every command. */
final class ExitCodes {
  /** Done: for {@code get}, every file complete and every piece verified. */
  static final int OK = 0;

  /** Something failed while running (a download that did not complete, a port in use). */
  static final int FAILED = 1;

  /** Bad input: arguments, settings, a malformed .torrent or magnet link, an unusable directory. */
  static final int BAD_INPUT = 2;

  private ExitCodes() {}
}
