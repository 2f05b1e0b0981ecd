package dev.sapwood.internal.tree;

import dev.sapwood.internal.stats.Counters;
import java.util.HashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Who writes internal nodes, and how often one node is written for one checkpoint interval
 * (docs/design.md, "Dirty internal nodes parked off-heap": spills). An internal node is written by
 * the checkpoint that waits for it, by a spill of its parked image (the parked memory is full), or
 * written back by the cache; each write beyond the first of one node for one interval is a
 * repeat, bytes a memory large enough for the dirty level would not have written. A checkpoint's
 * write belongs to the interval its begin closed (it writes the node as it was then); any other
 * write to the interval it happens in.
 *
 * <p>Counters: {@code node_write.internal_checkpoint_bytes}, {@code
 * node_write.internal_spill_bytes}, {@code node_write.internal_writeback_bytes}, {@code
 * node_write.internal_repeats} and {@code node_write.internal_repeat_bytes}.
 *
 * <p>Thread-safe. Invariants: {@code lastInterval} maps a block to the last interval a write of it
 * belonged to, and holds no interval older than the one before the current; a block freed and
 * reused by another internal node within one interval counts as a repeat (rare: blocks are reused
 * only after the checkpoint that freed them).
 */
final class InternalWrites {
  private final LongAdder checkpointBytes;
  private final LongAdder spillBytes;
  private final LongAdder writeBackBytes;
  private final LongAdder repeats;
  private final LongAdder repeatBytes;
  private final HashMap<Long, Long> lastInterval = new HashMap<>(); // guarded by this
  private long interval; // guarded by this

  InternalWrites(Counters c) {
    checkpointBytes = c.counter("node_write.internal_checkpoint_bytes");
    spillBytes = c.counter("node_write.internal_spill_bytes");
    writeBackBytes = c.counter("node_write.internal_writeback_bytes");
    repeats = c.counter("node_write.internal_repeats");
    repeatBytes = c.counter("node_write.internal_repeat_bytes");
  }

  /** A checkpoint begins (nothing else running): a new interval. */
  synchronized void checkpointBegins() {
    interval++;
    long keep = interval - 1;
    lastInterval.values().removeIf(v -> v < keep);
  }

  /**
   * Counts a write of internal node {@code block}, {@code bytes} long: for the checkpoint in
   * progress, or else a spill of its parked image or a write-back.
   */
  void written(long block, boolean forCheckpoint, boolean spill, long bytes) {
    (forCheckpoint ? checkpointBytes : spill ? spillBytes : writeBackBytes).add(bytes);
    boolean repeat;
    synchronized (this) {
      long of = forCheckpoint ? interval - 1 : interval;
      Long before = lastInterval.put(block, of);
      repeat = before != null && before == of;
    }
    if (repeat) {
      repeats.increment();
      repeatBytes.add(bytes);
    }
  }
}
