package dev.sapwood.kafka;

import dev.sapwood.Options;
import org.apache.kafka.streams.state.HeadersBytesStore;

/** A {@link SapwoodKeyValueStore} whose values carry their timestamp and headers. */
final class HeadersSapwoodKeyValueStore extends SapwoodKeyValueStore implements HeadersBytesStore {
  HeadersSapwoodKeyValueStore(String name, Options options, String metricsScope) {
    super(name, options, metricsScope, StoreFormat.HEADERS);
  }
}
