package io.natswarm.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The kinds of setting values: integers, sizes, booleans, durations, choices, addresses, paths. */
final class ValueTypes {
  private ValueTypes() {}

  /** An integer from {@code min} to {@code max}. */
  static ValueType<Integer> integer(int min, int max) {
    return new IntegerType(min, max, "");
  }

  /** An integer from {@code min} to {@code max}, with a note on a special value ("0: off"). */
  static ValueType<Integer> integer(int min, int max, String note) {
    return new IntegerType(min, max, " (" + note + ")");
  }

  /** A number of bytes: an integer, or a string with a KiB or MiB suffix. */
  static ValueType<Integer> bytes(int min, int max) {
    return new ByteSizeType(min, max);
  }

  static ValueType<Boolean> bool() {
    return BoolType.INSTANCE;
  }

  /** A duration written with a unit: "500ms", "3s", "2m", "1h". */
  static ValueType<Duration> duration(Duration min, Duration max) {
    return new DurationType(min, max);
  }

  /** One of {@code choices} (matched ignoring case; lower case in the file). */
  static <E extends Enum<E>> ValueType<E> choice(Class<E> type) {
    return new ChoiceType<>(type);
  }

  /** An IP address literal (no host names: nothing is looked up while reading settings). */
  static ValueType<InetAddress> ipAddress() {
    return AddressType.INSTANCE;
  }

  /** A list of {@code host:port}; in the environment or an option, separated by commas. */
  static ValueType<List<HostPort>> hostPorts() {
    return HostPortListType.INSTANCE;
  }

  /** One {@code host:port}, or empty for none. */
  static ValueType<java.util.Optional<HostPort>> optionalHostPort() {
    return OptionalHostPortType.INSTANCE;
  }

  /** Any text, shown as "(set)" or "" in the reference and messages. */
  static ValueType<String> secret() {
    return SecretType.INSTANCE;
  }

  /** Any text without control characters; shown as given. */
  static ValueType<String> text() {
    return TextType.SHOWN;
  }

  /** Any text without control characters (a password), shown as "(set)" or "". */
  static ValueType<String> hiddenText() {
    return TextType.HIDDEN;
  }

  /** A file-system path; a leading {@code ~/} is the user's home directory. */
  static ValueType<String> path() {
    return PathType.INSTANCE;
  }

  private static final class IntegerType implements ValueType<Integer> {
    private final int min;
    private final int max;
    private final String note;

    IntegerType(int min, int max, String note) {
      this.min = min;
      this.max = max;
      this.note = note;
    }

    @Override
    public String allowed() {
      return "an integer from " + min + " to " + max + note;
    }

    @Override
    public Parsed<Integer> parse(String text) {
      long v;
      try {
        v = Long.parseLong(text.strip());
      } catch (NumberFormatException e) {
        return Parsed.problem("not an integer");
      }
      return check(v);
    }

    @Override
    public Parsed<Integer> read(JsonNode node) {
      if (!node.isIntegralNumber()) {
        return Parsed.problem("wrong type (" + Toml.typeName(node) + ")");
      }
      if (!node.canConvertToLong()) {
        return Parsed.problem("out of range");
      }
      return check(node.longValue());
    }

    private Parsed<Integer> check(long v) {
      return v < min || v > max ? Parsed.problem("out of range") : Parsed.ok((int) v);
    }

    @Override
    public String format(Integer value) {
      return value.toString();
    }
  }

  private static final class ByteSizeType implements ValueType<Integer> {
    private static final Pattern SIZE =
        Pattern.compile("(\\d{1,10})\\s*(b|kib|mib|gib)?", Pattern.CASE_INSENSITIVE);
    private final int min;
    private final int max;

    ByteSizeType(int min, int max) {
      this.min = min;
      this.max = max;
    }

    @Override
    public String allowed() {
      return "a size from " + format(min) + " to " + format(max) + " (bytes, or with KiB or MiB)";
    }

    @Override
    public Parsed<Integer> parse(String text) {
      Matcher m = SIZE.matcher(text.strip());
      if (!m.matches()) {
        return Parsed.problem("not a size");
      }
      long v = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
      int shift =
          switch (unit) {
            case "kib" -> 10;
            case "mib" -> 20;
            case "gib" -> 30;
            default -> 0;
          };
      return check(v << shift);
    }

    @Override
    public Parsed<Integer> read(JsonNode node) {
      if (node.isTextual()) {
        return parse(node.textValue());
      }
      if (!node.isIntegralNumber()) {
        return Parsed.problem("wrong type (" + Toml.typeName(node) + ")");
      }
      return node.canConvertToLong() ? check(node.longValue()) : Parsed.problem("out of range");
    }

    private Parsed<Integer> check(long v) {
      return v < min || v > max ? Parsed.problem("out of range") : Parsed.ok((int) v);
    }

    @Override
    public String format(Integer value) {
      int v = value;
      if (v != 0 && v % (1 << 20) == 0) {
        return "\"" + (v >> 20) + "MiB\"";
      }
      if (v != 0 && v % (1 << 10) == 0) {
        return "\"" + (v >> 10) + "KiB\"";
      }
      return Integer.toString(v);
    }

    private static String format(int v) {
      if (v != 0 && v % (1 << 20) == 0) {
        return (v >> 20) + " MiB";
      }
      if (v != 0 && v % (1 << 10) == 0) {
        return (v >> 10) + " KiB";
      }
      return v + " bytes";
    }
  }

  private enum BoolType implements ValueType<Boolean> {
    INSTANCE;

    @Override
    public String allowed() {
      return "true or false";
    }

    @Override
    public Parsed<Boolean> parse(String text) {
      String t = text.strip().toLowerCase(Locale.ROOT);
      if (t.equals("true")) {
        return Parsed.ok(true);
      }
      if (t.equals("false")) {
        return Parsed.ok(false);
      }
      return Parsed.problem("not a boolean");
    }

    @Override
    public Parsed<Boolean> read(JsonNode node) {
      return node.isBoolean()
          ? Parsed.ok(node.booleanValue())
          : Parsed.problem("wrong type (" + Toml.typeName(node) + ")");
    }

    @Override
    public String format(Boolean value) {
      return value.toString();
    }
  }

  private static final class DurationType implements ValueType<Duration> {
    private static final Pattern DURATION =
        Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h)", Pattern.CASE_INSENSITIVE);
    private final Duration min;
    private final Duration max;

    DurationType(Duration min, Duration max) {
      this.min = min;
      this.max = max;
    }

    @Override
    public String allowed() {
      return "a duration from "
          + human(min)
          + " to "
          + human(max)
          + ", written with a unit: ms, s, m or h (\"500ms\", \"3s\")";
    }

    @Override
    public Parsed<Duration> parse(String text) {
      Matcher m = DURATION.matcher(text.strip());
      if (!m.matches()) {
        return Parsed.problem("not a duration");
      }
      long n = Long.parseLong(m.group(1));
      Duration d =
          switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
          };
      return d.compareTo(min) < 0 || d.compareTo(max) > 0
          ? Parsed.problem("out of range")
          : Parsed.ok(d);
    }

    @Override
    public String format(Duration value) {
      return "\"" + human(value) + "\"";
    }

    static String human(Duration d) {
      long ms = d.toMillis();
      if (ms != 0 && ms % 3_600_000 == 0) {
        return ms / 3_600_000 + "h";
      }
      if (ms != 0 && ms % 60_000 == 0) {
        return ms / 60_000 + "m";
      }
      if (ms != 0 && ms % 1000 == 0) {
        return ms / 1000 + "s";
      }
      return ms + "ms";
    }
  }

  private static final class ChoiceType<E extends Enum<E>> implements ValueType<E> {
    private final Class<E> type;

    ChoiceType(Class<E> type) {
      this.type = type;
    }

    @Override
    public String allowed() {
      return "one of "
          + java.util.Arrays.stream(type.getEnumConstants())
              .map(ChoiceType::name)
              .collect(Collectors.joining(", "));
    }

    @Override
    public Parsed<E> parse(String text) {
      String t = text.strip();
      for (E e : type.getEnumConstants()) {
        if (name(e).equalsIgnoreCase(t) || e.name().equalsIgnoreCase(t)) {
          return Parsed.ok(e);
        }
      }
      return Parsed.problem("not a known choice");
    }

    @Override
    public String format(E value) {
      return "\"" + name(value) + "\"";
    }

    private static String name(Enum<?> e) {
      return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  private enum AddressType implements ValueType<InetAddress> {
    INSTANCE;

    private static final Pattern V4 =
        Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern V6 = Pattern.compile("[0-9A-Fa-f:.]+(%[0-9A-Za-z]+)?");

    @Override
    public String allowed() {
      return "an IPv4 or IPv6 address (\"0.0.0.0\", \"127.0.0.1\", \"::\"); no host names";
    }

    @Override
    public Parsed<InetAddress> parse(String text) {
      String t = text.strip();
      Matcher m4 = V4.matcher(t);
      boolean literal;
      if (m4.matches()) {
        literal = true;
        for (int i = 1; i <= 4; i++) {
          literal &= Integer.parseInt(m4.group(i)) <= 255;
        }
      } else {
        literal = t.contains(":") && V6.matcher(t).matches();
      }
      if (!literal) {
        return Parsed.problem("not an IP address");
      }
      try {
        // a literal: getByName looks nothing up
        return Parsed.ok(InetAddress.getByName(t));
      } catch (UnknownHostException e) {
        return Parsed.problem("not an IP address");
      }
    }

    @Override
    public String format(InetAddress value) {
      return "\"" + value.getHostAddress() + "\"";
    }
  }

  private enum HostPortListType implements ValueType<List<HostPort>> {
    INSTANCE;

    @Override
    public String allowed() {
      return "a list of host:port (IPv6 as [addr]:port, port 1-65535); in the environment or an"
          + " option, separated by commas";
    }

    @Override
    public Parsed<List<HostPort>> parse(String text) {
      List<HostPort> out = new ArrayList<>();
      if (text.isBlank()) {
        return Parsed.ok(List.of());
      }
      for (String part : text.split(",", -1)) {
        HostPort hp = HostPort.parse(part.strip());
        if (hp == null) {
          return Parsed.problem("\"" + part.strip() + "\" is not host:port");
        }
        out.add(hp);
      }
      return Parsed.ok(List.copyOf(out));
    }

    @Override
    public Parsed<List<HostPort>> read(JsonNode node) {
      if (!node.isArray()) {
        return Parsed.problem("wrong type (" + Toml.typeName(node) + ")");
      }
      List<HostPort> out = new ArrayList<>();
      for (JsonNode element : node) {
        if (!element.isTextual()) {
          return Parsed.problem("an element is " + Toml.typeName(element) + ", not a string");
        }
        HostPort hp = HostPort.parse(element.textValue().strip());
        if (hp == null) {
          return Parsed.problem("\"" + element.textValue() + "\" is not host:port");
        }
        out.add(hp);
      }
      return Parsed.ok(List.copyOf(out));
    }

    @Override
    public String format(List<HostPort> value) {
      return value.stream().map(hp -> "\"" + hp + "\"").collect(Collectors.joining(", ", "[", "]"));
    }
  }

  private enum PathType implements ValueType<String> {
    INSTANCE;

    @Override
    public String allowed() {
      return "a path (a leading ~/ is your home directory)";
    }

    @Override
    public Parsed<String> parse(String text) {
      if (text.isBlank()) {
        return Parsed.problem("empty");
      }
      try {
        var unused = Path.of(text.startsWith("~/") ? text.substring(2) : text);
      } catch (InvalidPathException e) {
        return Parsed.problem("not a valid path (" + e.getReason() + ")");
      }
      return Parsed.ok(text);
    }

    @Override
    public String format(String value) {
      return "\"" + value + "\"";
    }
  }

  private enum OptionalHostPortType implements ValueType<java.util.Optional<HostPort>> {
    INSTANCE;

    @Override
    public String allowed() {
      return "host:port (IPv6 as [addr]:port, port 1-65535), or empty for none";
    }

    @Override
    public Parsed<java.util.Optional<HostPort>> parse(String text) {
      if (text.isBlank()) {
        return Parsed.ok(java.util.Optional.empty());
      }
      HostPort hp = HostPort.parse(text.strip());
      return hp == null
          ? Parsed.problem("\"" + text.strip() + "\" is not host:port")
          : Parsed.ok(java.util.Optional.of(hp));
    }

    @Override
    public String format(java.util.Optional<HostPort> value) {
      return "\"" + value.map(HostPort::toString).orElse("") + "\"";
    }
  }

  private enum SecretType implements ValueType<String> {
    INSTANCE;

    @Override
    public String allowed() {
      return "a string (at least 16 characters), or empty";
    }

    @Override
    public Parsed<String> parse(String text) {
      if (!text.isEmpty() && text.length() < 16) {
        return Parsed.problem("too short: a token needs at least 16 characters");
      }
      return Parsed.ok(text);
    }

    @Override
    public String format(String value) {
      return value.isEmpty() ? "\"\"" : "\"(set)\"";
    }
  }

  private enum TextType implements ValueType<String> {
    SHOWN,
    HIDDEN;

    @Override
    public String allowed() {
      return "a string without control characters, or empty";
    }

    @Override
    public Parsed<String> parse(String text) {
      if (text.chars().anyMatch(Character::isISOControl)) {
        return Parsed.problem("holds a control character");
      }
      return Parsed.ok(text);
    }

    @Override
    public String format(String value) {
      if (this == HIDDEN) {
        return value.isEmpty() ? "\"\"" : "\"(set)\"";
      }
      return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
  }
}
