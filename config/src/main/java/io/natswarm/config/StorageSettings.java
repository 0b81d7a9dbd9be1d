package io.natswarm.config;

import java.nio.file.Path;

/**
 * Where files and state live.
 *
 * @param downloadDir where downloads go by default
 * @param stateDir where the node keeps its state (the DHT routing table)
 */
public record StorageSettings(Path downloadDir, Path stateDir) {}
