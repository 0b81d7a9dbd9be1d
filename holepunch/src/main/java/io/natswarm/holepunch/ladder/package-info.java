/**
 * The connection ladder (issue 12): the order in which a node tries the ways to reach a peer
 * (direct, hole punch, relay through a peer), as data ({@link
 * io.natswarm.holepunch.ladder.PathLadder}), with a record of failed ways that postpones them
 * rather than forgets them, and tracer events that tests and the status page read. Sans-IO: it
 * takes outcomes and {@code nowNanos} and says what to try next; the engine does the trying.
 */
package io.natswarm.holepunch.ladder;
