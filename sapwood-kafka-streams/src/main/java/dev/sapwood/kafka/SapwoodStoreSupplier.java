package dev.sapwood.kafka;

import dev.sapwood.Options;
import java.util.Objects;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Makes {@link SapwoodKeyValueStore}s of one name, options and format; each {@link #get()} is a new,
 * unopened store (Kafka Streams makes one per task). Immutable; thread-safe.
 */
class SapwoodStoreSupplier implements KeyValueBytesStoreSupplier {
  /** The metrics scope of every Sapwood store ({@code sapwood-state-id} tags). */
  static final String METRICS_SCOPE = "sapwood";

  private final String name;
  private final Options options;
  private final StoreFormat format;

  SapwoodStoreSupplier(String name, Options options, StoreFormat format) {
    this.name = Objects.requireNonNull(name, "name");
    this.options = Objects.requireNonNull(options, "options");
    this.format = format;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public KeyValueStore<Bytes, byte[]> get() {
    return switch (format) {
      case PLAIN -> new SapwoodKeyValueStore(name, options, METRICS_SCOPE, StoreFormat.PLAIN);
      case TIMESTAMPED -> new TimestampedSapwoodKeyValueStore(name, options, METRICS_SCOPE);
      case HEADERS -> new HeadersSapwoodKeyValueStore(name, options, METRICS_SCOPE);
    };
  }

  @Override
  public String metricsScope() {
    return METRICS_SCOPE;
  }

  @Override
  public String toString() {
    return "SapwoodStoreSupplier(" + name + ", " + format + ")";
  }
}
