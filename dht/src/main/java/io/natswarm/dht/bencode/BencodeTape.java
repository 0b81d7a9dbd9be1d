package io.natswarm.dht.bencode;

import java.nio.charset.StandardCharsets;

/**
 * A strict, bounded bencode decoder (BEP 3) that records a flat "tape" of tokens over the input
 * bytes instead of building objects: a value is a token index; strings are views into the input.
 *
 * <p>Every limit (input length, token count, nesting depth, string length, integer size) is checked
 * before anything is read or allocated; {@link #decode} returns a {@link BencodeError} and never
 * throws on bad bytes. Dictionary keys must be byte strings in strictly ascending order (duplicates
 * are rejected) unless the tape was built lenient. One tape is reused for every datagram: decoding
 * allocates nothing.
 *
 * <p>Not thread-safe; owned by the thread that owns the DHT node.
 */
public final class BencodeTape {
  public static final byte INT = 'i';
  public static final byte STRING = 's';
  public static final byte LIST = 'l';
  public static final byte DICT = 'd';

  private final int maxTokens;
  private final int maxDepth;
  private final int maxInput;
  private final boolean strictKeyOrder;
  private final byte[] type;
  private final int[] start;
  private final int[] end;
  private final int[] next;
  private final long[] intValue;
  private final int[] stack;
  private final int[] children;
  private final int[] lastKey;
  private byte[] buf = new byte[0];
  private int count;

  /**
   * @param maxTokens most tokens (values, keys included) in one input
   * @param maxDepth deepest nesting of lists and dictionaries (the top-level container is depth 1)
   * @param maxInput longest input accepted
   * @param strictKeyOrder whether dictionary keys must be strictly ascending
   */
  public BencodeTape(int maxTokens, int maxDepth, int maxInput, boolean strictKeyOrder) {
    if (maxTokens < 1 || maxDepth < 1 || maxInput < 1) {
      throw new IllegalArgumentException("limits must be positive");
    }
    this.maxTokens = maxTokens;
    this.maxDepth = maxDepth;
    this.maxInput = maxInput;
    this.strictKeyOrder = strictKeyOrder;
    this.type = new byte[maxTokens];
    this.start = new int[maxTokens];
    this.end = new int[maxTokens];
    this.next = new int[maxTokens];
    this.intValue = new long[maxTokens];
    this.stack = new int[maxDepth];
    this.children = new int[maxDepth];
    this.lastKey = new int[maxDepth];
  }

  /** A tape with limits suited to KRPC datagrams. */
  public static BencodeTape forKrpc() {
    return new BencodeTape(1024, 8, 65_536, true);
  }

  /** Decodes {@code len} bytes of {@code input} from {@code off}; the tape keeps a reference. */
  public BencodeError decode(byte[] input, int off, int len) {
    count = 0;
    buf = input;
    if (len <= 0) {
      return BencodeError.EMPTY;
    }
    if (len > maxInput) {
      return BencodeError.INPUT_TOO_LONG;
    }
    if (off < 0 || off + len > input.length) {
      return BencodeError.TRUNCATED;
    }
    int limit = off + len;
    int pos = off;
    int depth = 0;
    do {
      if (pos >= limit) {
        return BencodeError.TRUNCATED;
      }
      byte b = input[pos];
      if (b == 'e') {
        if (depth == 0) {
          return BencodeError.UNEXPECTED_BYTE;
        }
        int open = stack[--depth];
        if (type[open] == DICT && (children[depth] & 1) != 0) {
          return BencodeError.TRUNCATED; // a key without a value
        }
        end[open] = pos + 1;
        next[open] = count;
        pos++;
        continue;
      }
      if (count >= maxTokens) {
        return BencodeError.TOO_MANY_TOKENS;
      }
      // a dictionary key position: must be a string, in order
      boolean isKey = false;
      if (depth > 0) {
        int open = stack[depth - 1];
        isKey = type[open] == DICT && (children[depth - 1] & 1) == 0;
        if (isKey && (b < '0' || b > '9')) {
          return BencodeError.KEY_NOT_STRING;
        }
        children[depth - 1]++;
      }
      int t = count++;
      next[t] = t + 1;
      start[t] = pos;
      if (b == 'd' || b == 'l') {
        if (depth >= maxDepth) {
          return BencodeError.TOO_DEEP;
        }
        type[t] = b;
        children[depth] = 0;
        lastKey[depth] = -1;
        stack[depth++] = t;
        pos++;
      } else if (b == 'i') {
        type[t] = INT;
        int p = pos + 1;
        boolean neg = false;
        if (p < limit && input[p] == '-') {
          neg = true;
          p++;
        }
        int digitsStart = p;
        long v = 0;
        while (p < limit && input[p] >= '0' && input[p] <= '9') {
          if (p - digitsStart >= 18) {
            return BencodeError.INTEGER_TOO_LARGE;
          }
          v = v * 10 + (input[p] - '0');
          p++;
        }
        if (p >= limit) {
          return BencodeError.TRUNCATED;
        }
        int digits = p - digitsStart;
        if (input[p] != 'e'
            || digits == 0
            || (digits > 1 && input[digitsStart] == '0')
            || (neg && v == 0)) {
          return BencodeError.BAD_INTEGER;
        }
        intValue[t] = neg ? -v : v;
        start[t] = digitsStart;
        end[t] = p;
        pos = p + 1;
      } else if (b >= '0' && b <= '9') {
        type[t] = STRING;
        int p = pos;
        long n = 0;
        while (p < limit && input[p] >= '0' && input[p] <= '9') {
          if (p - pos >= 9) {
            return BencodeError.STRING_TOO_LONG;
          }
          n = n * 10 + (input[p] - '0');
          p++;
        }
        if (p >= limit) {
          return BencodeError.TRUNCATED;
        }
        if (input[p] != ':' || (p - pos > 1 && input[pos] == '0')) {
          return BencodeError.BAD_STRING_LENGTH;
        }
        p++;
        if (n > limit - p) {
          return BencodeError.TRUNCATED;
        }
        start[t] = p;
        end[t] = p + (int) n;
        pos = end[t];
        if (isKey) {
          int prev = lastKey[depth - 1];
          if (strictKeyOrder && prev >= 0 && compare(prev, t) >= 0) {
            return BencodeError.KEYS_NOT_SORTED;
          }
          lastKey[depth - 1] = t;
        }
      } else {
        return BencodeError.UNEXPECTED_BYTE;
      }
    } while (depth > 0);
    if (pos != limit) {
      return BencodeError.TRAILING_BYTES;
    }
    return BencodeError.NONE;
  }

  /** Compares two string tokens bytewise (unsigned). */
  private int compare(int a, int b) {
    return java.util.Arrays.compareUnsigned(buf, start[a], end[a], buf, start[b], end[b]);
  }

  /** Number of tokens of the last successful decode (0 after an error may be partial). */
  public int count() {
    return count;
  }

  /** The input of the last decode. */
  public byte[] input() {
    return buf;
  }

  public byte type(int token) {
    return type[token];
  }

  /** The token after {@code token} and everything nested in it. */
  public int next(int token) {
    return next[token];
  }

  /** For a string: first byte of its content. */
  public int start(int token) {
    return start[token];
  }

  /** For a string: its content length. */
  public int length(int token) {
    return end[token] - start[token];
  }

  public long intValue(int token) {
    return intValue[token];
  }

  /** Number of elements of a list, or entries of a dictionary. */
  public int size(int container) {
    int n = 0;
    for (int i = container + 1; i < next[container]; i = next[i]) {
      n++;
    }
    return type[container] == DICT ? n / 2 : n;
  }

  /** The {@code index}-th element of a list. */
  public int element(int list, int index) {
    int i = list + 1;
    for (int n = 0; n < index && i < next[list]; n++) {
      i = next[i];
    }
    return i < next[list] ? i : -1;
  }

  /** The value token for {@code key} in dictionary {@code dict}, or -1. */
  public int get(int dict, byte[] key) {
    if (dict < 0 || type[dict] != DICT) {
      return -1;
    }
    for (int k = dict + 1; k < next[dict]; k = next[k + 1]) {
      if (equals(k, key)) {
        return k + 1;
      }
    }
    return -1;
  }

  /** Whether string token {@code token} has exactly the bytes {@code key}. */
  public boolean equals(int token, byte[] key) {
    return type[token] == STRING
        && java.util.Arrays.equals(buf, start[token], end[token], key, 0, key.length);
  }

  /** The value for {@code key} if it is a string of the given lengths, or -1. */
  public int getString(int dict, byte[] key) {
    int v = get(dict, key);
    return v >= 0 && type[v] == STRING ? v : -1;
  }

  /** Copies a string token (for diagnostics and tests). */
  public String asString(int token) {
    return new String(buf, start[token], length(token), StandardCharsets.ISO_8859_1);
  }
}
