package dev.sapwood.internal.engine;

import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import java.util.concurrent.atomic.LongAdder;

/**
 * Write-behind of the block file (RocksDB's {@code bytes_per_sync}): once {@link #SYNC_BYTES}
 * were written to it since the last sync, fsync it, on the checkpoint thread.
 *
 * <p>Why: nodes written outside a checkpoint (evicted dirty, written before a partition fetch,
 * flushed past memory) are only in the OS page cache until something syncs them. Nothing did
 * but the next checkpoint's fsync, 60 s later; below the kernel's dirty thresholds (a share of the
 * machine's memory, far above a memory cgroup's) the kernel leaves them dirty for up to 30 s.
 * Inside a memory cgroup (cgroup v1) the page cache is full, every page the process adds (a log
 * write, a node read or write) must first reclaim one, and reclaim that meets dirty pages waits
 * for their writeback. Right after a checkpoint every page is clean and reclaim is free; then
 * the dirty share grows until the writer stalls in the kernel: the fill ran twice as fast for
 * ~15 s after each checkpoint, then slow until the next (docs/benchmarks.md, "The sawtooth").
 * Syncing every few MiB keeps the dirty pages few, so the fast regime is the steady one.
 *
 * <p>Costs no write amplification: the same bytes are written, only sooner (nodes are written
 * copy-on-write to new extents, so a page is not dirtied twice between syncs). Durability is
 * unchanged: it only makes durable earlier what a checkpoint's fsync would ({@link
 * BlockFile#syncWritten}); a failed sync is sticky and fails the database, like a checkpoint's.
 *
 * <p>Invariants: {@code syncedAt} never exceeds the file's bytes written. Thread-safe (ticks are
 * serialized); run by the checkpoint thread, so never beside a background checkpoint.
 */
final class WriteBehind {
  /** Bytes written since the last sync that call for one. */
  static final long SYNC_BYTES = 16L << 20;
  /** How often the checkpoint thread asks. */
  static final long TICK_MS = 100;

  private final BlockFile file;
  private final LongAdder syncs;
  private final LongAdder syncMicros;
  private long syncBytes = SYNC_BYTES;
  private long syncedAt; // the file's bytes written at the last sync

  WriteBehind(BlockFile file, Counters counters) {
    this.file = file;
    this.syncs = counters.counter("store.write_behind_syncs");
    this.syncMicros = counters.counter("store.write_behind_sync_micros_total");
    this.syncedAt = file.bytesWritten();
  }

  /** Tests: sync after every {@code bytes} (at least 1) instead of {@link #SYNC_BYTES}. */
  synchronized void syncEvery(long bytes) {
    if (bytes < 1) {
      throw new IllegalArgumentException("bytes " + bytes);
    }
    syncBytes = bytes;
  }

  /** Syncs the block file if {@link #SYNC_BYTES} were written since the last sync; whether it did. */
  synchronized boolean tick() {
    long written = file.bytesWritten();
    if (written - syncedAt < syncBytes) {
      return false;
    }
    long start = System.nanoTime();
    file.syncWritten();
    syncedAt = written;
    syncs.increment();
    syncMicros.add((System.nanoTime() - start) / 1000);
    return true;
  }
}
