package dev.sapwood.kafka;

import dev.sapwood.Options;
import java.util.Map;
import org.apache.kafka.streams.state.BuiltInDslStoreSuppliers;
import org.apache.kafka.streams.state.DslKeyValueParams;
import org.apache.kafka.streams.state.DslSessionParams;
import org.apache.kafka.streams.state.DslStoreSuppliers;
import org.apache.kafka.streams.state.DslWindowParams;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.SessionBytesStoreSupplier;
import org.apache.kafka.streams.state.WindowBytesStoreSupplier;

/**
 * Makes every key-value store of the Kafka Streams DSL a Sapwood store: set {@code
 * dsl.store.suppliers.class} ({@code StreamsConfig.DSL_STORE_SUPPLIERS_CLASS_CONFIG}) to this class.
 * Plain, timestamped and header-carrying key-value stores are Sapwood stores with {@link
 * SapwoodStores#DEFAULT_CACHE_SIZE} caches.
 *
 * <p>Window and session stores are Kafka Streams' RocksDB ones ({@link
 * BuiltInDslStoreSuppliers.RocksDBDslStoreSuppliers}): their contract drops whole time segments at
 * retention and fetches by time across keys, which Kafka Streams builds from one database per
 * segment; Sapwood has no cheap time-ordered drop within one tree yet (docs/kafka-streams.md,
 * "Window and session stores").
 *
 * <p>Stateless apart from the configuration; Kafka Streams makes one per topology.
 */
public class SapwoodDslStoreSuppliers implements DslStoreSuppliers {
  private final DslStoreSuppliers fallback = new BuiltInDslStoreSuppliers.RocksDBDslStoreSuppliers();
  private Options options = Options.defaults().cacheSize(SapwoodStores.DEFAULT_CACHE_SIZE);

  /** Used by Kafka Streams through {@code dsl.store.suppliers.class}. */
  public SapwoodDslStoreSuppliers() {}

  @Override
  public void configure(Map<String, ?> configs) {
    fallback.configure(configs);
  }

  @Override
  public KeyValueBytesStoreSupplier keyValueStore(DslKeyValueParams params) {
    return switch (StoreFormat.of(params.dslStoreFormat())) {
      case PLAIN -> SapwoodStores.keyValueStore(params.name(), options);
      case TIMESTAMPED -> SapwoodStores.timestampedKeyValueStore(params.name(), options);
      case HEADERS -> SapwoodStores.timestampedKeyValueStoreWithHeaders(params.name(), options);
    };
  }

  @Override
  public WindowBytesStoreSupplier windowStore(DslWindowParams params) {
    return fallback.windowStore(params);
  }

  @Override
  public SessionBytesStoreSupplier sessionStore(DslSessionParams params) {
    return fallback.sessionStore(params);
  }
}
