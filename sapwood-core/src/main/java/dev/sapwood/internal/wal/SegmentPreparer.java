package dev.sapwood.internal.wal;

import dev.sapwood.internal.io.IoMapping;
import java.io.IOException;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@link SegmentWriter}'s preparer: a thread that readies the segment being written ahead of
 * the frames ({@link IoMapping#prepareAhead}: a mapped segment's zero fill, one {@code pwrite} per
 * 16 KiB chunk), so that the frame writer, holding {@code fileLock}, seldom makes that system call
 * itself. The kernel throttles a process that dirties pages on a busy machine (a 16 KiB zero
 * {@code pwrite} took 10–312 ms at load 12–27), and every writer behind {@code fileLock} waited for it
 * (docs/design.md, "The log's zero fill ahead of the writers").
 *
 * <p>The writer calls {@link #ahead} after each frame, holding {@code fileLock}, and {@link #wake}
 * once it let go of the lock; they wake the preparer when fewer than {@link #LOW} bytes past the
 * segment's end are ready (the staged frames go up to {@link LogFormat#STAGED_GAP} + {@link
 * LogFormat#MAX_STAGED} bytes past it), and the preparer readies up to {@link #AHEAD} bytes past
 * it. The bound keeps the zeros a sync writes back
 * before the frames overwrite them to {@code AHEAD} bytes per sync. The thread starts at the first
 * wake: a mapping that readies nothing (in-memory and fault-injecting files) never starts it.
 *
 * <p>After each step it also forces the windows of the mapping the stores have left ({@link
 * IoMapping#forceLeft}), so that they leave the process's resident set before the next sync
 * instead of up to a second of a busy log's pages after it (docs/design.md, "Mapped log
 * segments"). That only writes back earlier what the sync would force; a failure fails the log.
 *
 * <p>A store the preparer has not reached readies its own chunk, so the log's bytes and its
 * durability do not depend on it: the preparer only writes zeros over chunks no store has reached
 * ({@link IoMapping#prepareAhead}'s contract), which recovery reads as the segment's zero tail, as
 * before. A failure to ready a chunk fails the log (sticky, in {@link LogFailure}): the next write
 * or sync throws it.
 *
 * <p>Invariants: at most one thread, started once; it readies at most {@code AHEAD} bytes past the
 * last end it was given (a wake seen with a new mapping and an older end readies no further than
 * {@code AHEAD} past what is ready); it stops after {@link #close}, and after a failure. Thread
 * safety: {@link #ahead} is called under the segment writer's {@code fileLock} (one caller at a
 * time), {@link #wake} by any thread; the target ({@code map}, {@code end}) is volatile, written
 * mapping first and read end first, so an end seen belongs to the mapping seen or a later one.
 */
final class SegmentPreparer {
  /**
   * Fewer bytes than this ready past the segment's end wake the preparer: the staged frames' reach
   * and 64 KiB, about 10 ms of two YCSB loaders' log on a loaded machine (a lead of 16 KiB was
   * overtaken there: docs/benchmarks.md, "The log's zero fill off the writers' path").
   */
  static final long LOW = LogFormat.STAGED_GAP + LogFormat.MAX_STAGED + (64 << 10);
  /** Bytes past the segment's end the preparer readies: up to 8 chunks a wake. */
  static final long AHEAD = LOW + (128 << 10);

  private final LogFailure failure;
  private final LongAdder wakes;
  private volatile IoMapping map;
  private volatile long end;
  private volatile boolean wanted; // a frame asked for a wake, not yet given
  private volatile boolean closed;
  private volatile Thread thread; // started under this

  SegmentPreparer(LogFailure failure, LongAdder wakes) {
    this.failure = failure;
    this.wakes = wakes;
  }

  /**
   * The segment {@code m} now ends at {@code pos}: asks for a wake ({@link #wake}) if fewer than
   * {@link #LOW} bytes past it are ready. Called holding {@code fileLock}; allocates nothing.
   */
  void ahead(IoMapping m, long pos) {
    long ready = m.prepared();
    if (ready - pos >= LOW || ready >= m.size()) {
      return;
    }
    map = m;
    end = pos + AHEAD;
    wanted = true;
  }

  /**
   * Wakes the preparer if a frame asked for it (starting it the first time). Called after leaving
   * {@code fileLock}: a wake is a system call, and the thread it wakes may take this one's core,
   * which must not happen while the writers' lock is held.
   */
  void wake() {
    if (!wanted) {
      return;
    }
    wanted = false;
    Thread t = thread;
    if (t == null) {
      synchronized (this) {
        if (closed) {
          return;
        }
        t = thread;
        if (t == null) {
          t = new Thread(this::run, "sapwood-log-prepare");
          t.setDaemon(true);
          thread = t;
          t.start();
        }
      }
    }
    wakes.increment();
    LockSupport.unpark(t);
  }

  private void run() {
    while (!closed && failure.failure() == null) {
      long e = end;
      IoMapping m = map;
      long ready = m.prepared();
      if (ready >= e) {
        LockSupport.park(this);
        continue;
      }
      try {
        m.prepareAhead(Math.min(e, ready + AHEAD));
        m.forceLeft();
      } catch (IOException x) {
        failure.fail("readying the log segment ahead of the writers failed", x);
      } catch (RuntimeException | Error x) {
        failure.fail("readying the log segment ahead of the writers failed", new IOException(x));
      }
      if (m.prepared() == ready) { // a full segment's mapping, stopped: wait for the next wake
        LockSupport.park(this);
      }
    }
  }

  /**
   * Stops the preparer and waits for it (the thread's interrupt flag kept): afterwards it writes
   * nothing. Call {@link IoMapping#stopPreparing} on a mapping before cutting its file instead when
   * the preparer goes on with the next segment.
   */
  void close() {
    Thread t;
    synchronized (this) {
      closed = true;
      t = thread;
    }
    if (t != null) {
      LockSupport.unpark(t);
      join(t);
    }
  }

  /** Waits until {@code t} (if not null) ended, keeping the thread's interrupt flag. */
  static void join(Thread t) {
    if (t == null) {
      return;
    }
    boolean interrupted = false;
    while (true) {
      try {
        t.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
