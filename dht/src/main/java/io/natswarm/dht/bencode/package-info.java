/** Bencoding (BEP 3): a strict, bounded, allocation-free decoder tape and an encoder. */
package io.natswarm.dht.bencode;
