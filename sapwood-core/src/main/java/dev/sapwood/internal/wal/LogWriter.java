package dev.sapwood.internal.wal;

import dev.sapwood.StorageException;
import dev.sapwood.SyncInterruptedException;
import dev.sapwood.internal.io.FileIo;
import dev.sapwood.internal.stats.Counters;
import java.io.Closeable;
import java.nio.file.Path;
import java.util.concurrent.atomic.LongAdder;

/**
 * Appends records to the write-ahead log. {@link #append} gives a record the next LSN and puts it
 * in an in-memory buffer; {@link #write} hands buffered records to the operating system (a killed
 * process loses nothing written); {@link #sync} makes everything up to an LSN durable. What one
 * write hands over is one frame (docs/format/log.md): concurrent writers share it — one of them
 * writes every record buffered so far in one {@code pwrite} while the others append to a second
 * buffer, and a writer whose record went out in another's frame returns at once (group write).
 * Concurrent {@code sync} callers share fsyncs the same way: one of them (the leader) writes and
 * fsyncs everything buffered so far, the others wait for it — group commit.
 *
 * <p>The parts: {@link FrameWriter} (the double buffer, frame encoding and group write), {@link
 * SegmentWriter} (the segment files: headers, rolling, fsyncs, trimming), {@link GroupSync} (the
 * sync protocol and the durable LSN), {@link LogFailure} (the sticky failure and closed flag
 * they share) and {@link StreamCompressor} (each segment's zstd stream: a frame's body is the
 * stream's output flushed after its records, complete on disk when its write returns). This class
 * is their façade, the API the engine calls.
 *
 * <p>Invariants: frames reach the file in LSN order, each at the end of the one before; {@code
 * durableLsn <= writtenLsn <= nextLsn - 1}; a frame's {@code synced} claim is at most the LSN before
 * its first record; after an I/O failure every later call throws a {@link StorageException} with
 * the first cause (an fsync is never retried as if it had worked); an interrupted waiter is not a
 * failure. Thread-safe. Locking, in this order: {@code fileLock} ({@link SegmentWriter}'s) guards
 * the segment, its position and the spare buffer (one frame writer at a time); the {@link
 * FrameWriter}'s monitor guards the append buffer and {@code nextLsn} and is never held during
 * I/O; {@code syncLock} ({@link GroupSync}'s) guards the leader handoff; a leader does its fsync
 * holding none of them.
 */
public final class LogWriter implements Closeable {
  private final LogFailure failure = new LogFailure();
  private final GroupSync sync;
  private final SegmentWriter segments;
  private final FrameWriter frames;
  private final LongAdder syncWaits;

  /**
   * Starts a new segment at {@code nextLsn} (recovery has already read and cut the old ones).
   *
   * @param segmentBytes the size after which a new segment is started
   */
  public LogWriter(FileIo io, Path dir, long nextLsn, long segmentBytes, Counters counters) {
    this(io, dir, nextLsn, segmentBytes, counters, true);
  }

  /**
   * Like {@link #LogWriter(FileIo, Path, long, long, Counters)}; if {@code compress} (the default),
   * each segment's frames are one zstd stream (docs/format/log.md, "Compressed segments").
   */
  public LogWriter(FileIo io, Path dir, long nextLsn, long segmentBytes, Counters counters, boolean compress) {
    this.sync = new GroupSync(nextLsn - 1, failure, this::leadSync);
    this.segments = new SegmentWriter(io, dir, nextLsn, segmentBytes, counters, failure, sync, compress);
    this.frames = new FrameWriter(nextLsn, segments, sync, failure, counters);
    this.syncWaits = counters.counter("log.sync_requests");
  }

  /** The LSN the next record will get. */
  public long nextLsn() {
    return frames.nextLsn();
  }

  /** The highest LSN known to be durable. */
  public long durableLsn() {
    return sync.durableLsn();
  }

  /**
   * Buffers a record; returns its LSN. Nothing reaches the file until {@link #write}/{@link #sync},
   * unless the buffered frame would pass {@link LogFormat#MAX_BODY}: then it is written first.
   */
  public long append(byte[] payload, int off, int len) {
    return frames.append(payload, off, len);
  }

  /** Hands every buffered record to the operating system (survives a killed process, not a power loss). */
  public void write() {
    frames.write();
  }

  /**
   * Hands every record up to {@code lsn} to the operating system, as {@link #write()} does for
   * them, but does not wait for records appended after it: a writer whose record already went out
   * in another thread's frame returns at once, and one waiting for the frame being written does
   * not then write the records appended meanwhile by others (they write them, sharing a frame).
   */
  public void write(long lsn) {
    frames.write(lsn);
  }

  /**
   * Makes every record up to {@code lsn} durable, sharing the fsync with concurrent callers. Not
   * interruptible: an interrupt does not stop the wait (the thread's interrupt flag is kept); for
   * internal callers (checkpoints, the periodic log sync, close) that must finish.
   *
   * @throws StorageException if a write or fsync failed (now or before)
   */
  public void sync(long lsn) {
    syncWaits.increment();
    sync.await(lsn, false);
    failure.check();
  }

  /**
   * Like {@link #sync}, for a caller waiting for its own write: gives up if the thread is
   * interrupted — its flag set when the call begins or while it waits for another thread's fsync —
   * with a {@link SyncInterruptedException}, the flag kept, after handing what is buffered to the
   * operating system (as {@link #write}). The log is not failed by it: the next sync makes the
   * records durable. (A caller that is itself doing the fsync as the leader finishes it; file I/O
   * is not interruptible.)
   *
   * @throws SyncInterruptedException if interrupted before {@code lsn} was durable
   * @throws StorageException if a write or fsync failed (now or before)
   */
  public void syncInterruptibly(long lsn) {
    syncWaits.increment();
    try {
      if (sync.durableLsn() < lsn && Thread.currentThread().isInterrupted()) {
        throw GroupSync.interrupted(lsn, new InterruptedException("interrupted before the wait"));
      }
      sync.await(lsn, true);
    } catch (SyncInterruptedException e) {
      // A failure is reported before an interrupt; and what is buffered goes to the operating
      // system, so the interrupted write survives a killed process like an ASYNC one.
      write();
      throw e;
    }
    failure.check();
  }

  /** The leader: writes everything buffered, then fsyncs holding no lock. */
  private void leadSync() {
    frames.frameAll();
    segments.forceWritten();
  }

  /** The first failure, or null. */
  public RuntimeException failure() {
    return failure.failure();
  }

  /**
   * Deletes every segment whose records all have LSNs below {@code lsn} (the log before the
   * checkpoint that the older header slot describes is no longer needed).
   */
  public void trimBefore(long lsn) {
    segments.trimBefore(lsn);
  }

  /** Bytes of the segment being written, its header included. */
  public long segmentBytes() {
    return segments.segmentLength();
  }

  /**
   * Writes what is buffered and starts a new segment, unless the one being written holds no
   * record: once a checkpoint begun after this call is the older of the two a header may
   * describe, {@link #trimBefore} deletes the segment written before it (an idle database keeps
   * only a segment's header and stage slot, not the up to {@code segmentBytes} of its last segment).
   */
  public void roll() {
    synchronized (segments.fileLock) {
      // Under the same hold as the roll: a record staged between the two would be left in the full
      // segment's slot, which recovery does not read.
      frames.frameAllLocked();
      segments.rollLocked();
    }
  }

  /** Writes what is buffered, fsyncs, and closes the segment. */
  @Override
  public void close() {
    synchronized (segments.fileLock) {
      if (failure.closed()) {
        return;
      }
      try {
        if (failure.failure() == null) {
          frames.frameAllLocked();
          segments.forceAtCloseLocked();
        }
      } finally {
        failure.markClosed();
        segments.closeLocked();
      }
    }
  }
}
