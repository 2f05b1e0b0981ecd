package dev.sapwood.internal.wal;

import dev.sapwood.StorageException;
import dev.sapwood.SyncInterruptedException;
import dev.sapwood.internal.io.FileIo;
import dev.sapwood.internal.io.IoFile;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.util.BigEndian;
import dev.sapwood.internal.util.Checksums;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * Appends records to the write-ahead log. {@link #append} gives a record the next LSN and puts it
 * in an in-memory buffer; {@link #write} hands buffered records to the operating system (a killed
 * process loses nothing written); {@link #sync} makes everything up to an LSN durable. Concurrent
 * {@code sync} callers share fsyncs: one of them (the leader) writes and fsyncs everything
 * buffered so far, the others wait for it — group commit.
 *
 * <p>Invariants: records reach the file in LSN order; {@code durableLsn <= writtenLsn <= nextLsn -
 * 1}; after an I/O failure every later call throws a {@link StorageException} with the first
 * cause (an fsync is never retried as if it had worked); an interrupted waiter is not a failure.
 * Thread-safe. Locking: {@code this} guards the buffer, the file position and the segment; {@code
 * syncLock} guards the leader handoff; a leader does its fsync holding neither.
 */
public final class LogWriter implements Closeable {
  private final FileIo io;
  private final Path dir;
  private final long segmentBytes;
  private final LongAdder bytesWritten;
  private final LongAdder fsyncs;
  private final LongAdder records;
  private final LongAdder syncWaits;

  // guarded by this
  private byte[] buf = new byte[64 << 10];
  private int buffered;
  private long nextLsn;
  private long writtenLsn;
  private IoFile segment;
  private long segmentFirstLsn;
  private long segmentPos;
  private boolean closed;

  private final Object syncLock = new Object();
  private boolean syncing; // guarded by syncLock
  private volatile long durableLsn;
  private volatile RuntimeException failure;

  /**
   * Starts a new segment at {@code nextLsn} (recovery has already read and cut the old ones).
   *
   * @param segmentBytes the size after which a new segment is started
   */
  public LogWriter(FileIo io, Path dir, long nextLsn, long segmentBytes, Counters counters) {
    this.io = io;
    this.dir = dir;
    this.segmentBytes = segmentBytes;
    this.nextLsn = nextLsn;
    this.writtenLsn = nextLsn - 1;
    this.durableLsn = nextLsn - 1;
    this.bytesWritten = counters.counter("log.bytes_written");
    this.fsyncs = counters.counter("log.fsyncs");
    this.records = counters.counter("log.records");
    this.syncWaits = counters.counter("log.sync_requests");
    synchronized (this) {
      openSegmentLocked();
    }
  }

  /** The LSN the next record will get. */
  public synchronized long nextLsn() {
    return nextLsn;
  }

  /** The highest LSN known to be durable. */
  public long durableLsn() {
    return durableLsn;
  }

  /** Buffers a record; returns its LSN. Nothing reaches the file until {@link #write}/{@link #sync}. */
  public synchronized long append(byte[] payload, int off, int len) {
    checkUsable();
    if (len > LogFormat.MAX_PAYLOAD) {
      throw new IllegalArgumentException("log record of " + len + " bytes exceeds " + LogFormat.MAX_PAYLOAD);
    }
    int need = LogFormat.RECORD_HEADER + len;
    if (buffered + need > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, buffered + need));
    }
    long lsn = nextLsn++;
    int at = buffered;
    BigEndian.putInt(buf, at + 4, len);
    BigEndian.putLong(buf, at + 8, lsn);
    BigEndian.putLong(buf, at + 16, durableLsn);
    BigEndian.putInt(buf, at + 24, Checksums.crc32c(payload, off, len));
    BigEndian.putInt(buf, at, Checksums.crc32c(buf, at + 4, 24));
    System.arraycopy(payload, off, buf, at + LogFormat.RECORD_HEADER, len);
    buffered += need;
    records.increment();
    return lsn;
  }

  /** Hands every buffered record to the operating system (survives a killed process, not a power loss). */
  public synchronized void write() {
    checkUsable();
    writeLocked();
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
    awaitDurable(lsn, false);
    checkUsable();
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
      if (durableLsn < lsn && Thread.currentThread().isInterrupted()) {
        throw interrupted(lsn, new InterruptedException("interrupted before the wait"));
      }
      awaitDurable(lsn, true);
    } catch (SyncInterruptedException e) {
      // A failure is reported before an interrupt; and what is buffered goes to the operating
      // system, so the interrupted write survives a killed process like an ASYNC one.
      write();
      throw e;
    }
    checkUsable();
  }

  /** Leads or waits for syncs until {@code lsn} is durable. */
  private void awaitDurable(long lsn, boolean interruptible) {
    boolean interrupted = false;
    try {
      while (durableLsn < lsn) {
        synchronized (syncLock) {
          while (syncing && durableLsn < lsn) {
            try {
              syncLock.wait();
            } catch (InterruptedException e) {
              interrupted = true;
              if (interruptible) {
                throw interrupted(lsn, e);
              }
            }
          }
          if (durableLsn >= lsn) {
            break;
          }
          checkUsable();
          syncing = true;
        }
        try {
          leadSync();
        } finally {
          synchronized (syncLock) {
            syncing = false;
            syncLock.notifyAll();
          }
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static SyncInterruptedException interrupted(long lsn, InterruptedException e) {
    return new SyncInterruptedException("interrupted while waiting for the log to be durable up to LSN "
        + lsn + ": the write is applied and logged, and may or may not be durable yet", e);
  }

  /** The leader: writes everything buffered, then fsyncs outside the buffer lock. */
  private void leadSync() {
    IoFile file;
    long target;
    synchronized (this) {
      checkUsable();
      writeLocked();
      file = segment;
      target = writtenLsn;
    }
    try {
      file.force();
      fsyncs.increment();
    } catch (IOException e) {
      throw fail("fsync of the log failed", e);
    }
    durableLsn = Math.max(durableLsn, target);
  }

  private void writeLocked() {
    if (buffered == 0) {
      return;
    }
    try {
      segment.write(segmentPos, ByteBuffer.wrap(buf, 0, buffered));
    } catch (IOException e) {
      throw fail("write to the log failed", e);
    }
    segmentPos += buffered;
    bytesWritten.add(buffered);
    buffered = 0;
    writtenLsn = nextLsn - 1;
    if (segmentPos >= segmentBytes) {
      rotateLocked();
    }
  }

  /** Finishes the full segment durably and starts the next at the next LSN. */
  private void rotateLocked() {
    try {
      segment.force();
      fsyncs.increment();
      segment.close();
    } catch (IOException e) {
      throw fail("closing a full log segment failed", e);
    }
    durableLsn = Math.max(durableLsn, writtenLsn);
    openSegmentLocked();
  }

  private void openSegmentLocked() {
    Path path = dir.resolve(LogFormat.segmentName(nextLsn));
    try {
      io.createDirectories(dir);
      segment = io.open(path);
      byte[] h = new byte[LogFormat.SEGMENT_HEADER];
      BigEndian.putInt(h, 0, LogFormat.MAGIC);
      BigEndian.putInt(h, 4, LogFormat.VERSION);
      BigEndian.putLong(h, 8, nextLsn);
      BigEndian.putInt(h, 16, Checksums.crc32c(h, 0, 16));
      segment.truncate(0);
      segment.write(0, ByteBuffer.wrap(h));
      segment.force();
      io.syncDirectory(dir);
      fsyncs.increment();
      segmentPos = h.length;
      segmentFirstLsn = nextLsn;
      bytesWritten.add(h.length);
    } catch (IOException e) {
      throw fail("cannot start log segment " + path, e);
    }
  }

  private RuntimeException fail(String what, IOException e) {
    synchronized (syncLock) {
      if (failure == null) {
        failure = new StorageException(what + ": " + e.getMessage(), e);
      }
    }
    return failure;
  }

  private void checkUsable() {
    RuntimeException f = failure;
    if (f != null) {
      throw new StorageException("the log refuses writes after an earlier failure: " + f.getMessage(), f);
    }
    if (closed) {
      throw new IllegalStateException("log is closed");
    }
  }

  /** The first failure, or null. */
  public RuntimeException failure() {
    return failure;
  }

  /**
   * Deletes every segment whose records all have LSNs below {@code lsn} (the log before the
   * checkpoint that the older header slot describes is no longer needed).
   */
  public void trimBefore(long lsn) {
    long current;
    synchronized (this) {
      current = segmentFirstLsn;
    }
    try {
      LogSegments.deleteBelow(io, dir, lsn, current);
    } catch (IOException e) {
      throw fail("deleting old log segments failed", e);
    }
  }

  /** Writes what is buffered, fsyncs, and closes the segment. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    try {
      if (failure == null) {
        writeLocked();
        segment.force();
        durableLsn = writtenLsn;
      }
    } catch (IOException e) {
      throw fail("fsync of the log at close failed", e);
    } finally {
      closed = true;
      try {
        segment.close();
      } catch (IOException e) {
        fail("closing the log failed", e);
      }
    }
  }
}
