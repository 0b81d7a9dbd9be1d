package io.natswarm.config;

/**
 * Logging.
 *
 * @param level the least severe level logged
 */
public record LogSettings(LogLevel level) {}
