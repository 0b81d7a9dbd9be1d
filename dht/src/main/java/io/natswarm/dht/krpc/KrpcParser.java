package io.natswarm.dht.krpc;

import io.natswarm.dht.bencode.BencodeError;
import io.natswarm.dht.bencode.BencodeTape;
import java.nio.charset.StandardCharsets;

/**
 * Parses KRPC datagrams (BEP 5 "KRPC Protocol"; BEP 32 {@code nodes6}/{@code want}; BEP 42
 * top-level {@code ip}; BEP 43 {@code ro}; BEP 51 {@code sample_infohashes}) into a reused {@link
 * KrpcMessage}. Returns a {@link KrpcError}; never throws on bad bytes and allocates nothing.
 *
 * <p>Lenient where real clients differ (libtorrent's {@code r.p}, 4-byte tokens, unknown keys,
 * {@code ro} as a top-level key); strict about types and sizes of the fields it uses. Responses do
 * not say which query they answer, so a response is only checked structurally here; the node checks
 * it against the call it matches.
 *
 * <p>Owned by the thread that owns the DHT node.
 */
public final class KrpcParser {
  static final int MAX_TX = 32;
  static final int MAX_TOKEN = 64;

  private static final byte[] T = key("t");
  private static final byte[] Y = key("y");
  private static final byte[] Q = key("q");
  private static final byte[] A = key("a");
  private static final byte[] R = key("r");
  private static final byte[] E = key("e");
  private static final byte[] V = key("v");
  private static final byte[] IP = key("ip");
  private static final byte[] RO = key("ro");
  private static final byte[] ID = key("id");
  private static final byte[] TARGET = key("target");
  private static final byte[] INFO_HASH = key("info_hash");
  private static final byte[] TOKEN = key("token");
  private static final byte[] PORT = key("port");
  private static final byte[] IMPLIED_PORT = key("implied_port");
  private static final byte[] WANT = key("want");
  private static final byte[] NODES = key("nodes");
  private static final byte[] NODES6 = key("nodes6");
  private static final byte[] VALUES = key("values");
  private static final byte[] P = key("p");
  private static final byte[] SAMPLES = key("samples");
  private static final byte[] INTERVAL = key("interval");
  private static final byte[] NUM = key("num");
  private static final byte[] N4 = key("n4");
  private static final byte[] N6 = key("n6");

  private final BencodeTape tape;
  private BencodeError bencodeError = BencodeError.NONE;

  public KrpcParser() {
    this(BencodeTape.forKrpc());
  }

  public KrpcParser(BencodeTape tape) {
    this.tape = tape;
  }

  private static byte[] key(String k) {
    return k.getBytes(StandardCharsets.US_ASCII);
  }

  /** The bencode error of the last parse that returned {@link KrpcError#BENCODE}. */
  public BencodeError bencodeError() {
    return bencodeError;
  }

  /** Parses {@code buf[off, off+len)} into {@code msg}. */
  public KrpcError parse(byte[] buf, int off, int len, KrpcMessage msg) {
    msg.reset(buf);
    bencodeError = tape.decode(buf, off, len);
    if (bencodeError != BencodeError.NONE) {
      return KrpcError.BENCODE;
    }
    BencodeTape tp = tape;
    if (tp.type(0) != BencodeTape.DICT) {
      return KrpcError.NOT_A_DICT;
    }
    int t = tp.get(0, T);
    if (t < 0) {
      return KrpcError.MISSING_TRANSACTION;
    }
    if (tp.type(t) != BencodeTape.STRING || tp.length(t) > MAX_TX) {
      return KrpcError.BAD_TRANSACTION;
    }
    msg.txOff = tp.start(t);
    msg.txLen = tp.length(t);
    int y = tp.getString(0, Y);
    if (y < 0 || tp.length(y) != 1) {
      return KrpcError.BAD_TYPE;
    }
    int v = tp.getString(0, V);
    if (v >= 0) {
      msg.versionOff = tp.start(v);
      msg.versionLen = tp.length(v);
    }
    int ip = tp.get(0, IP);
    if (ip >= 0) {
      if (tp.type(ip) != BencodeTape.STRING || (tp.length(ip) != 6 && tp.length(ip) != 18)) {
        return KrpcError.BAD_IP;
      }
      msg.ipOff = tp.start(ip);
      msg.ipLen = tp.length(ip);
    }
    return switch (buf[tp.start(y)]) {
      case 'q' -> {
        msg.kind = KrpcKind.QUERY;
        yield parseQuery(tp, msg);
      }
      case 'r' -> {
        msg.kind = KrpcKind.RESPONSE;
        yield parseResponse(tp, msg);
      }
      case 'e' -> {
        msg.kind = KrpcKind.ERROR;
        yield parseError(tp, msg);
      }
      default -> KrpcError.BAD_TYPE;
    };
  }

  private KrpcError parseQuery(BencodeTape tp, KrpcMessage msg) {
    int ro = tp.get(0, RO);
    if (ro >= 0 && tp.type(ro) == BencodeTape.INT && tp.intValue(ro) == 1) {
      msg.readOnly = true;
    }
    int q = tp.getString(0, Q);
    if (q < 0) {
      return KrpcError.MISSING_METHOD;
    }
    int a = tp.get(0, A);
    if (a < 0 || tp.type(a) != BencodeTape.DICT) {
      return KrpcError.MISSING_ARGUMENTS;
    }
    KrpcError err = readId(tp, a, msg);
    if (err != KrpcError.NONE) {
      return err;
    }
    int ro2 = tp.get(a, RO);
    if (ro2 >= 0 && tp.type(ro2) == BencodeTape.INT && tp.intValue(ro2) == 1) {
      msg.readOnly = true;
    }
    readWant(tp, a, msg);
    int target = tp.get(a, TARGET);
    if (target >= 0) {
      if (tp.type(target) != BencodeTape.STRING || tp.length(target) != 20) {
        return KrpcError.BAD_TARGET;
      }
      msg.targetOff = tp.start(target);
    }
    int ih = tp.get(a, INFO_HASH);
    if (ih >= 0) {
      if (tp.type(ih) != BencodeTape.STRING || tp.length(ih) != 20) {
        return KrpcError.BAD_INFO_HASH;
      }
      msg.infoHashOff = tp.start(ih);
    }
    KrpcMethod m = methodOf(tp, q);
    msg.method = m;
    return switch (m) {
      case PING -> KrpcError.NONE;
      case FIND_NODE, SAMPLE_INFOHASHES ->
          msg.targetOff >= 0 ? KrpcError.NONE : KrpcError.BAD_TARGET;
      case GET_PEERS -> msg.infoHashOff >= 0 ? KrpcError.NONE : KrpcError.BAD_INFO_HASH;
      case ANNOUNCE_PEER -> parseAnnounce(tp, a, msg);
      case UNKNOWN ->
          msg.targetOff < 0 && msg.infoHashOff < 0 ? KrpcError.UNKNOWN_METHOD : KrpcError.NONE;
    };
  }

  private KrpcError parseAnnounce(BencodeTape tp, int a, KrpcMessage msg) {
    if (msg.infoHashOff < 0) {
      return KrpcError.BAD_INFO_HASH;
    }
    int tok = tp.get(a, TOKEN);
    if (tok < 0 || tp.type(tok) != BencodeTape.STRING || tp.length(tok) > MAX_TOKEN) {
      return KrpcError.BAD_TOKEN;
    }
    msg.tokenOff = tp.start(tok);
    msg.tokenLen = tp.length(tok);
    int ip = tp.get(a, IMPLIED_PORT);
    if (ip >= 0 && tp.type(ip) == BencodeTape.INT && tp.intValue(ip) != 0) {
      msg.impliedPort = true;
    }
    int port = tp.get(a, PORT);
    if (port >= 0) {
      if (tp.type(port) != BencodeTape.INT || tp.intValue(port) < 0 || tp.intValue(port) > 65_535) {
        return KrpcError.BAD_PORT;
      }
      msg.port = (int) tp.intValue(port);
    } else if (!msg.impliedPort) {
      return KrpcError.BAD_PORT;
    }
    return KrpcError.NONE;
  }

  private static void readWant(BencodeTape tp, int a, KrpcMessage msg) {
    int w = tp.get(a, WANT);
    if (w < 0 || tp.type(w) != BencodeTape.LIST) {
      return;
    }
    for (int i = w + 1; i < tp.next(w); i = tp.next(i)) {
      if (tp.equals(i, N4)) {
        msg.want |= KrpcMessage.WANT_N4;
      } else if (tp.equals(i, N6)) {
        msg.want |= KrpcMessage.WANT_N6;
      }
    }
  }

  private static KrpcError readId(BencodeTape tp, int dict, KrpcMessage msg) {
    int id = tp.get(dict, ID);
    if (id < 0) {
      return KrpcError.MISSING_ID;
    }
    if (tp.type(id) != BencodeTape.STRING || tp.length(id) != 20) {
      return KrpcError.BAD_ID;
    }
    msg.idOff = tp.start(id);
    return KrpcError.NONE;
  }

  private static KrpcMethod methodOf(BencodeTape tp, int q) {
    for (KrpcMethod m : METHODS) {
      if (tp.equals(q, m.wire())) {
        return m;
      }
    }
    return KrpcMethod.UNKNOWN;
  }

  private static final KrpcMethod[] METHODS = {
    KrpcMethod.GET_PEERS,
    KrpcMethod.FIND_NODE,
    KrpcMethod.PING,
    KrpcMethod.ANNOUNCE_PEER,
    KrpcMethod.SAMPLE_INFOHASHES
  };

  private KrpcError parseResponse(BencodeTape tp, KrpcMessage msg) {
    int r = tp.get(0, R);
    if (r < 0 || tp.type(r) != BencodeTape.DICT) {
      return KrpcError.MISSING_RESPONSE;
    }
    KrpcError err = readId(tp, r, msg);
    if (err != KrpcError.NONE) {
      return err;
    }
    int nodes = tp.get(r, NODES);
    if (nodes >= 0) {
      if (tp.type(nodes) != BencodeTape.STRING || tp.length(nodes) % 26 != 0) {
        return KrpcError.BAD_NODES;
      }
      msg.nodesOff = tp.start(nodes);
      msg.nodesLen = tp.length(nodes);
    }
    int nodes6 = tp.get(r, NODES6);
    if (nodes6 >= 0) {
      if (tp.type(nodes6) != BencodeTape.STRING || tp.length(nodes6) % 38 != 0) {
        return KrpcError.BAD_NODES;
      }
      msg.nodes6Off = tp.start(nodes6);
      msg.nodes6Len = tp.length(nodes6);
    }
    int tok = tp.get(r, TOKEN);
    if (tok >= 0) {
      if (tp.type(tok) != BencodeTape.STRING || tp.length(tok) > MAX_TOKEN) {
        return KrpcError.BAD_TOKEN;
      }
      msg.tokenOff = tp.start(tok);
      msg.tokenLen = tp.length(tok);
    }
    int values = tp.get(r, VALUES);
    if (values >= 0) {
      if (tp.type(values) != BencodeTape.LIST) {
        return KrpcError.BAD_VALUES;
      }
      for (int i = values + 1; i < tp.next(values); i = tp.next(i)) {
        if (tp.type(i) != BencodeTape.STRING || (tp.length(i) != 6 && tp.length(i) != 18)) {
          continue; // some clients pad or send junk entries; skip those, keep the rest
        }
        if (msg.valueCount == KrpcMessage.MAX_VALUES) {
          break;
        }
        msg.valueOff[msg.valueCount] = tp.start(i);
        msg.valueLen[msg.valueCount] = tp.length(i);
        msg.valueCount++;
      }
    }
    int p = tp.get(r, P);
    if (p >= 0 && tp.type(p) == BencodeTape.INT && tp.intValue(p) > 0) {
      if (tp.intValue(p) <= 65_535) {
        msg.responsePort = (int) tp.intValue(p);
      }
    }
    int samples = tp.get(r, SAMPLES);
    if (samples >= 0) {
      if (tp.type(samples) != BencodeTape.STRING || tp.length(samples) % 20 != 0) {
        return KrpcError.BAD_SAMPLES;
      }
      msg.samplesOff = tp.start(samples);
      msg.samplesLen = tp.length(samples);
    }
    int interval = tp.get(r, INTERVAL);
    if (interval >= 0 && tp.type(interval) == BencodeTape.INT) {
      msg.interval = tp.intValue(interval);
    }
    int num = tp.get(r, NUM);
    if (num >= 0 && tp.type(num) == BencodeTape.INT) {
      msg.num = tp.intValue(num);
    }
    return KrpcError.NONE;
  }

  private static KrpcError parseError(BencodeTape tp, KrpcMessage msg) {
    int e = tp.get(0, E);
    if (e < 0 || tp.type(e) != BencodeTape.LIST) {
      return KrpcError.BAD_ERROR;
    }
    int code = tp.element(e, 0);
    if (code < 0 || tp.type(code) != BencodeTape.INT) {
      return KrpcError.BAD_ERROR;
    }
    msg.errorCode =
        (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, tp.intValue(code)));
    int text = tp.element(e, 1);
    if (text >= 0 && tp.type(text) == BencodeTape.STRING) {
      msg.errorMsgOff = tp.start(text);
      msg.errorMsgLen = tp.length(text);
    }
    return KrpcError.NONE;
  }
}
