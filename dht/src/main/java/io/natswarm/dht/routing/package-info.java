/**
 * Who we know: 160-bit ids, BEP 42 id checks, the k-bucket routing table with its replacement
 * caches and diversity limits, and its persistence.
 */
package io.natswarm.dht.routing;
