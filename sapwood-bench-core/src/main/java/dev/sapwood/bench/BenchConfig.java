package dev.sapwood.bench;

import dev.sapwood.Compression;
import dev.sapwood.Durability;
import java.util.List;

/**
 * One run's parameters.
 *
 * @param benchmarks workloads, run in order on one database
 * @param num keys in the keyspace, and writes per write workload
 * @param reads operations of readrandom, seekrandom and readwhilewriting's readers (0 = num)
 * @param keySize key bytes (at least 8)
 * @param valueSize value bytes
 * @param threads threads per workload (readwhilewriting adds one writer)
 * @param cacheSize memory budget of every engine
 * @param durability durability of single writes
 * @param compression compression of stored data
 * @param nodeSize Sapwood node size (0 = default)
 * @param basementSize Sapwood basement size (0 = default, or a 32nd of {@code nodeSize} if set)
 * @param seekNexts entries read after each seek of seekrandom
 * @param seed seed of key order and values
 * @param verify check every value read against what was written (for tests; slower)
 */
public record BenchConfig(List<Workload> benchmarks, long num, long reads, int keySize,
    int valueSize, int threads, long cacheSize, Durability durability, Compression compression,
    int nodeSize, int basementSize, int seekNexts, long seed, boolean verify) {

  public BenchConfig {
    benchmarks = List.copyOf(benchmarks);
    if (num < 1) {
      throw new IllegalArgumentException("--num must be positive");
    }
    if (threads < 1) {
      throw new IllegalArgumentException("--threads must be positive");
    }
    if (keySize < 8) {
      throw new IllegalArgumentException("--key-size must be at least 8");
    }
    if (valueSize < 8) {
      throw new IllegalArgumentException("--value-size must be at least 8");
    }
    if (nodeSize < 0 || basementSize < 0) {
      throw new IllegalArgumentException("--node-size and --basement-size must be >= 0");
    }
    if (reads < 0 || seekNexts < 0) {
      throw new IllegalArgumentException("--reads and --seek-nexts must be >= 0");
    }
  }

  /** Defaults: 1M keys, 16-byte keys, 100-byte values, 1 thread, 128 MiB, ASYNC, LZ4. */
  public static BenchConfig defaults(List<Workload> benchmarks) {
    return new BenchConfig(benchmarks, 1_000_000, 0, 16, 100, 1, 128L << 20, Durability.ASYNC,
        Compression.LZ4, 0, 0, 10, 301, false);
  }

  public long readOps() {
    return reads == 0 ? num : reads;
  }

  public EngineSettings engineSettings() {
    return new EngineSettings(cacheSize, durability, compression, nodeSize, basementSize, num, keySize, valueSize);
  }

  public BenchConfig withNum(long n) {
    return new BenchConfig(benchmarks, n, reads, keySize, valueSize, threads, cacheSize, durability,
        compression, nodeSize, basementSize, seekNexts, seed, verify);
  }

  public BenchConfig withVerify(boolean v) {
    return new BenchConfig(benchmarks, num, reads, keySize, valueSize, threads, cacheSize,
        durability, compression, nodeSize, basementSize, seekNexts, seed, v);
  }

  public BenchConfig withBenchmarks(List<Workload> b) {
    return new BenchConfig(b, num, reads, keySize, valueSize, threads, cacheSize, durability,
        compression, nodeSize, basementSize, seekNexts, seed, verify);
  }
}
