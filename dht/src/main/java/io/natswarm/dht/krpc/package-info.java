/**
 * KRPC (BEP 5) messages: the parser into a reusable view, the writer, and their error and method
 * enums. BEP 32, 42, 43 and 51 fields included.
 */
package io.natswarm.dht.krpc;
