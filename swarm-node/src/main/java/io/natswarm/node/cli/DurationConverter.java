package io.natswarm.node.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads an option's duration as the settings write them: "500ms", "10s", "5m", "1h". */
final class DurationConverter implements ITypeConverter<Duration> {
  private static final Pattern DURATION =
      Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h)", Pattern.CASE_INSENSITIVE);

  @Override
  public Duration convert(String value) {
    Matcher m = DURATION.matcher(value.strip());
    if (!m.matches()) {
      throw new TypeConversionException(
          "'" + value + "' is not a duration; write it with a unit: 500ms, 10s, 5m, 1h");
    }
    long n = Long.parseLong(m.group(1));
    Duration d =
        switch (m.group(2).toLowerCase(Locale.ROOT)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          default -> Duration.ofHours(n);
        };
    if (d.isZero()) {
      throw new TypeConversionException("'" + value + "' must be longer than zero");
    }
    return d;
  }
}
