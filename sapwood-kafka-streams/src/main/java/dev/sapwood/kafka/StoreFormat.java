package dev.sapwood.kafka;

import org.apache.kafka.streams.DslStoreFormat;

/**
 * What a store's values hold, as Kafka Streams' DSL asks for ({@link DslStoreFormat}): plain
 * values, values with a timestamp, or with a timestamp and headers. The store treats values as
 * opaque bytes either way; the format decides which marker interface the store carries, so that
 * Kafka Streams hands it the layout it expects without an adapter. Recorded in the store's meta
 * tree: a store opened in another format is refused.
 */
enum StoreFormat {
  PLAIN,
  TIMESTAMPED,
  HEADERS;

  static StoreFormat of(DslStoreFormat f) {
    if (f == null) {
      return PLAIN;
    }
    return switch (f) {
      case PLAIN -> PLAIN;
      case TIMESTAMPED -> TIMESTAMPED;
      case HEADERS -> HEADERS;
    };
  }
}
