package dev.sapwood.kafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.streams.processor.internals.RecordBatchingStateRestoreCallback;
import org.apache.kafka.streams.processor.internals.metrics.StreamsMetricsImpl;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.BatchingStateRestoreCallback;
import org.apache.kafka.streams.state.BuiltInDslStoreSuppliers;

/**
 * Measurements for docs/benchmarks.md, "Kafka Streams" (not a test; run by hand):
 * <pre>
 *   java -cp CP dev.sapwood.kafka.KafkaStreamsBench wordcount LINES DIR
 *   java -cp CP dev.sapwood.kafka.KafkaStreamsBench blind LINES DIR
 *   java -cp CP dev.sapwood.kafka.KafkaStreamsBench restore RECORDS DIR
 *   java -cp CP dev.sapwood.kafka.KafkaStreamsBench restore-sapwood|restore-rocksdb RECORDS DIR
 * </pre>
 * wordcount: the DSL word count through TopologyTestDriver with Sapwood, RocksDB and in-memory
 * stores; blind: the blind-update word count of {@link BlindUpdateWordCount} against the same DSL
 * count on Sapwood; restore: RECORDS changelog records (16-byte keys, 100-byte values) through the
 * batching restore callback of a Sapwood store, then of Kafka Streams' RocksDB store (reached
 * through Kafka Streams internals, for the measurement only), in batches of 1,000, then the commit;
 * restore-sapwood / restore-rocksdb: one of the two, so that each process's peak RSS (VmHWM) is one
 * store's.
 */
public final class KafkaStreamsBench {
  private KafkaStreamsBench() {}

  public static void main(String[] args) throws Exception {
    String what = args[0];
    int n = Integer.parseInt(args[1]);
    Path dir = Path.of(args[2]);
    switch (what) {
      case "wordcount" -> {
        List<String> lines = lines(n);
        for (int round = 0; round < 2; round++) {
          wordCount("sapwood", SapwoodDslStoreSuppliers.class, wordCountTopology(), lines, dir);
          wordCount("rocksdb", BuiltInDslStoreSuppliers.RocksDBDslStoreSuppliers.class, wordCountTopology(), lines, dir);
          wordCount("in-memory", BuiltInDslStoreSuppliers.InMemoryDslStoreSuppliers.class, wordCountTopology(), lines, dir);
        }
      }
      case "blind" -> {
        List<String> lines = lines(n);
        for (int round = 0; round < 2; round++) {
          wordCount("dsl-count-sapwood", SapwoodDslStoreSuppliers.class, wordCountTopology(), lines, dir);
          wordCount("blind-update-sapwood", SapwoodDslStoreSuppliers.class, BlindUpdateWordCount.topology("text",
              "word-counts"), lines, dir);
        }
      }
      case "restore" -> {
        restore(n, dir, false);
        restore(n, dir, true);
      }
      case "restore-sapwood" -> restore(n, dir, false); // one store per process: its own peak RSS
      case "restore-rocksdb" -> restore(n, dir, true);
      default -> throw new IllegalArgumentException(what);
    }
  }

  static List<String> lines(int n) {
    Random rnd = new Random(42);
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      StringBuilder sb = new StringBuilder();
      for (int w = 0; w < 8; w++) {
        sb.append("w").append(rnd.nextInt(100_000)).append(' ');
      }
      out.add(sb.toString().trim());
    }
    return out;
  }

  static Topology wordCountTopology() {
    StreamsBuilder b = new StreamsBuilder();
    b.<String, String>stream("text")
        .flatMapValues(line -> Arrays.asList(line.toLowerCase(Locale.ROOT).split(" ")))
        .groupBy((k, word) -> word)
        .count(Materialized.as("counts"))
        .toStream()
        .mapValues(String::valueOf)
        .to("word-counts", Produced.with(Serdes.String(), Serdes.String()));
    return b.build();
  }

  private static void wordCount(String label, Class<?> suppliers, Topology topology, List<String> lines, Path dir)
      throws IOException {
    Path state = dir.resolve(label);
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    p.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
    p.put(StreamsConfig.DSL_STORE_SUPPLIERS_CLASS_CONFIG, suppliers);
    p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    long words = 0;
    long start = System.nanoTime();
    try (TopologyTestDriver driver = new TopologyTestDriver(topology, p)) {
      var in = driver.createInputTopic("text", Serdes.String().serializer(), Serdes.String().serializer());
      var out = driver.createOutputTopic("word-counts", Serdes.String().deserializer(), Serdes.String().deserializer());
      for (String line : lines) {
        in.pipeInput(null, line);
        words += 8;
        if (words % 80_000 == 0) {
          out.readValuesToList(); // keep the captured output small
        }
      }
      out.readValuesToList();
    }
    double secs = (System.nanoTime() - start) / 1e9;
    System.out.printf(Locale.ROOT, "%-22s %,d lines, %,d words: %.1f s, %,.0f words/s, peak heap-in-use n/a, RSS %s%n",
        label, lines.size(), words, secs, words / secs, rss());
    delete(state);
  }

  private static void restore(int n, Path dir, boolean rocksdb) throws IOException {
    Path state = dir.resolve("restore");
    TestStoreContext ctx = new TestStoreContext(state.toFile());
    ctx.metrics = new StreamsMetricsImpl(new Metrics(), "bench", Time.SYSTEM);
    ctx.configs.putAll(new StreamsConfig(Map.of(StreamsConfig.APPLICATION_ID_CONFIG, "bench",
        StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092")).values());
    KeyValueStore<Bytes, byte[]> store = rocksdb ? Stores.persistentKeyValueStore("restored").get()
        : SapwoodStores.keyValueStore("restored").get();
    store.init(ctx, store);
    TopicPartition tp = new TopicPartition("restored-changelog", 0);
    long[] offset = {0};
    BatchingStateRestoreCallback cb = rocksdb
        ? records -> {
          List<ConsumerRecord<byte[], byte[]>> crs = new ArrayList<>(records.size());
          for (KeyValue<byte[], byte[]> kv : records) {
            crs.add(new ConsumerRecord<>(tp.topic(), tp.partition(), offset[0]++, kv.key, kv.value));
          }
          ((RecordBatchingStateRestoreCallback) ctx.restoreCallback).restoreBatch(crs);
        }
        : (BatchingStateRestoreCallback) ctx.restoreCallback;
    Random rnd = new Random(7);
    long start = System.nanoTime();
    Collection<KeyValue<byte[], byte[]>> batch = new ArrayList<>(1000);
    for (int i = 0; i < n; i++) {
      byte[] key = String.format(Locale.ROOT, "key%013d", rnd.nextInt(Integer.MAX_VALUE)).getBytes();
      byte[] value = new byte[100];
      rnd.nextBytes(value);
      batch.add(KeyValue.pair(key, value));
      if (batch.size() == 1000) {
        cb.restoreAll(batch);
        batch.clear();
      }
    }
    cb.restoreAll(batch);
    long restored = System.nanoTime();
    store.commit(Map.of(tp, (long) n));
    long committed = System.nanoTime();
    store.close();
    System.out.printf(Locale.ROOT, (rocksdb ? "rocksdb" : "sapwood") + " restore %,d records: %.1f s (%,.0f records/s), commit+checkpoint %.1f s, "
        + "total %.1f s, RSS %s%n", n, (restored - start) / 1e9, n / ((restored - start) / 1e9),
        (committed - restored) / 1e9, (committed - start) / 1e9, rss());
    delete(state);
  }

  /** VmHWM and VmRSS of this process (Linux), or "n/a". */
  static String rss() {
    try {
      StringBuilder sb = new StringBuilder();
      for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (l.startsWith("VmHWM") || l.startsWith("VmRSS")) {
          sb.append(l.replaceAll("\\s+", " ")).append(' ');
        }
      }
      return sb.toString().trim();
    } catch (IOException e) {
      return "n/a";
    }
  }

  private static void delete(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
