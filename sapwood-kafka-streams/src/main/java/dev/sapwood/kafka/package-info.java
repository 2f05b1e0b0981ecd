/**
 * Sapwood as a Kafka Streams state store: {@link dev.sapwood.kafka.SapwoodStores} (store suppliers
 * and builders), {@link dev.sapwood.kafka.SapwoodDslStoreSuppliers} (every DSL key-value store),
 * {@link dev.sapwood.kafka.SapwoodKeyValueStore} (the store, with blind updates). Uses Sapwood's
 * public API ({@code dev.sapwood}) and Kafka Streams' public API, plus a few Kafka Streams 4.4
 * internals where the public API has no counterpart: {@code WrappedStateStore} (to unwrap a store),
 * {@code CachedStateStore} (the pre-commit flush hook) and {@code InternalProcessorContext.logChange}
 * (a blind-update store sends its own changelog records). See docs/kafka-streams.md.
 */
package dev.sapwood.kafka;
