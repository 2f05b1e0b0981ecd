package dev.sapwood.kafka;

import dev.sapwood.Options;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * Builds bare {@link SapwoodKeyValueStore}s for the Processor API (see {@link
 * SapwoodStores#updatableStoreBuilder}). Changelogged by default, as Kafka's own builders are: the
 * store sends its changelog records itself ({@link StoreChangelog}), so no Kafka layer is put in
 * front of it and {@link SapwoodKeyValueStore#update} stays reachable. Caching is off and cannot be
 * turned on (a cache in front would have to read to apply a blind update). Not thread-safe; used
 * while building a topology.
 */
final class UpdatableStoreBuilder implements StoreBuilder<SapwoodKeyValueStore> {
  private final String name;
  private final Options options;
  private boolean logged = true;
  private Map<String, String> logConfig = new HashMap<>();

  UpdatableStoreBuilder(String name, Options options) {
    this.name = Objects.requireNonNull(name, "name");
    this.options = Objects.requireNonNull(options, "options");
  }

  @Override
  public StoreBuilder<SapwoodKeyValueStore> withCachingEnabled() {
    throw new UnsupportedOperationException("a Sapwood store with blind updates has no cache in front of it");
  }

  @Override
  public StoreBuilder<SapwoodKeyValueStore> withCachingDisabled() {
    return this;
  }

  /** Changelogs the store, with {@code config} for its changelog topic (as Kafka's builders take it). */
  @Override
  public StoreBuilder<SapwoodKeyValueStore> withLoggingEnabled(Map<String, String> config) {
    logged = true;
    logConfig = new HashMap<>(Objects.requireNonNull(config, "config"));
    return this;
  }

  /** The store's data is then local to the instance: not restored on another after a failover. */
  @Override
  public StoreBuilder<SapwoodKeyValueStore> withLoggingDisabled() {
    logged = false;
    logConfig.clear();
    return this;
  }

  @Override
  public SapwoodKeyValueStore build() {
    return new SapwoodKeyValueStore(name, options, SapwoodStoreSupplier.METRICS_SCOPE, StoreFormat.PLAIN, logged);
  }

  @Override
  public Map<String, String> logConfig() {
    return logConfig;
  }

  @Override
  public boolean loggingEnabled() {
    return logged;
  }

  @Override
  public String name() {
    return name;
  }
}
