package dev.sapwood.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real cluster in the JVM: one KRaft broker (Kafka's KafkaClusterTestKit), two Kafka Streams
 * instances of one exactly-once word count on Sapwood stores, one of them in a child JVM killed
 * with SIGKILL halfway through. The other takes over its partitions, restores their Sapwood stores
 * from the changelog, and the committed output holds, for every word, the counts 1, 2, ..., n
 * exactly once each, in order: nothing counted twice, nothing lost. The same words counted with
 * blind updates into a changelogged Sapwood store survive too: the survivor's store (restored from
 * the changelog for the killed instance's tasks) and the changelog's last committed record of every
 * word both hold the exact count. Takes about two minutes on a
 * loaded two-core machine (broker start, a session timeout, a transaction timeout): tagged stress.
 */
@Tag("stress")
class KafkaStreamsClusterTest {
  private static final int WORDS = 40;
  private static final int ROUNDS = 30;

  @TempDir
  Path dir;

  @Test
  @SuppressWarnings("try") // KafkaClusterTestKit.close() declares InterruptedException; so be it in a test
  void killedInstanceIsTakenOverAndCountsStayExactlyOnce() throws Exception {
    try (KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(
        new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1)
            .setBaseDirectory(dir.resolve("kafka")).build())
        .setConfigProp("offsets.topic.replication.factor", "1")
        .setConfigProp("transaction.state.log.replication.factor", "1")
        .setConfigProp("transaction.state.log.min.isr", "1")
        .setConfigProp("group.initial.rebalance.delay.ms", "0")
        .setConfigProp("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000")
        .build()) {
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
      String bootstrap = cluster.bootstrapServers();
      try (Admin admin = cluster.admin()) {
        admin.createTopics(List.of(new NewTopic(ClusterWordCount.INPUT, 4, (short) 1),
            new NewTopic(ClusterWordCount.OUTPUT, 1, (short) 1))).all().get();
      }
      try (ChildJvm child = ChildJvm.start(ClusterWordCount.class, dir.resolve("child.out"), dir.resolve("child.err"),
          bootstrap, dir.resolve("state-a").toString())) {
        assertTrue(child.awaitLine("running"::equals, 180_000), "child instance runs (see " + dir.resolve("child.err") + ")");
        try (KafkaStreams b = ClusterWordCount.start(bootstrap, dir.resolve("state-b"))) {
          await(() -> b.state() == KafkaStreams.State.RUNNING, 180_000, "instance b running");
          produce(bootstrap, 0, ROUNDS / 2);
          Thread.sleep(3000); // both instances process some of it
          child.killAndCollect();
          produce(bootstrap, ROUNDS / 2, ROUNDS);
          Map<String, List<Long>> counts = new HashMap<>();
          await(() -> {
            readCommitted(bootstrap, counts);
            return counts.size() == WORDS && counts.values().stream().allMatch(l -> l.size() >= ROUNDS);
          }, 240_000, "every word counted " + ROUNDS + " times");
          readCommitted(bootstrap, counts);
          List<Long> expected = new ArrayList<>();
          for (long i = 1; i <= ROUNDS; i++) {
            expected.add(i);
          }
          for (Map.Entry<String, List<Long>> e : counts.entrySet()) {
            assertEquals(expected, e.getValue(), "committed counts of " + e.getKey());
          }
          Map<String, Long> blind = new HashMap<>();
          await(() -> blindCounts(b, blind), 60_000, "the blind-update counts are queryable");
          Map<String, Long> changelog = lastCommittedChangelogValues(bootstrap);
          for (int w = 0; w < WORDS; w++) {
            assertEquals(Long.valueOf(ROUNDS), blind.get("word" + w), "blind-update count of word" + w + " on the survivor");
            assertEquals(Long.valueOf(ROUNDS), changelog.get("word" + w), "changelog of the blind-update count of word" + w);
          }
          assertTrue(sapwoodTasks(dir.resolve("state-a")) > 0, "the killed instance had tasks");
          assertEquals(4, sapwoodTasks(dir.resolve("state-b")), "the survivor holds every task's Sapwood store");
        }
      }
    }
  }

  /** The survivor's blind-update counts through interactive queries; false while not queryable. */
  private static boolean blindCounts(KafkaStreams streams, Map<String, Long> into) {
    try {
      var store = streams.store(org.apache.kafka.streams.StoreQueryParameters.fromNameAndType(BlindUpdateWordCount.STORE,
          org.apache.kafka.streams.state.QueryableStoreTypes.<org.apache.kafka.common.utils.Bytes, byte[]>keyValueStore()));
      into.clear();
      for (int w = 0; w < WORDS; w++) {
        byte[] v = store.get(org.apache.kafka.common.utils.Bytes.wrap(("word" + w).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        if (v != null) {
          into.put("word" + w, dev.sapwood.UpdateFunctions.toLong(v));
        }
      }
      return true;
    } catch (org.apache.kafka.streams.errors.InvalidStateStoreException e) {
      return false; // rebalancing or restoring: ask again
    }
  }

  /** The last committed record of each key in the blind-update store's changelog, decoded. */
  private static Map<String, Long> lastCommittedChangelogValues(String bootstrap) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    Map<String, Long> last = new HashMap<>();
    String topic = ClusterWordCount.APP + "-" + BlindUpdateWordCount.STORE + "-changelog";
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
      var tps = consumer.partitionsFor(topic).stream()
          .map(i -> new org.apache.kafka.common.TopicPartition(i.topic(), i.partition())).toList();
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(tps);
      long deadline = System.currentTimeMillis() + 20_000;
      while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.value() == null) {
            last.remove(r.key());
          } else {
            last.put(r.key(), dev.sapwood.UpdateFunctions.toLong(r.value()));
          }
        }
      }
    }
    return last;
  }

  /** How many tasks under {@code stateDir} have a Sapwood "counts" store (a database with a log). */
  private static long sapwoodTasks(Path stateDir) throws java.io.IOException {
    Path app = stateDir.resolve(ClusterWordCount.APP);
    if (!java.nio.file.Files.isDirectory(app)) {
      return 0;
    }
    try (var tasks = java.nio.file.Files.list(app)) {
      return tasks.filter(t -> java.nio.file.Files.isDirectory(t.resolve("counts").resolve("wal"))).count();
    }
  }

  private interface Condition {
    boolean holds() throws Exception;
  }

  private static void await(Condition c, long millis, String what) throws Exception {
    long deadline = System.currentTimeMillis() + millis;
    while (!c.holds()) {
      assertTrue(System.currentTimeMillis() < deadline, "timed out waiting: " + what);
      Thread.sleep(200);
    }
  }

  private static void produce(String bootstrap, int fromRound, int toRound) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
      for (int r = fromRound; r < toRound; r++) {
        for (int w = 0; w < WORDS; w++) {
          producer.send(new ProducerRecord<>(ClusterWordCount.INPUT, "word" + w, "word" + w));
        }
      }
      producer.flush();
    }
  }

  /** Every committed output record so far, per word, in order (replaces {@code into}'s content). */
  private static void readCommitted(String bootstrap, Map<String, List<Long>> into) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    into.clear();
    try (KafkaConsumer<String, Long> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new LongDeserializer())) {
      var tps = consumer.partitionsFor(ClusterWordCount.OUTPUT).stream()
          .map(i -> new org.apache.kafka.common.TopicPartition(i.topic(), i.partition())).toList();
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(tps);
      long deadline = System.currentTimeMillis() + 10_000;
      while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, Long> r : consumer.poll(Duration.ofMillis(200))) {
          into.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value());
        }
      }
    }
  }
}
