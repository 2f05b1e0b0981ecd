package dev.sapwood.kafka;

import dev.sapwood.Options;
import org.apache.kafka.streams.state.TimestampedBytesStore;

/** A {@link SapwoodKeyValueStore} whose values carry their timestamp (the DSL's default layout). */
final class TimestampedSapwoodKeyValueStore extends SapwoodKeyValueStore implements TimestampedBytesStore {
  TimestampedSapwoodKeyValueStore(String name, Options options, String metricsScope) {
    super(name, options, metricsScope, StoreFormat.TIMESTAMPED);
  }
}
