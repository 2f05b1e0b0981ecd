/**
 * The benchmark workloads shared by the command line's {@code sapwood bench} and the peer
 * comparisons: db_bench-style workloads ({@code Workload}), their runner and worker harness
 * ({@code BenchRunner}, {@code Workers}), the engine seam ({@code BenchEngine}, with Sapwood's
 * {@code SapwoodEngine}), key and value generation, progress, reports and the JSON writer
 * ({@code Json}, the one JSON string escaper of the project).
 *
 * <p>May import: Sapwood's public API ({@code dev.sapwood}) only — never its internals — and
 * HdrHistogram. Depended on by {@code sapwood-cli} and {@code sapwood-bench}; depends on neither.
 *
 * <p>Invariants: a workload's keys and values follow from its seed alone, so runs repeat; with
 * verification on, every value read is checked against what was written.
 */
package dev.sapwood.bench;
