package dev.sapwood.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sapwood.Options;
import dev.sapwood.UpdateFunctions;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example topology counts words with blind updates as the DSL's count would. */
class BlindUpdateWordCountTest {
  @TempDir
  Path dir;

  @Test
  void blindUpdateCountsEqualTheWordFrequencies() {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "blind");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    p.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
    List<String> lines = KafkaStreamsBench.lines(300);
    Map<String, Long> want = new HashMap<>();
    try (TopologyTestDriver driver = new TopologyTestDriver(BlindUpdateWordCount.topology("text", "unused"), p)) {
      var in = driver.createInputTopic("text", Serdes.String().serializer(), Serdes.String().serializer());
      for (String line : lines) {
        in.pipeInput(null, line);
        for (String w : line.split(" ")) {
          want.merge(w, 1L, Long::sum);
        }
      }
      SapwoodKeyValueStore store = SapwoodKeyValueStore.unwrap((org.apache.kafka.streams.processor.StateStore) driver.getKeyValueStore(BlindUpdateWordCount.STORE));
      Map<String, Long> got = new HashMap<>();
      try (var it = store.all()) {
        it.forEachRemaining(kv -> got.put(new String(kv.key.get(), UTF_8), UpdateFunctions.toLong(kv.value)));
      }
      assertEquals(want, got);
      assertEquals(want.get("w1") == null ? null : want.get("w1"),
          store.get(Bytes.wrap("w1".getBytes(UTF_8))) == null ? null
              : UpdateFunctions.toLong(store.get(Bytes.wrap("w1".getBytes(UTF_8)))));
    }
  }

  @Test
  void theUpdatableBuilderRefusesChangeloggingAndCaching() {
    var b = SapwoodStores.updatableStoreBuilder("x", Options.defaults());
    assertThrows(UnsupportedOperationException.class, () -> b.withLoggingEnabled(Map.of()));
    assertThrows(UnsupportedOperationException.class, b::withCachingEnabled);
  }
}
