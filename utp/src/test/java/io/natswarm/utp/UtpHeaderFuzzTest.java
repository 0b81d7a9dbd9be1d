package io.natswarm.utp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;

/** Jazzer target: the header and extension parser never throws and stays within the datagram. */
class UtpHeaderFuzzTest {
  private final UtpHeader header = new UtpHeader();

  @FuzzTest
  void parse(byte[] data) {
    ByteBuffer b = ByteBuffer.wrap(data);
    int rc = header.parse(b);
    assertEquals(0, b.position());
    if (rc != UtpHeader.OK) {
      assertTrue(rc >= UtpHeader.TOO_SHORT && rc <= UtpHeader.BAD_EXTENSION);
      return;
    }
    assertTrue(header.type >= UtpHeader.ST_DATA && header.type <= UtpHeader.ST_SYN);
    assertTrue(header.payloadOffset >= UtpHeader.SIZE);
    assertEquals(data.length, header.payloadOffset + header.payloadLength);
    if (header.sackOffset >= 0) {
      assertTrue(header.sackOffset + header.sackLength <= header.payloadOffset);
      for (int i = 0; i < header.sackLength * 8; i++) {
        UtpHeader.sackBit(b, header.sackOffset, i);
      }
    }
  }
}
