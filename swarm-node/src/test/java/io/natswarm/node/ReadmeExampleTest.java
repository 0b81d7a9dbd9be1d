package io.natswarm.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's embedded-API example is {@link ReadmeExample}'s code, character for character (up to
 * the indentation of the method body), so the two cannot drift apart; and it runs: a file seeded by
 * one node arrives byte-exact at the other (the example returns only once every piece is verified,
 * and throws if that takes more than a minute).
 */
@Timeout(90)
class ReadmeExampleTest {
  private static final String BEGIN = "// README example begins";
  private static final String END = "// README example ends";
  private static final String README_MARKER = "<!-- the embedded API example -->";

  @TempDir Path dir;

  @Test
  void theReadmeShowsExactlyTheCompiledExample() throws Exception {
    List<String> source =
        Files.readAllLines(
            Path.of("src/test/java/io/natswarm/node/ReadmeExample.java"), StandardCharsets.UTF_8);
    int begin = indexOf(source, BEGIN, 0);
    int end = indexOf(source, END, begin);
    List<String> example = dedent(source.subList(begin + 1, end));

    List<String> readme = Files.readAllLines(Path.of("../README.md"), StandardCharsets.UTF_8);
    int marker = indexOf(readme, README_MARKER, 0);
    int open = indexOf(readme, "```java", marker);
    int close = indexOf(readme, "```", open + 1);
    List<String> block = readme.subList(open + 1, close);

    assertThat(example).isNotEmpty();
    assertThat(String.join("\n", block))
        .as("README.md's embedded-API block must be ReadmeExample's code between its markers")
        .isEqualTo(String.join("\n", example));
  }

  @Test
  void theExampleRunsAndTheFileArrivesByteExact() throws Exception {
    byte[] data = new byte[3 << 20];
    new Random(5).nextBytes(data);
    Path file =
        Files.write(Files.createDirectories(dir.resolve("seed")).resolve("video.mkv"), data);
    Path downloads = dir.resolve("downloads");

    ReadmeExample.shareAndDownload(file, downloads); // returns once every piece is verified

    assertThat(Files.readAllBytes(downloads.resolve("video.mkv"))).isEqualTo(data);
  }

  private static int indexOf(List<String> lines, String text, int from) {
    for (int i = from; i < lines.size(); i++) {
      if (lines.get(i).strip().startsWith(text)) {
        return i;
      }
    }
    throw new AssertionError("no line starting with '" + text + "' after line " + (from + 1));
  }

  /** The lines with the indentation they all share removed. */
  private static List<String> dedent(List<String> lines) {
    int indent =
        lines.stream()
            .filter(l -> !l.isBlank())
            .mapToInt(l -> l.length() - l.stripLeading().length())
            .min()
            .orElse(0);
    return lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).toList();
  }
}
