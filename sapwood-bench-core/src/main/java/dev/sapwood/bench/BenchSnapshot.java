package dev.sapwood.bench;

/**
 * A point-in-time read-only view of an engine's data keyspace, for readsnapshot and
 * readsnapshotop; returns copies. May be shared by threads if the engine allows; the workloads use
 * one per thread.
 */
public interface BenchSnapshot extends AutoCloseable {
  /** The value at the snapshot, or null if absent. */
  byte[] get(byte[] key);

  @Override
  void close();
}
