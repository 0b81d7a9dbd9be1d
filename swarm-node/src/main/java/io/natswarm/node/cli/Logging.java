package io.natswarm.node.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.natswarm.config.LogLevel;
import org.slf4j.LoggerFactory;

/**
 * The one logging default: SLF4J through Logback to standard error, at {@code log.level} (warn
 * unless set; {@code logback.xml} reads {@code NATSWARM_LOG_LEVEL} before the settings are loaded).
 */
final class Logging {
  private Logging() {}

  /** Sets the root logger's level, when Logback is the SLF4J binding (it is, in the node). */
  static void apply(LogLevel level) {
    if (LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof Logger root) {
      root.setLevel(Level.toLevel(level.name(), Level.WARN));
    }
  }
}
