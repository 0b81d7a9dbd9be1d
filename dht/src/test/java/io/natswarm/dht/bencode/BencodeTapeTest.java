package io.natswarm.dht.bencode;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BencodeTapeTest {
  private final BencodeTape tape = new BencodeTape(64, 4, 4096, true);

  private BencodeError decode(String s) {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    return tape.decode(b, 0, b.length);
  }

  @Test
  void decodesNestedDictionaryAndFindsKeys() {
    assertThat(decode("d1:ad2:id3:abce1:ti-42e1:yl1:x0:ee")).isEqualTo(BencodeError.NONE);
    int a = tape.get(0, "a".getBytes(StandardCharsets.US_ASCII));
    assertThat(tape.type(a)).isEqualTo(BencodeTape.DICT);
    assertThat(tape.asString(tape.get(a, "id".getBytes(StandardCharsets.US_ASCII))))
        .isEqualTo("abc");
    assertThat(tape.intValue(tape.get(0, "t".getBytes(StandardCharsets.US_ASCII)))).isEqualTo(-42);
    int y = tape.get(0, "y".getBytes(StandardCharsets.US_ASCII));
    assertThat(tape.size(y)).isEqualTo(2);
    assertThat(tape.length(tape.element(y, 1))).isZero();
    assertThat(tape.size(0)).isEqualTo(3);
  }

  @ParameterizedTest
  @CsvSource({
    "'', EMPTY",
    "d, TRUNCATED",
    "i12, TRUNCATED",
    "i-0e, BAD_INTEGER",
    "i03e, BAD_INTEGER",
    "ie, BAD_INTEGER",
    "i1234567890123456789e, INTEGER_TOO_LARGE",
    "5:abc, TRUNCATED",
    "03:abc, BAD_STRING_LENGTH",
    "9999999999:a, STRING_TOO_LONG",
    "d1:b0:1:a0:e, KEYS_NOT_SORTED",
    "d1:a0:1:a0:e, KEYS_NOT_SORTED",
    "di1e0:e, KEY_NOT_STRING",
    "d1:ae, TRUNCATED",
    "lllllee, TOO_DEEP",
    "i1ei2e, TRAILING_BYTES",
    "e, UNEXPECTED_BYTE",
    "x, UNEXPECTED_BYTE"
  })
  void rejectsBadInputWithTypedError(String input, BencodeError expected) {
    assertThat(decode(input)).isEqualTo(expected);
  }

  @Test
  void keyOrderIsCheckedAgainstThePreviousKeyNotThePreviousToken() {
    assertThat(decode("d1:ad1:zi1ee1:bi2ee")).isEqualTo(BencodeError.NONE);
    assertThat(decode("d1:bd1:ai1ee1:ai2ee")).isEqualTo(BencodeError.KEYS_NOT_SORTED);
  }

  @Test
  void leniantTapeAcceptsUnsortedKeys() {
    BencodeTape lenient = new BencodeTape(16, 4, 100, false);
    byte[] b = "d1:b0:1:a0:e".getBytes(StandardCharsets.US_ASCII);
    assertThat(lenient.decode(b, 0, b.length)).isEqualTo(BencodeError.NONE);
  }

  @Test
  void tokenLimitIsEnforced() {
    StringBuilder sb = new StringBuilder("l");
    for (int i = 0; i < 64; i++) {
      sb.append("i1e");
    }
    assertThat(decode(sb.append('e').toString())).isEqualTo(BencodeError.TOO_MANY_TOKENS);
  }

  @Test
  void inputLimitIsCheckedFirst() {
    BencodeTape small = new BencodeTape(16, 4, 10, true);
    byte[] b = "11:hello world".getBytes(StandardCharsets.US_ASCII);
    assertThat(small.decode(b, 0, b.length)).isEqualTo(BencodeError.INPUT_TOO_LONG);
  }

  @Test
  void writerOutputRoundTrips() {
    ByteBuffer out = ByteBuffer.allocate(256);
    BencodeWriter.dict(out);
    BencodeWriter.raw(out, BencodeWriter.key("a"));
    BencodeWriter.integer(out, -1234567890123L);
    BencodeWriter.raw(out, BencodeWriter.key("b"));
    BencodeWriter.list(out);
    BencodeWriter.integer(out, 0);
    BencodeWriter.string(out, new byte[] {1, 2, 3});
    BencodeWriter.end(out);
    BencodeWriter.end(out);
    assertThat(new String(out.array(), 0, out.position(), StandardCharsets.ISO_8859_1))
        .isEqualTo("d1:ai-1234567890123e1:bli0e3:\u0001\u0002\u0003ee");
    assertThat(tape.decode(out.array(), 0, out.position())).isEqualTo(BencodeError.NONE);
    assertThat(tape.intValue(1 + 1)).isEqualTo(-1234567890123L);
  }
}
