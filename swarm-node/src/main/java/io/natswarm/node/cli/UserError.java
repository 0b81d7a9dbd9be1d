package io.natswarm.node.cli;

/**
 * A failure a person can act on, with the message to show them and the exit code; the command line
 * prints the message alone, never a stack trace.
 */
final class UserError extends Exception {
  private static final long serialVersionUID = 1L;
  private final int exitCode;

  UserError(int exitCode, String message) {
    super(message, null, false, false);
    this.exitCode = exitCode;
  }

  /** Bad input ({@link ExitCodes#BAD_INPUT}). */
  static UserError badInput(String message) {
    return new UserError(ExitCodes.BAD_INPUT, message);
  }

  /** A failure while running ({@link ExitCodes#FAILED}). */
  /**
   * What went wrong in {@code e}, for a person: its message, or its kind when it has none (a bug:
   * the debug log has the stack).
   */
  static String reason(Throwable e) {
    org.slf4j.LoggerFactory.getLogger(UserError.class).debug("failure", e);
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }

  static UserError failed(String message) {
    return new UserError(ExitCodes.FAILED, message);
  }

  int exitCode() {
    return exitCode;
  }
}
