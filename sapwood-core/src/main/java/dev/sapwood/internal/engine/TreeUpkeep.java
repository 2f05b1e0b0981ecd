package dev.sapwood.internal.engine;

import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.tree.TreeContext;

/**
 * The work {@link BackgroundTasks} does on the trees themselves, each step under the gate's shared
 * write side like a write ({@link DatabaseGate#writeShared}): a flush a writer handed over, and the
 * cleaner's pass over the fullest buffers.
 *
 * <p>Invariants: no step runs while a checkpoint begins or a batch is applied under the exclusive
 * side, nor once the database is closed, read-only or failed (the gate refuses it).
 */
final class TreeUpkeep {
  private final DatabaseGate gate;
  private final TreeContext ctx;
  private final Counters counters;
  private final int nodeSize;
  /** The database's last MSN when the cleaner's previous pass began (-1: none yet). */
  private volatile long msnAtLastPass = -1;

  TreeUpkeep(DatabaseGate gate, TreeContext ctx, Counters counters, int nodeSize) {
    this.gate = gate;
    this.ctx = ctx;
    this.counters = counters;
    this.nodeSize = nodeSize;
  }

  /** Runs a background task on the trees under the same lock as a write. */
  void run(Runnable task) {
    gate.writeShared(() -> {
      task.run();
      return null;
    });
  }

  /**
   * One cleaner pass: flushes the internal nodes whose buffers hold at least half a node — if a
   * write was sequenced since the previous pass began (else counted in {@code cleaner.idle_skips}).
   * The cleaner keeps buffers light for writers; once writes stop, its flushes only compete with
   * readers: after a YCSB load of 1M 1 KB records, the read-only phase spent its first 55 s beside
   * the cleaner's 393 flushes (each loading a leaf whole, latching it and its parent, writing it),
   * reading at a quarter of the rate it reached after them (docs/benchmarks.md, "YCSB B and C: the
   * cleaner after the load"). So one pass runs after the last write, and none until the next one.
   */
  void clean() {
    long msn = ctx.lastMsn();
    if (msn == msnAtLastPass) {
      counters.counter("cleaner.idle_skips").increment();
      return;
    }
    msnAtLastPass = msn;
    gate.writeShared(() -> {
      long threshold = nodeSize / 2;
      for (long block : ctx.cleaner().candidates(threshold, 4)) {
        ctx.cleaner().clean(block, threshold);
      }
      counters.counter("cleaner.passes").increment();
      return null;
    });
  }
}
