/**
 * Peer exchange, ut_pex (BEP 11), as sans-IO parts the swarm node drives from the thread that owns
 * a torrent's connections: the message codec ({@link io.natswarm.pex.PexCodec}) with its typed
 * errors, the per-connection sender that turns "who am I connected to now" into added/dropped diffs
 * under the rate rules ({@link io.natswarm.pex.PexSender}), the per-connection receiver that
 * enforces them on the other side ({@link io.natswarm.pex.PexReceiver}), the peer flags ({@link
 * io.natswarm.pex.PexFlags}) and the counters ({@link io.natswarm.pex.PexCounters}).
 */
package io.natswarm.pex;
