package dev.sapwood.kafka;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.MeasurableStat;
import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.processor.StateStoreContext;

/**
 * A store's Sapwood counters as Kafka metrics, in group {@code stream-state-metrics} with the tags
 * Kafka Streams gives store metrics ({@code thread-id}, {@code task-id}, {@code <scope>-state-id}),
 * the way RocksDB's store reports its own statistics. Names start with {@code sapwood-} so they never
 * collide with the metrics Kafka Streams' own store layers register under the same tags. Each metric reads the database's counters
 * when it is measured (no cost on the write path).
 *
 * <p>Not thread-safe: registered and removed by the stream thread that opens and closes the store.
 */
final class StoreMetrics {
  static final String GROUP = "stream-state-metrics";

  /** Metric name, description, and how to read it from the database and the store. */
  private record Gauge(String name, String description, ToLongFunction<SapwoodKeyValueStore> read) {}

  private static final Gauge[] GAUGES = {
    new Gauge("sapwood-bytes-written-total", "bytes written to the store's files (block file and log)",
        s -> s.stats().get("io.bytes_written")),
    new Gauge("sapwood-bytes-read-total", "bytes read from the store's files", s -> s.stats().get("io.bytes_read")),
    new Gauge("sapwood-block-cache-hit-ratio", "node cache hits per thousand lookups", s -> {
      long hits = s.stats().get("cache.hits");
      long total = hits + s.stats().get("cache.misses");
      return total == 0 ? 0 : hits * 1000 / total;
    }),
    new Gauge("sapwood-flushes-total", "buffer flushes down the tree", s -> s.stats().get("flush.total")),
    new Gauge("sapwood-checkpoints-total", "checkpoints written", s -> s.stats().get("checkpoint.count")),
    new Gauge("sapwood-log-fsyncs-total", "fsyncs of the write-ahead log", s -> s.stats().get("log.fsyncs")),
    new Gauge("sapwood-uncommitted-bytes", "bytes of writes held in memory until the next commit",
        SapwoodKeyValueStore::approximateNumUncommittedBytes),
    new Gauge("sapwood-commits-total", "commits (data and changelog offsets written as one batch)",
        SapwoodKeyValueStore::commitCount),
    new Gauge("sapwood-restored-records-total", "changelog records restored", SapwoodKeyValueStore::restoredCount),
  };

  private final StreamsMetrics metrics;
  private final Sensor sensor;

  private StoreMetrics(StreamsMetrics metrics, Sensor sensor) {
    this.metrics = metrics;
    this.sensor = sensor;
  }

  /** Registers the gauges of {@code store}; null if the context has no metrics. */
  static StoreMetrics register(StateStoreContext context, String scope, SapwoodKeyValueStore store) {
    StreamsMetrics metrics = context.metrics();
    if (metrics == null) {
      return null;
    }
    String task = String.valueOf(context.taskId());
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put("thread-id", Thread.currentThread().getName());
    tags.put("task-id", task);
    tags.put(scope + "-state-id", store.name());
    Sensor sensor = metrics.addSensor("sapwood." + task + "." + scope + "." + store.name(), Sensor.RecordingLevel.INFO);
    for (Gauge g : GAUGES) {
      sensor.add(new MetricName(g.name, GROUP, g.description, tags), new MeasurableStat() {
        @Override
        public void record(MetricConfig config, double value, long timeMs) {}

        @Override
        public double measure(MetricConfig config, long now) {
          try {
            return store.isOpen() ? g.read.applyAsLong(store) : 0;
          } catch (IllegalStateException closedMeanwhile) {
            return 0;
          }
        }
      });
    }
    return new StoreMetrics(metrics, sensor);
  }

  void remove() {
    metrics.removeSensor(sensor);
  }
}
