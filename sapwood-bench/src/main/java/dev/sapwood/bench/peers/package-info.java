/**
 * Side-by-side runs of the shared workloads against peer engines (RocksDB, LMDB, H2 MVStore), each
 * in a child JVM, and the insert-rate chart.
 *
 * <p>May import: {@code dev.sapwood.bench} (the workloads and the engine seam), Sapwood's public
 * API, and the peers' own libraries. Nothing in Sapwood imports it.
 *
 * <p>Invariants: every engine runs the same workload with the same seed and the same settings
 * ({@code EngineSettings}), so the numbers compare.
 */
package dev.sapwood.bench.peers;
