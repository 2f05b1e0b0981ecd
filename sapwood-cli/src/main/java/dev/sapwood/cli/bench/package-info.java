/**
 * {@code sapwood bench}: db_bench-style benchmarks of Sapwood from the command line, running the
 * shared workloads of {@code dev.sapwood.bench}.
 *
 * <p>May import: {@code dev.sapwood.bench}, Sapwood's public API and picocli. {@code
 * dev.sapwood.cli.Main} lists it; it does not reach back into {@code dev.sapwood.cli}.
 *
 * <p>Invariants: the options map one to one onto {@code BenchConfig}; results are written as
 * {@code Json}.
 */
package dev.sapwood.cli.bench;
