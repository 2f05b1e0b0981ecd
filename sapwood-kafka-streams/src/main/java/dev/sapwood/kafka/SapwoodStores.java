package dev.sapwood.kafka;

import dev.sapwood.Options;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Factories of Sapwood state stores for Kafka Streams (docs/kafka-streams.md).
 *
 * <pre>{@code
 * builder.stream("words").groupByKey()
 *     .count(Materialized.as(SapwoodStores.keyValueStore("counts")));
 * }</pre>
 *
 * Or, for every key-value store of the DSL, set {@code dsl.store.suppliers.class} to {@link
 * SapwoodDslStoreSuppliers}.
 *
 * <p>Each store is one Sapwood database in {@code <state.dir>/<application.id>/<task>/<name>}. Its
 * writes since the last commit are held in memory, up to {@code statestore.uncommitted.max.bytes}
 * (or {@link #DEFAULT_MAX_UNCOMMITTED_BYTES} if unset) per store; see {@link SapwoodKeyValueStore}
 * for how data and changelog offsets stay in agreement. Stateless; thread-safe.
 */
public final class SapwoodStores {
  /** Uncommitted bytes a store holds before writing them early: 64 MiB. */
  public static final long DEFAULT_MAX_UNCOMMITTED_BYTES = 64L << 20;

  /** Node cache of each store unless the {@link Options} say otherwise: 32 MiB. */
  public static final long DEFAULT_CACHE_SIZE = 32L << 20;

  private SapwoodStores() {}

  /**
   * A supplier of persistent Sapwood key-value stores named {@code name}, with Sapwood's default
   * options but a {@link #DEFAULT_CACHE_SIZE} node cache.
   */
  public static KeyValueBytesStoreSupplier keyValueStore(String name) {
    return keyValueStore(name, Options.defaults().cacheSize(DEFAULT_CACHE_SIZE));
  }

  /** A supplier of persistent Sapwood key-value stores named {@code name}, opened with {@code options}. */
  public static KeyValueBytesStoreSupplier keyValueStore(String name, Options options) {
    return new SapwoodStoreSupplier(name, options, StoreFormat.PLAIN);
  }

  /** As {@link #keyValueStore(String, Options)}, for values that carry their timestamp. */
  public static KeyValueBytesStoreSupplier timestampedKeyValueStore(String name, Options options) {
    return new SapwoodStoreSupplier(name, options, StoreFormat.TIMESTAMPED);
  }

  /** As {@link #keyValueStore(String, Options)}, for values with timestamp and headers. */
  public static KeyValueBytesStoreSupplier timestampedKeyValueStoreWithHeaders(String name, Options options) {
    return new HeadersSapwoodStoreSupplier(name, options);
  }

  /**
   * A Processor API builder of a {@link SapwoodKeyValueStore} on raw bytes, the store type with
   * {@link SapwoodKeyValueStore#update blind updates}. The store is handed to processors as it is
   * (no caching or metering layer): reach it with {@link SapwoodKeyValueStore#unwrap}. It is
   * changelogged unless {@code withLoggingDisabled()} is called: puts and deletes are sent as they
   * happen, and a blindly updated key's value is read once per commit and sent before the commit
   * (see docs/kafka-streams.md, "Blind updates"), so the store fails over like any other.
   */
  public static StoreBuilder<SapwoodKeyValueStore> updatableStoreBuilder(String name, Options options) {
    return new UpdatableStoreBuilder(name, options);
  }

  /** A DSL-style builder (metered, optionally cached and logged) over a Sapwood supplier. */
  public static <K, V> StoreBuilder<KeyValueStore<K, V>> keyValueStoreBuilder(String name, Serde<K> keys, Serde<V> values) {
    return Stores.keyValueStoreBuilder(keyValueStore(name), keys, values);
  }

  /** The uncommitted-bytes limit of each store under the application's configuration. */
  static long maxUncommittedBytes(Map<String, Object> appConfigs) {
    Object v = appConfigs == null ? null : appConfigs.get(StreamsConfig.STATESTORE_UNCOMMITTED_MAX_BYTES_CONFIG);
    if (v instanceof Number n && n.longValue() > 0) {
      return n.longValue();
    }
    if (v instanceof String s && !s.isBlank()) {
      try {
        long parsed = Long.parseLong(s.trim());
        if (parsed > 0) {
          return parsed;
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(StreamsConfig.STATESTORE_UNCOMMITTED_MAX_BYTES_CONFIG + " is not a number: " + s, e);
      }
    }
    return DEFAULT_MAX_UNCOMMITTED_BYTES;
  }
}
