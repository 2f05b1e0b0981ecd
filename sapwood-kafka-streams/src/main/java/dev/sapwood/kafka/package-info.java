/**
 * Sapwood as a Kafka Streams state store: {@link dev.sapwood.kafka.SapwoodStores} (store suppliers
 * and builders), {@link dev.sapwood.kafka.SapwoodDslStoreSuppliers} (every DSL key-value store),
 * {@link dev.sapwood.kafka.SapwoodKeyValueStore} (the store, with blind updates). Uses only Sapwood's
 * public API ({@code dev.sapwood}) and Kafka Streams' public API. See docs/kafka-streams.md.
 */
package dev.sapwood.kafka;
