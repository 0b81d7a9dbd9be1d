package io.natswarm.config;

/** How much the node logs (to standard error). */
public enum LogLevel {
  ERROR,
  WARN,
  INFO,
  DEBUG,
  TRACE
}
