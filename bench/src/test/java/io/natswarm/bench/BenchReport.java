package io.natswarm.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints a benchmark's figures as a table a person can read, then the machine-readable last line
 * {@code RESULT <name> key=value ...} that {@code bench/run} promises.
 */
public final class BenchReport {
  private final String name;
  private final List<String[]> rows = new ArrayList<>();
  private String[] header;
  private final Map<String, String> results = new LinkedHashMap<>();

  public BenchReport(String name) {
    this.name = name;
  }

  /** Sets the table's column names. */
  public BenchReport columns(String... names) {
    this.header = names.clone();
    return this;
  }

  /** Adds one table row; numbers are formatted with {@link #fmt(double)}. */
  public BenchReport row(Object... cells) {
    String[] row = new String[cells.length];
    for (int i = 0; i < cells.length; i++) {
      row[i] = cells[i] instanceof Double d ? fmt(d) : String.valueOf(cells[i]);
    }
    rows.add(row);
    return this;
  }

  /** Adds one key to the RESULT line. */
  public BenchReport result(String key, double value) {
    results.put(key, fmt(value));
    return this;
  }

  /** Adds one key to the RESULT line. */
  public BenchReport result(String key, String value) {
    results.put(key, value.replace(' ', '_'));
    return this;
  }

  /** Prints the table and the RESULT line (last). */
  public void print(PrintStream out) {
    printTable(out);
    StringBuilder sb = new StringBuilder("RESULT ").append(name);
    results.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
    out.println(sb);
    out.flush();
  }

  /** Prints the table alone (a benchmark with more than one table prints the others first). */
  public void printTable(PrintStream out) {
    if (header != null) {
      int[] width = new int[header.length];
      for (int i = 0; i < header.length; i++) {
        width[i] = header[i].length();
      }
      for (String[] r : rows) {
        for (int i = 0; i < r.length && i < width.length; i++) {
          width[i] = Math.max(width[i], r[i].length());
        }
      }
      out.println(line(header, width));
      char[] dashes = new char[Arrays.stream(width).sum() + 2 * (width.length - 1)];
      Arrays.fill(dashes, '-');
      out.println(new String(dashes));
      for (String[] r : rows) {
        out.println(line(r, width));
      }
      out.println();
    }
  }

  private static String line(String[] cells, int[] width) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < cells.length; i++) {
      if (i > 0) {
        sb.append("  ");
      }
      String c = cells[i];
      int w = i < width.length ? width[i] : c.length();
      sb.append(i == 0 ? String.format(Locale.ROOT, "%-" + w + "s", c) : pad(c, w));
    }
    return sb.toString();
  }

  private static String pad(String c, int w) {
    return " ".repeat(Math.max(0, w - c.length())) + c;
  }

  /** Formats a figure with at most three significant decimals, without exponent. */
  public static String fmt(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return "n/a";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    double a = Math.abs(v);
    String pattern = a >= 100 ? "%.1f" : a >= 1 ? "%.2f" : "%.4f";
    return String.format(Locale.ROOT, pattern, v);
  }

  /** The median of the values (mean of the middle two for an even count). */
  public static double median(double... values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  /** The p-th percentile (0..100) by nearest rank. */
  public static double percentile(double[] values, double p) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] v = values.clone();
    Arrays.sort(v);
    int rank = (int) Math.ceil(p / 100.0 * v.length);
    return v[Math.max(0, Math.min(v.length - 1, rank - 1))];
  }
}
