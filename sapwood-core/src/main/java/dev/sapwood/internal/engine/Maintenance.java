package dev.sapwood.internal.engine;

import dev.sapwood.internal.events.CheckpointEvent;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.store.BlockFileFormat;
import dev.sapwood.internal.store.CheckpointCopy;
import dev.sapwood.internal.wal.LogWriter;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The work an open database does on its block file's image rather than through its log:
 * checkpoints (on a timer, when space waits for release, on demand, at close), {@code compact}, and
 * the checkpoint a hot backup holds.
 *
 * <p>Locking: the {@link Checkpointer}'s monitor orders checkpoints, {@code compact}, the backup's
 * hold and {@code close}. A checkpoint's tail relocation runs under the gate's shared side (the
 * block file's relocator re-checks each move against writes and frees made meanwhile); only its
 * begin takes the exclusive side, briefly.
 *
 * <p>Invariants: a checkpoint never begins while a change is half in its trees (the begin takes
 * the gate's exclusive side); a failed checkpoint fails the database (the gate); the caller has
 * checked the database is writable.
 */
final class Maintenance {
  /** Bytes a checkpoint may move toward the start of the file. */
  static final long RELOCATE_PER_CHECKPOINT = 16L << 20;
  /** At most this many rounds of relocation and two checkpoints in {@code compact}. */
  static final int COMPACT_MAX_ROUNDS = 8;
  /** Real time one slice of the quiet sweep may take when no read came since the last slice. */
  static final long SWEEP_SLICE_IDLE_NANOS = 1_000_000_000L;
  /** Real time one slice of the quiet sweep may take while reads come (a slice per tick of 250 ms). */
  static final long SWEEP_SLICE_READING_NANOS = 10_000_000L;

  private final DatabaseGate gate;
  private final BlockFile file;
  private final Checkpointer checkpointer;
  private final Catalog catalog;
  private final long catalogBlock;
  private final Counters counters;
  private final TreeRegistry trees;
  private final OnlineOptimize optimizer;
  private final SpaceCheckpoints spaceCheckpoints; // guarded by checkpointer
  private final IdleReclaim idleReclaim; // guarded by checkpointer
  private LogWriter log; // set once, before the first checkpoint
  private long sweptMark = -1; // the write mark of the last quiet sweep done; guarded by checkpointer
  private long sweepCounted = -1; // the write mark of the last quiet sweep begun; guarded by checkpointer
  private long readsAtLastSlice = -1; // reads counted when the last sweep slice ended; guarded by checkpointer
  /** Whether reclaim rounds sweep leaves' deltas first; tests compare the file without it. */
  private volatile boolean quietSweep = true;
  /** Whether the sweep drains waiting messages into the leaves ({@code Options.drainWhenQuiet}), or only gives space back. */
  private final boolean drain;
  /** {@link #RELOCATE_PER_CHECKPOINT}; tests set less to leave holes as a large file would. */
  private volatile long relocatePerCheckpoint = RELOCATE_PER_CHECKPOINT;
  /** Runs in each round of {@code compact} once its blocks moved (tests: progress mid-compaction). */
  private volatile Runnable afterRelocation = () -> {};

  Maintenance(DatabaseGate gate, BlockFile file, Checkpointer checkpointer, Catalog catalog, long catalogBlock,
      Counters counters, TreeRegistry trees, OnlineOptimize optimizer, int nodeSize, boolean drain) {
    this.drain = drain;
    this.gate = gate;
    this.file = file;
    this.checkpointer = checkpointer;
    this.catalog = catalog;
    this.catalogBlock = catalogBlock;
    this.counters = counters;
    this.trees = trees;
    this.optimizer = optimizer;
    this.spaceCheckpoints = new SpaceCheckpoints(nodeSize);
    this.idleReclaim = new IdleReclaim(spaceCheckpoints.minFileBytes());
  }

  /** The log checkpoints note and sync; set once recovery made it. */
  void useLog(LogWriter log) {
    this.log = log;
  }

  void checkpoint() {
    checkpoint(relocatePerCheckpoint);
  }

  /** A checkpoint that first moves up to {@code relocate} bytes from the file's end into holes. */
  private void checkpoint(long relocate) {
    file.checkCheckpointAllowed();
    synchronized (checkpointer) {
      long start = System.nanoTime();
      CheckpointEvent event = CheckpointEvent.start();
      long writtenOutside = nodeBytesWrittenOutsideCheckpoints();
      long nodeBytesBefore = counters.counter("checkpoint.node_bytes_written").sum();
      long moved = relocate <= 0 ? 0 : gate.writeShared(() -> file.relocateTail(relocate));
      counters.counter("checkpoint.relocated_bytes").add(moved);
      Checkpointer.Begun begun = gate.write(() -> checkpointer.begin(log, catalog));
      try {
        checkpointer.finish(begun, log, catalogBlock, start);
      } catch (RuntimeException | Error e) {
        gate.fail(e);
        throw e;
      }
      if (event != null) {
        CheckpointEvent.finish(event, file.header().checkpointCount(), begun.lsn(), begun.pendingNodes().length,
            moved, file.fileSize());
      }
      spaceCheckpoints.checkpointed(start, System.nanoTime(), writtenOutside,
          counters.counter("checkpoint.node_bytes_written").sum() - nodeBytesBefore);
    }
  }

  /**
   * The checkpoint thread's tick, at {@code nowNanos}: a checkpoint if space waiting for release
   * calls for one ({@link SpaceCheckpoints}), else a round giving free space back if writes have
   * stopped ({@link IdleReclaim}; {@code writeMark} is the database's last MSN).
   */
  void checkpointIfSpaceWaits(long nowNanos, long writeMark) {
    boolean due;
    synchronized (checkpointer) {
      Map<String, Long> store = file.counters();
      due = spaceCheckpoints.due(store.get("store.file_bytes"), store.get("store.pending_free_bytes"),
          store.get("store.next_release_bytes"), nodeBytesWrittenOutsideCheckpoints(), nowNanos);
    }
    if (due) {
      counters.counter("checkpoint.space_triggered").increment();
      checkpoint();
      return;
    }
    reclaimIfIdle(nowNanos, writeMark);
  }

  /**
   * A reclaim round if {@link IdleReclaim} calls for one. The file's counters are read under the
   * checkpointer's monitor: read before it, they could predate a round another thread's tick ran
   * meanwhile, and say work is pending when the round just did it.
   */
  private void reclaimIfIdle(long nowNanos, long writeMark) {
    synchronized (checkpointer) {
      Map<String, Long> store = file.counters();
      long fileBytes = store.get("store.file_bytes");
      boolean wasPending = idleReclaim.pending();
      long used = fileBytes - BlockFileFormat.DATA_START;
      boolean due = idleReclaim.due(writeMark, fileBytes,
          store.get("store.free_bytes") + store.get("store.pending_free_bytes"), used,
          log.segmentBytes(), nowNanos);
      if (due) {
        if (writeMark != sweptMark && quietSweep && !sweepSlice(writeMark)) {
          // The sweep of this quiet spell goes on at the next tick; the rounds wait for it.
          countPending(wasPending);
          return;
        }
        // Records before now go to a segment of their own, which the second checkpoint deletes
        // (its records are all below the first one's begin): otherwise the segment being written
        // stays, up to LOG_SEGMENT_BYTES, however long the database sits idle.
        log.roll();
        long moved = gate.writeShared(() -> file.relocateAll(IdleReclaim.bytesPerRound(used)));
        // The round's checkpoints move nothing more: what they moved would wait for the next
        // round's checkpoints, and after the last round it stayed waiting.
        checkpoint(0);
        checkpoint(0);
        idleReclaim.roundDone(file.fileSize());
        counters.counter("space.reclaim_rounds").increment();
        counters.counter("space.reclaim_moved_bytes").add(moved);
      }
      countPending(wasPending);
    }
  }

  private void countPending(boolean wasPending) {
    if (idleReclaim.pending() != wasPending) {
      counters.counter("space.reclaim_pending").add(idleReclaim.pending() ? 1 : -1);
    }
  }

  /**
   * A slice of the quiet sweep of the spell of {@code writeMark} (once per spell, before the
   * rounds' checkpoints write what it changed): messages waiting for a leaf are drained into it,
   * or (drain off) leaves whose deltas repeat their basements' keys give those bytes back
   * ({@code tree.DeltaSweep}). Returns whether the sweep is done for this spell. A slice takes at
   * most {@link #SWEEP_SLICE_IDLE_NANOS} of real time if no read came since the last slice, else
   * {@link #SWEEP_SLICE_READING_NANOS}: between slices the checkpointer's monitor is free for
   * checkpoints and a close, and a database serving reads gives the drain a small share of its
   * time (in YCSB C at four threads on two cores a sweep draining at full pace took 9 of the run's
   * 15 s, the readers at a third of their speed meanwhile, and three times faster after it).
   */
  private boolean sweepSlice(long writeMark) {
    if (writeMark != sweepCounted) {
      sweepCounted = writeMark;
      counters.counter("space.sweeps").increment();
    }
    long reads = reads();
    long slice = reads == readsAtLastSlice ? SWEEP_SLICE_IDLE_NANOS : SWEEP_SLICE_READING_NANOS;
    boolean done = optimizer.sweepDeltas(trees, writeMark, drain, System.nanoTime() + slice);
    readsAtLastSlice = reads();
    if (done) {
      sweptMark = writeMark;
    }
    return done;
  }

  private long reads() {
    return counters.counter("read.gets").sum() + counters.counter("read.chunks").sum();
  }

  SpaceCheckpoints spaceCheckpoints() {
    return spaceCheckpoints;
  }

  /** Tests: rounds for space once writes stop from a file of {@code bytes} on. */
  void idleReclaimFrom(long bytes) {
    synchronized (checkpointer) {
      idleReclaim.minFileBytes(bytes);
    }
  }

  /**
   * Tests: {@code before} is given each quiet sweep step's first key before it runs, {@code
   * after} where the next step starts after it (null: the tree's end).
   */
  void sweepStepHooks(Consumer<byte[]> before, Consumer<byte[]> after) {
    optimizer.sweepStepHooks(before, after);
  }

  /** Tests: whether reclaim rounds sweep leaves' deltas first (on by default). */
  void quietSweep(boolean on) {
    quietSweep = on;
  }

  /** Tests: what a checkpoint may move toward the start of the file from now on. */
  void relocatePerCheckpoint(long bytes) {
    relocatePerCheckpoint = bytes;
  }

  private long nodeBytesWrittenOutsideCheckpoints() {
    return counters.counter("node.bytes_written").sum() - counters.counter("checkpoint.node_bytes_written").sum();
  }

  /**
   * Online: the buffers of the trees named are drained one path at a time (optimize), and blocks
   * move under the shared side; readers and writers go on throughout, waiting at most for one
   * optimize step or a checkpoint's begin. Changes written meanwhile may stay buffered. Figures:
   * {@code compact.walks} and {@code compact.drain_micros} (the drain), {@code compact.rounds} and
   * {@code compact.relocate_micros} (the relocation rounds and their checkpoints).
   */
  void compact(List<String> treeNames) {
    file.checkCheckpointAllowed();
    long start = System.nanoTime();
    for (String name : treeNames) {
      TreeImpl t = gate.read(() -> trees.get(name));
      if (t != null) {
        optimizer.compactTree(t);
      }
    }
    long drained = System.nanoTime();
    counters.counter("compact.drain_micros").add((drained - start) / 1000);
    synchronized (checkpointer) {
      // Space the last two checkpoints refer to is released two checkpoints on. A round moves
      // every block that fits lower down, then two checkpoints release the old places and cut the
      // free tail; the block tables those checkpoints write take fresh space at the end while the
      // space below still waits, so a round can leave the file larger than it found it (a tiny
      // database grew from 44 to 56 KiB with one round). Rounds go on while they move blocks or
      // shrink the file, but stop after IdleReclaim.STALE_ROUNDS rounds in a row that left the file no smaller than
      // the smallest it was: writers going on meanwhile refill the tail as fast as it empties (the
      // blocks a round moves are then mostly theirs), and rounds that kept going while anything
      // moved ran to the limit under steady writes.
      checkpoint();
      checkpoint();
      long smallest = Long.MAX_VALUE;
      int stale = 0;
      for (int round = 0; round < COMPACT_MAX_ROUNDS && stale < 2; round++) {
        counters.counter("compact.rounds").increment();
        long moved = gate.writeShared(file::relocateAll);
        afterRelocation.run();
        checkpoint();
        checkpoint();
        long units = alignedUnits(file.fileSize());
        if (moved == 0 && units >= smallest) {
          break; // nothing moved and nothing given back: no later round would do better
        }
        stale = units < smallest ? 0 : stale + 1;
        smallest = Math.min(smallest, units);
      }
    }
    counters.counter("compact.relocate_micros").add((System.nanoTime() - drained) / 1000);
  }

  /**
   * Tests: {@code hook} runs in every round of {@code compact}, after its blocks moved and before
   * its checkpoints, with the checkpointer's monitor held (so no checkpoint runs meanwhile).
   */
  void afterCompactRelocation(Runnable hook) {
    afterRelocation = hook;
  }

  private static long alignedUnits(long bytes) {
    return (bytes + BlockFileFormat.ALIGNMENT - 1) / BlockFileFormat.ALIGNMENT;
  }

  /**
   * A checkpoint, then a hold on it for {@link HotBackup}: taken under the checkpointer's monitor,
   * so the checkpoint held is this one, and with everything acknowledged before the call in it.
   */
  CheckpointCopy checkpointAndHold() {
    synchronized (checkpointer) {
      checkpoint();
      return file.holdLastCheckpoint();
    }
  }
}
