/**
 * YCSB bindings for Sapwood and, for comparison, RocksDB (run by {@code bench/ycsb.sh}).
 *
 * <p>May import: Sapwood's public API, YCSB and RocksDB. Nothing in Sapwood imports it.
 *
 * <p>Invariants: a YCSB record is one value in the {@code Records} layout, and an update
 * overlays fields on the stored record without decoding it.
 */
package dev.sapwood.bench.ycsb;
