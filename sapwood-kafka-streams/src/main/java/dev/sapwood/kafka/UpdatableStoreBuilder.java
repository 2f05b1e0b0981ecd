package dev.sapwood.kafka;

import dev.sapwood.Options;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * Builds bare {@link SapwoodKeyValueStore}s for the Processor API (see {@link
 * SapwoodStores#updatableStoreBuilder}). Caching is off and cannot be turned on (a cache in front
 * would have to read to apply a blind update); logging is off and cannot be turned on (a blind
 * update's result is not known without reading it). Not thread-safe; used while building a
 * topology.
 */
final class UpdatableStoreBuilder implements StoreBuilder<SapwoodKeyValueStore> {
  private final String name;
  private final Options options;

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

  @Override
  public StoreBuilder<SapwoodKeyValueStore> withLoggingEnabled(Map<String, String> config) {
    throw new UnsupportedOperationException("a Sapwood store with blind updates cannot be changelogged "
        + "(the result of an update is known only when read); see docs/kafka-streams.md");
  }

  @Override
  public StoreBuilder<SapwoodKeyValueStore> withLoggingDisabled() {
    return this;
  }

  @Override
  public SapwoodKeyValueStore build() {
    return new SapwoodKeyValueStore(name, options, SapwoodStoreSupplier.METRICS_SCOPE, StoreFormat.PLAIN);
  }

  @Override
  public Map<String, String> logConfig() {
    return Map.of();
  }

  @Override
  public boolean loggingEnabled() {
    return false;
  }

  @Override
  public String name() {
    return name;
  }
}
