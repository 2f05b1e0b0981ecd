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
  /** The database's last MSN when the cleaner's previous pass began (-1: none yet); guarded by {@code budget}. */
  private long msnAtLastPass = -1;
  private final CleanerBudget budget = new CleanerBudget(CleanerBudget.BYTES_PER_WRITTEN_BYTE);

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
   * One cleaner pass: flushes the internal nodes whose buffers hold at least half a node, fullest
   * first, while it has credit ({@link CleanerBudget}: the bytes of messages written since the
   * previous pass; a pass cut short by it counts in {@code cleaner.budget_stops}) — and only if a
   * write was sequenced since the previous pass began (else counted in {@code cleaner.idle_skips}).
   * The cleaner keeps buffers light for writers; once writes stop or trickle, its flushes mostly
   * compete with readers: after a YCSB load of 1M 1 KB records, the read-only phase spent its first
   * 55 s beside the cleaner's 393 flushes (each loading a leaf whole, latching it and its parent,
   * writing it), reading at a quarter of the rate it reached after them (docs/benchmarks.md, "YCSB
   * B and C: the cleaner after the load"). So one pass runs after the last write, none until the
   * next one, and a write-light phase's passes move about as many bytes as it writes. Passes run
   * one at a time (a test's beside the background's), so each spends the credit the one before it
   * left.
   */
  void clean() {
    synchronized (budget) {
      long msn = ctx.lastMsn();
      if (msn == msnAtLastPass) {
        counters.counter("cleaner.idle_skips").increment();
        return;
      }
      msnAtLastPass = msn;
      long credit = budget.open(ctx.messageBytes());
      long moved = pass(credit);
      budget.close(credit, moved);
    }
  }

  /**
   * Tests: one pass as the cleaner ran before the gate and the budget — whatever is heavy, with or
   * without writes (a busy cleaner beside a model test).
   */
  void cleanWithoutBudget() {
    pass(Long.MAX_VALUE);
  }

  /** Tests: how many cached internal nodes hold at least half a node in their buffers now. */
  int candidates() {
    return ctx.cleaner().candidates(nodeSize / 2, Integer.MAX_VALUE).length;
  }

  /** Flushes the fullest candidates while less than {@code credit} bytes moved; returns the bytes moved. */
  private long pass(long credit) {
    return gate.writeShared(() -> {
      long threshold = nodeSize / 2;
      long moved = 0;
      for (long block : ctx.cleaner().candidates(threshold, 4)) {
        if (moved >= credit) {
          counters.counter("cleaner.budget_stops").increment();
          break;
        }
        moved += ctx.cleaner().clean(block, threshold);
      }
      counters.counter("cleaner.passes").increment();
      return moved;
    });
  }
}
