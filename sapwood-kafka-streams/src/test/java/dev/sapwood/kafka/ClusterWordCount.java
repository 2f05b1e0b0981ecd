package dev.sapwood.kafka;

import dev.sapwood.Options;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The application of {@link KafkaStreamsClusterTest}: counts words (key = word) from {@value #INPUT}
 * into {@value #OUTPUT} under exactly-once, every DSL store a Sapwood store, no record cache (every
 * count is emitted); the same words are also counted with blind updates into the changelogged
 * Sapwood store {@value BlindUpdateWordCount#STORE} ({@link BlindUpdateWordCount.CountWords}), which
 * emits nothing and must survive a failover too. Run as a child JVM ({@link #main}: bootstrap servers, state directory), it
 * prints "running" once its instance is RUNNING.
 */
public final class ClusterWordCount {
  static final String APP = "sapwood-cluster-wordcount";
  static final String INPUT = "words";
  static final String OUTPUT = "word-counts";

  private ClusterWordCount() {}

  static KafkaStreams start(String bootstrap, Path stateDir) {
    StreamsBuilder b = new StreamsBuilder();
    var words = b.stream(INPUT, Consumed.with(Serdes.String(), Serdes.String()));
    words.groupByKey()
        .count(Materialized.as("counts"))
        .toStream()
        .to(OUTPUT, Produced.with(Serdes.String(), Serdes.Long()));
    b.addStateStore(SapwoodStores.updatableStoreBuilder(BlindUpdateWordCount.STORE,
        Options.defaults().cacheSize(8 << 20)));
    words.process(BlindUpdateWordCount.CountWords::new, BlindUpdateWordCount.STORE);
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, APP);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.DSL_STORE_SUPPLIERS_CLASS_CONFIG, SapwoodDslStoreSuppliers.class);
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6000);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 500);
    p.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), 5000);
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
    KafkaStreams streams = new KafkaStreams(b.build(), p);
    streams.start();
    return streams;
  }

  public static void main(String[] args) throws InterruptedException {
    KafkaStreams streams = start(args[0], Path.of(args[1]));
    while (streams.state() != KafkaStreams.State.RUNNING) {
      Thread.sleep(50);
    }
    System.out.println("running");
    new CountDownLatch(1).await();
  }
}
