package dev.sapwood.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Options;
import dev.sapwood.UpdateFunctions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example topology counts words with blind updates as the DSL's count would, and its store is
 * changelogged: after blind updates, puts and deletes, the last changelog record of every key is
 * the key's value in the store (what a restore on another instance would rebuild).
 */
class BlindUpdateWordCountTest {
  private static final String CHANGELOG = "blind-" + BlindUpdateWordCount.STORE + "-changelog";

  @TempDir
  Path dir;

  private Properties props() {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "blind");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    p.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
    return p;
  }

  private static SapwoodKeyValueStore store(TopologyTestDriver driver) {
    return SapwoodKeyValueStore.unwrap((StateStore) driver.getKeyValueStore(BlindUpdateWordCount.STORE));
  }

  /** Every key's value in the store, counts decoded. */
  private static Map<String, Long> counts(SapwoodKeyValueStore store) {
    Map<String, Long> got = new HashMap<>();
    try (var it = store.all()) {
      it.forEachRemaining(kv -> got.put(new String(kv.key.get(), UTF_8), UpdateFunctions.toLong(kv.value)));
    }
    return got;
  }

  /** The changelog records sent so far, in order (consumed from the driver). */
  private static List<KeyValue<String, byte[]>> changelog(TopologyTestDriver driver) {
    return driver.createOutputTopic(CHANGELOG, new StringDeserializer(), new ByteArrayDeserializer())
        .readKeyValuesToList();
  }

  /** The last changelog value of each key, counts decoded (a null value: a deleted key, left out). */
  private static Map<String, Long> lastValues(List<KeyValue<String, byte[]>> records) {
    Map<String, Long> last = new HashMap<>();
    for (KeyValue<String, byte[]> r : records) {
      if (r.value == null) {
        last.remove(r.key);
      } else {
        last.put(r.key, UpdateFunctions.toLong(r.value));
      }
    }
    return last;
  }

  @Test
  void blindUpdateCountsEqualTheWordFrequenciesAndTheChangelogHoldsThem() {
    List<String> lines = KafkaStreamsBench.lines(300);
    Map<String, Long> want = new HashMap<>();
    long distinctPerLine = 0;
    try (TopologyTestDriver driver = new TopologyTestDriver(BlindUpdateWordCount.topology("text", "unused"), props())) {
      var in = driver.createInputTopic("text", Serdes.String().serializer(), Serdes.String().serializer());
      for (String line : lines) {
        in.pipeInput(null, line);
        Set<String> distinct = new HashSet<>();
        for (String w : line.split(" ")) {
          want.merge(w, 1L, Long::sum);
          distinct.add(w);
        }
        distinctPerLine += distinct.size();
      }
      SapwoodKeyValueStore store = store(driver);
      assertEquals(want, counts(store));
      assertEquals(want, lastValues(changelog(driver)), "the changelog's last value of every word is its count");
      // The driver commits after each input record: one changelog record per distinct word per line,
      // however often the word occurs in it (not one per update).
      assertEquals(distinctPerLine, store.changelogSentAfterUpdates());
    }
  }

  /**
   * Past their memory limit (a quarter of statestore.uncommitted.max.bytes), dirty keys are sent
   * early, mid-record; the changelog still ends at every key's value.
   */
  @Test
  void manyDirtyKeysAreSentEarlyAndTheChangelogStillEndsAtTheValues() {
    Properties p = props();
    p.put(StreamsConfig.STATESTORE_UNCOMMITTED_MAX_BYTES_CONFIG, 40_000L); // dirty keys: about 10 KB, ~100 keys
    StringBuilder line = new StringBuilder();
    for (int pass = 0; pass < 2; pass++) {
      for (int w = 0; w < 300; w++) {
        line.append("w").append(w).append(' ');
      }
    }
    try (TopologyTestDriver driver = new TopologyTestDriver(BlindUpdateWordCount.topology("text", "unused"), p)) {
      var in = driver.createInputTopic("text", Serdes.String().serializer(), Serdes.String().serializer());
      in.pipeInput(null, line.toString());
      SapwoodKeyValueStore store = store(driver);
      List<KeyValue<String, byte[]>> records = changelog(driver);
      assertTrue(store.changelogSentAfterUpdates() > 300,
          "early sends: a word updated again after it was sent is sent again, " + store.changelogSentAfterUpdates());
      assertEquals(store.changelogSentAfterUpdates(), records.size());
      assertTrue(records.stream().anyMatch(r -> UpdateFunctions.toLong(r.value) == 1), "some sent mid-record");
      Map<String, Long> want = new HashMap<>();
      for (int w = 0; w < 300; w++) {
        want.put("w" + w, 2L);
      }
      assertEquals(want, counts(store));
      assertEquals(want, lastValues(records));
    }
  }

  /** "set:k:n" puts n, "del:k" deletes k, other words add 1 blindly: all on one changelogged store. */
  private static Topology mixedTopology() {
    Topology t = new Topology();
    t.addSource("in", Serdes.String().deserializer(), Serdes.String().deserializer(), "text");
    t.addProcessor("mixed", Mixed::new, "in");
    t.addStateStore(SapwoodStores.updatableStoreBuilder(BlindUpdateWordCount.STORE, Options.defaults().cacheSize(4 << 20)),
        "mixed");
    return t;
  }

  private static final class Mixed implements Processor<String, String, Void, Void> {
    private SapwoodKeyValueStore store;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
      store = SapwoodKeyValueStore.unwrap(context.getStateStore(BlindUpdateWordCount.STORE));
    }

    @Override
    public void process(Record<String, String> r) {
      for (String op : r.value().split(" ")) {
        String[] f = op.split(":");
        Bytes key = Bytes.wrap(f[f.length == 1 ? 0 : 1].getBytes(UTF_8));
        switch (f[0]) {
          case "set" -> store.put(key, UpdateFunctions.fromLong(Long.parseLong(f[2])));
          case "del" -> store.delete(key);
          default -> store.update(key, UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(1));
        }
      }
    }
  }

  @Test
  void putsDeletesAndBlindUpdatesInterleavedLeaveTheChangelogAtTheStoresValues() {
    long seed = System.nanoTime();
    System.out.println("putsDeletesAndBlindUpdatesInterleavedLeaveTheChangelogAtTheStoresValues seed=" + seed);
    java.util.Random rnd = new java.util.Random(seed);
    try (TopologyTestDriver driver = new TopologyTestDriver(mixedTopology(), props())) {
      var in = driver.createInputTopic("text", Serdes.String().serializer(), Serdes.String().serializer());
      List<KeyValue<String, byte[]>> records = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        StringBuilder ops = new StringBuilder();
        for (int j = 0; j < 8; j++) {
          String k = "k" + rnd.nextInt(20);
          int dice = rnd.nextInt(10);
          ops.append(dice == 0 ? "set:" + k + ":" + rnd.nextInt(100) : dice == 1 ? "del:" + k : k).append(' ');
        }
        in.pipeInput(null, ops.toString().trim());
        if (i % 50 == 49) {
          records.addAll(changelog(driver));
          assertEquals(counts(store(driver)), lastValues(records), "after record " + i + ", seed " + seed);
        }
      }
    }
  }

  @Test
  void theUpdatableBuilderIsChangeloggedByDefaultAndRefusesCaching() {
    var b = SapwoodStores.updatableStoreBuilder("x", Options.defaults());
    assertTrue(b.loggingEnabled());
    assertEquals(Map.of("cleanup.policy", "compact"), b.withLoggingEnabled(Map.of("cleanup.policy", "compact")).logConfig());
    assertFalse(b.withLoggingDisabled().loggingEnabled());
    assertThrows(UnsupportedOperationException.class, b::withCachingEnabled);
  }

  @Test
  void withLoggingDisabledNoChangelogIsWritten() {
    Topology t = new Topology();
    t.addSource("lines", Serdes.String().deserializer(), Serdes.String().deserializer(), "text");
    t.addProcessor("count", BlindUpdateWordCount.CountWords::new, "lines");
    t.addStateStore(SapwoodStores.updatableStoreBuilder(BlindUpdateWordCount.STORE, Options.defaults().cacheSize(4 << 20))
        .withLoggingDisabled(), "count");
    try (TopologyTestDriver driver = new TopologyTestDriver(t, props())) {
      driver.createInputTopic("text", Serdes.String().serializer(), Serdes.String().serializer()).pipeInput(null, "a b a");
      assertEquals(Map.of("a", 2L, "b", 1L), counts(store(driver)));
      assertFalse(driver.producedTopicNames().contains(CHANGELOG));
    }
  }

  /** A store behind Kafka's cache and changelog layers (a DSL store) refuses blind updates they would miss. */
  @Test
  void aStoreUnderKafkasLayersRefusesBlindUpdates() {
    StreamsBuilder b = new StreamsBuilder();
    b.stream("text", org.apache.kafka.streams.kstream.Consumed.with(Serdes.String(), Serdes.String()))
        .groupByKey().count(Materialized.as(SapwoodStores.timestampedKeyValueStore("dsl-counts", Options.defaults().cacheSize(4 << 20))));
    try (TopologyTestDriver driver = new TopologyTestDriver(b.build(), props())) {
      SapwoodKeyValueStore s = SapwoodKeyValueStore.unwrap(driver.getAllStateStores().get("dsl-counts"));
      assertThrows(IllegalStateException.class,
          () -> s.update(Bytes.wrap(new byte[] {1}), UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(1)));
    }
  }
}
