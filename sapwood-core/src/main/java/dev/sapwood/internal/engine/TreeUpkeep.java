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

  /** One cleaner pass: flushes the internal nodes whose buffers hold at least half a node. */
  void clean() {
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
