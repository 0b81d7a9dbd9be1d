package io.natswarm.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.dht.DhtConfig;
import io.natswarm.utp.UtpSettings;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ReferenceTest {

  @Test
  void theReadmeHoldsTheGeneratedReference() throws IOException {
    String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
    int begin = readme.indexOf(Reference.BEGIN);
    int end = readme.indexOf(Reference.END);
    assertThat(begin).as("README.md has the begin marker").isNotNegative();
    assertThat(end).as("README.md has the end marker").isGreaterThan(begin);
    String inReadme = readme.substring(begin + Reference.BEGIN.length() + 1, end);
    assertThat(inReadme)
        .as("config/README.md is out of date: paste Reference.markdown() between the markers")
        .isEqualTo(Reference.markdown());
  }

  @Test
  void everySettingIsDocumentedWithItsDefaultAndEnvironmentVariable() {
    String md = Reference.markdown();
    for (Setting<?> s : ConfigKeys.all()) {
      assertThat(md).contains("| `" + s.name() + "` | `" + s.defaultText() + "` |");
      assertThat(md).contains("`" + s.envVar() + "`");
      assertThat(s.description()).isNotBlank();
    }
    assertThat(ConfigKeys.all().stream().map(Setting::key).distinct().count())
        .isEqualTo(ConfigKeys.all().size());
  }

  @Test
  void everyUtpSettingIsConfigurable() {
    Map<String, String> renamed =
        Map.of("receiveBufferBytes", "receive_buffer", "sendBufferBytes", "send_buffer");
    Set<String> notSettings = Set.of("tracer");
    assertCovered(UtpSettings.class, "utp", renamed, notSettings);
  }

  @Test
  void everyDhtSettingIsConfigurableOrDeliberatelyNot() {
    Map<String, String> renamed = Map.of();
    // ipv6 is dht.ipv4/dht.ipv6 (one node per family); bootstrapNodes is dht.bootstrap_nodes,
    // looked up at start; the id comes from the saved table; the rest are for tests.
    Set<String> notSettings =
        Set.of(
            "ipv6",
            "nodeId",
            "externalAddress",
            "bootstrapNodes",
            "seed",
            "secretSource",
            "tracer");
    assertCovered(DhtConfig.class, "dht", renamed, notSettings);
  }

  private static void assertCovered(
      Class<?> record, String section, Map<String, String> renamed, Set<String> notSettings) {
    Set<String> keys = new HashSet<>(ConfigKeys.keysOf(section));
    List<String> missing =
        Arrays.stream(record.getRecordComponents())
            .map(RecordComponent::getName)
            .filter(n -> !notSettings.contains(n))
            .map(n -> section + "." + renamed.getOrDefault(n, snake(n)))
            .filter(k -> !keys.contains(k))
            .collect(Collectors.toList());
    assertThat(missing)
        .as("components of " + record.getSimpleName() + " with no setting")
        .isEmpty();
  }

  private static String snake(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
  }
}
