package io.natswarm.utp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UtpHeaderTest {
  private final UtpHeader h = new UtpHeader();

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 4})
  void roundTripsEveryPacketType(int type) {
    ByteBuffer b = ByteBuffer.allocate(64);
    UtpHeader.write(b, type, 0, 0xBEEF, 0xFFFF_FFF0L, 123_456L, 0xFFFF_FFFFL, 65_535, 7);
    b.put(new byte[] {1, 2, 3});
    b.flip();
    assertEquals(UtpHeader.OK, h.parse(b));
    assertEquals(type, h.type);
    assertEquals(0xBEEF, h.connectionId);
    assertEquals(0xFFFF_FFF0L, h.timestampMicros);
    assertEquals(123_456L, h.timestampDifferenceMicros);
    assertEquals(0xFFFF_FFFFL, h.windowSize);
    assertEquals(65_535, h.seqNr);
    assertEquals(7, h.ackNr);
    assertEquals(-1, h.sackOffset);
    assertEquals(20, h.payloadOffset);
    assertEquals(3, h.payloadLength);
    assertEquals(0, b.position(), "parse must not move the buffer");
  }

  @Test
  void byteLayoutMatchesBep29() {
    ByteBuffer b = ByteBuffer.allocate(20);
    UtpHeader.write(b, UtpHeader.ST_SYN, 0, 0x1234, 0x01020304L, 0x05060708L, 0x0A0B0C0DL, 1, 2);
    byte[] expected = {
      0x41, 0, 0x12, 0x34, 1, 2, 3, 4, 5, 6, 7, 8, 0x0A, 0x0B, 0x0C, 0x0D, 0, 1, 0, 2
    };
    assertEquals(ByteBuffer.wrap(expected), b.flip());
  }

  @Test
  void selectiveAckOfAnyLengthAndUnknownExtensionsAreSkipped() {
    // ext chain: unknown type 7 (3 bytes) -> SACK (5 bytes, not a multiple of 4) -> end; payload.
    ByteBuffer b = ByteBuffer.allocate(64);
    UtpHeader.write(b, UtpHeader.ST_STATE, 7, 1, 0, 0, 100, 10, 20);
    b.put((byte) 1).put((byte) 3).put(new byte[] {9, 9, 9});
    b.put((byte) 0).put((byte) 5).put(new byte[] {(byte) 0x81, 0, 0, 0, 1});
    b.put((byte) 42);
    b.flip();
    assertEquals(UtpHeader.OK, h.parse(b));
    assertEquals(27, h.sackOffset);
    assertEquals(5, h.sackLength);
    assertEquals(true, UtpHeader.sackBit(b, h.sackOffset, 0));
    assertEquals(false, UtpHeader.sackBit(b, h.sackOffset, 1));
    assertEquals(true, UtpHeader.sackBit(b, h.sackOffset, 7));
    assertEquals(true, UtpHeader.sackBit(b, h.sackOffset, 32));
    assertEquals(32, h.payloadOffset);
    assertEquals(1, h.payloadLength);
  }

  @Test
  void paddingChainOfAnyLengthParsesBackToThePayload() {
    for (int pad = 2; pad < 1200; pad += 37) {
      ByteBuffer b = ByteBuffer.allocate(1500);
      UtpHeader.write(b, UtpHeader.ST_DATA, UtpHeader.EXT_PADDING, 1, 0, 0, 0, 3, 4);
      UtpHeader.writePadding(b, pad);
      b.put((byte) 9);
      b.flip();
      assertEquals(UtpHeader.OK, h.parse(b), "padding " + pad);
      assertEquals(20 + pad, h.payloadOffset, "padding " + pad);
      assertEquals(1, h.payloadLength);
    }
  }

  @Test
  void parsesFromANonZeroPosition() {
    ByteBuffer b = ByteBuffer.allocate(40);
    b.position(7);
    UtpHeader.write(b, UtpHeader.ST_DATA, 0, 5, 0, 0, 0, 3, 4);
    b.limit(b.position()).position(7);
    assertEquals(UtpHeader.OK, h.parse(b));
    assertEquals(5, h.connectionId);
    assertEquals(27, h.payloadOffset);
    assertEquals(0, h.payloadLength);
  }

  @Test
  void rejectsShortBadVersionBadTypeAndOverrunningExtensions() {
    assertEquals(UtpHeader.TOO_SHORT, h.parse(ByteBuffer.allocate(19)));
    ByteBuffer b = ByteBuffer.allocate(20);
    UtpHeader.write(b, UtpHeader.ST_DATA, 0, 1, 0, 0, 0, 0, 0);
    b.put(0, (byte) 0x02);
    assertEquals(UtpHeader.BAD_VERSION, h.parse(b.flip()));
    b.put(0, (byte) 0x51);
    assertEquals(UtpHeader.BAD_TYPE, h.parse(b));
    b.put(0, (byte) 0x21).put(1, (byte) 1);
    assertEquals(UtpHeader.BAD_EXTENSION, h.parse(b), "extension header missing");
    ByteBuffer c = ByteBuffer.allocate(24);
    UtpHeader.write(c, UtpHeader.ST_STATE, 1, 1, 0, 0, 0, 0, 0);
    c.put((byte) 0).put((byte) 8).put((byte) 0).put((byte) 0);
    assertEquals(UtpHeader.BAD_EXTENSION, h.parse(c.flip()), "SACK longer than the packet");
  }

  @Test
  void sequenceArithmeticWrapsAt16Bits() {
    assertEquals(0, SeqNr.add(65_535, 1));
    assertEquals(65_535, SeqNr.add(0, -1));
    assertEquals(1, SeqNr.diff(0, 65_535));
    assertEquals(-1, SeqNr.diff(65_535, 0));
    assertEquals(true, SeqNr.before(65_530, 5));
    assertEquals(false, SeqNr.before(5, 65_530));
    assertEquals(32_767, SeqNr.diff(32_767, 0));
    assertEquals(-32_768, SeqNr.diff(32_768, 0));
  }
}
