package dev.sapwood.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.BuiltInDslStoreSuppliers;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same DSL topologies run with Sapwood stores (every DSL store through {@link
 * SapwoodDslStoreSuppliers}) and with Kafka Streams' in-memory stores give the same output, record
 * for record; interactive queries read the Sapwood stores.
 */
class TopologyEquivalenceTest {
  @TempDir
  Path dir;

  private Properties props(Class<?> suppliers, String stateDir) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "equivalence");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    p.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve(stateDir).toString());
    p.put(StreamsConfig.DSL_STORE_SUPPLIERS_CLASS_CONFIG, suppliers);
    p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    return p;
  }

  /** Runs {@code topology} on both kinds of stores, feeding it with {@code feed}; returns both outputs. */
  private List<List<KeyValue<String, String>>> runBoth(Topology sapwoodTopology, Topology memoryTopology,
      Consumer<TopologyTestDriver> feed, String output, Consumer<TopologyTestDriver> onSapwood) throws Exception {
    List<List<KeyValue<String, String>>> outs = new ArrayList<>();
    for (boolean sapwood : new boolean[] {true, false}) {
      Class<?> suppliers = sapwood ? SapwoodDslStoreSuppliers.class : BuiltInDslStoreSuppliers.InMemoryDslStoreSuppliers.class;
      String stateDir = sapwood ? "sapwood" : "memory";
      try (TopologyTestDriver driver = new TopologyTestDriver(sapwood ? sapwoodTopology : memoryTopology,
          props(suppliers, stateDir))) {
        feed.accept(driver);
        TestOutputTopic<String, String> out = driver.createOutputTopic(output, Serdes.String().deserializer(),
            Serdes.String().deserializer());
        outs.add(out.readKeyValuesToList());
        if (sapwood) {
          assertTrue(hasSapwoodDatabase(dir.resolve(stateDir)), "the DSL stores are Sapwood databases");
          onSapwood.accept(driver);
        }
      }
    }
    assertFalse(outs.get(0).isEmpty());
    return outs;
  }

  private static boolean hasSapwoodDatabase(Path stateDir) throws Exception {
    try (Stream<Path> s = Files.walk(stateDir)) {
      return s.anyMatch(p -> p.getFileName().toString().equals("wal") && Files.isDirectory(p));
    }
  }

  private static Topology wordCount() {
    StreamsBuilder b = new StreamsBuilder();
    b.<String, String>stream("text")
        .flatMapValues(line -> Arrays.asList(line.toLowerCase(Locale.ROOT).split("\\W+")))
        .groupBy((k, word) -> word)
        .count(Materialized.as("counts"))
        .toStream()
        .mapValues(String::valueOf)
        .to("word-counts", Produced.with(Serdes.String(), Serdes.String()));
    return b.build();
  }

  private static List<String> lines(long seed, int n) {
    Random rnd = new Random(seed);
    String[] words = {"alder", "birch", "cedar", "elm", "fir", "hazel", "larch", "oak", "pine", "yew"};
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      StringBuilder sb = new StringBuilder();
      for (int w = 0; w < 1 + rnd.nextInt(8); w++) {
        sb.append(words[rnd.nextInt(words.length)]).append(rnd.nextInt(30)).append(' ');
      }
      out.add(sb.toString().trim());
    }
    return out;
  }

  @Test
  void wordCountGivesTheSameOutputOnSapwoodAndInMemoryStores() throws Exception {
    long seed = System.nanoTime();
    System.out.println("wordCountGivesTheSameOutputOnSapwoodAndInMemoryStores seed=" + seed);
    List<String> text = lines(seed, 400);
    var outs = runBoth(wordCount(), wordCount(), driver -> {
      TestInputTopic<String, String> in = driver.createInputTopic("text", Serdes.String().serializer(),
          Serdes.String().serializer());
      text.forEach(line -> in.pipeInput(null, line));
    }, "word-counts", driver -> {
      KeyValueStore<String, Long> counts = driver.getKeyValueStore("counts");
      long total = 0;
      try (var it = counts.all()) {
        while (it.hasNext()) {
          total += it.next().value;
        }
      }
      long words = text.stream().mapToLong(l -> l.split("\\W+").length).sum();
      assertEquals(words, total, "interactive query over the Sapwood store: every word counted once");
    });
    assertEquals(outs.get(1), outs.get(0), "seed " + seed);
  }

  private static Topology tableJoin() {
    StreamsBuilder b = new StreamsBuilder();
    KTable<String, String> left = b.table("left", Consumed.with(Serdes.String(), Serdes.String()), Materialized.as("left-store"));
    KTable<String, String> right = b.table("right", Consumed.with(Serdes.String(), Serdes.String()), Materialized.as("right-store"));
    left.join(right, (l, r) -> l + "+" + r, Materialized.as("joined-store")).toStream().to("joined");
    return b.build();
  }

  @Test
  void tableTableJoinGivesTheSameOutputOnSapwoodAndInMemoryStores() throws Exception {
    long seed = System.nanoTime();
    System.out.println("tableTableJoinGivesTheSameOutputOnSapwoodAndInMemoryStores seed=" + seed);
    var outs = runBoth(tableJoin(), tableJoin(), driver -> {
      Random rnd = new Random(seed);
      var left = driver.createInputTopic("left", Serdes.String().serializer(), Serdes.String().serializer());
      var right = driver.createInputTopic("right", Serdes.String().serializer(), Serdes.String().serializer());
      for (int i = 0; i < 3000; i++) {
        String key = "k" + rnd.nextInt(200);
        String value = rnd.nextInt(10) == 0 ? null : "v" + i;
        (rnd.nextBoolean() ? left : right).pipeInput(key, value);
      }
    }, "joined", driver -> {
      KeyValueStore<String, ValueAndTimestamp<String>> joined = driver.getTimestampedKeyValueStore("joined-store");
      long exact = 0;
      try (var it = joined.all()) {
        for (; it.hasNext(); it.next()) {
          exact++;
        }
      }
      assertTrue(exact > 0);
      // An estimate (Sapwood counts keys as they reach its tree's leaves; small trees keep them
      // buffered above): never above the keys written (200 possible), never negative.
      long estimate = joined.approximateNumEntries();
      assertTrue(estimate >= 0 && estimate <= 200, "estimate " + estimate + ", exact " + exact);
    });
    assertEquals(outs.get(1), outs.get(0), "seed " + seed);
  }

  private static Topology foreignKeyJoin() {
    StreamsBuilder b = new StreamsBuilder();
    KTable<String, String> orders = b.table("orders", Consumed.with(Serdes.String(), Serdes.String()));
    KTable<String, String> products = b.table("products", Consumed.with(Serdes.String(), Serdes.String()));
    orders.join(products, order -> order.split(":")[0], (order, product) -> order + "@" + product)
        .toStream().to("order-details");
    return b.build();
  }

  @Test
  void foreignKeyJoinGivesTheSameOutputOnSapwoodAndInMemoryStores() throws Exception {
    long seed = System.nanoTime();
    System.out.println("foreignKeyJoinGivesTheSameOutputOnSapwoodAndInMemoryStores seed=" + seed);
    var outs = runBoth(foreignKeyJoin(), foreignKeyJoin(), driver -> {
      Random rnd = new Random(seed);
      var orders = driver.createInputTopic("orders", Serdes.String().serializer(), Serdes.String().serializer());
      var products = driver.createInputTopic("products", Serdes.String().serializer(), Serdes.String().serializer());
      for (int i = 0; i < 600; i++) {
        if (rnd.nextInt(3) == 0) {
          products.pipeInput("p" + rnd.nextInt(30), rnd.nextInt(15) == 0 ? null : "product" + i);
        } else {
          orders.pipeInput("o" + rnd.nextInt(300), rnd.nextInt(15) == 0 ? null : "p" + rnd.nextInt(30) + ":" + i);
        }
      }
    }, "order-details", driver -> { });
    assertEquals(outs.get(1), outs.get(0), "seed " + seed);
  }
}
