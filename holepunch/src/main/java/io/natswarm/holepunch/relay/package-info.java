/**
 * Relaying a connection through a peer both ends are connected to, ns_relay, natswarm's BEP 10
 * extension: the message codec ({@link io.natswarm.holepunch.relay.RelayCodec}), the relay's side
 * ({@link io.natswarm.holepunch.relay.RelaySwitch}), which joins an initiator to a target and
 * forwards opaque frames between the two connections with per-hop circuit ids and end-to-end
 * credit, and the ends' encryption ({@link io.natswarm.holepunch.relay.RelayCipher}: X25519, HKDF
 * and ChaCha20-Poly1305, keys bound to the info-hash and both peer ids). All are sans-IO: they take
 * parsed messages or payloads, peer handles and {@code nowNanos}, and hand out messages to send and
 * deadlines; they are owned by the node's engine thread (the thread that owns the peer
 * connections). The ends' stream logic and the choice of a relay are not here.
 */
package io.natswarm.holepunch.relay;
