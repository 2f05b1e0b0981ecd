package dev.sapwood.internal.wal;

import dev.sapwood.StorageException;
import dev.sapwood.SyncInterruptedException;
import dev.sapwood.internal.io.FileIo;
import dev.sapwood.internal.io.IoFile;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.util.BigEndian;
import dev.sapwood.internal.util.Checksums;
import dev.sapwood.internal.util.Varint;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
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
 * <p>Invariants: frames reach the file in LSN order, each at the end of the one before; {@code
 * durableLsn <= writtenLsn <= nextLsn - 1}; a frame's {@code synced} claim is at most the LSN before
 * its first record; after an I/O failure every later call throws a {@link StorageException} with
 * the first cause (an fsync is never retried as if it had worked); an interrupted waiter is not a
 * failure. Thread-safe. Locking, in this order: {@code fileLock} guards the segment, its position
 * and the spare buffer (one frame writer at a time); {@code this} guards the append buffer and
 * {@code nextLsn} and is never held during I/O; {@code syncLock} guards the leader handoff; a
 * leader does its fsync holding none of them.
 */
public final class LogWriter implements Closeable {
  /** Bytes kept free before the body in each buffer, where the frame header is put at the end. */
  private static final int RESERVE = LogFormat.MAX_FRAME_HEADER;
  private static final int BUFFER = 64 << 10;

  private final FileIo io;
  private final Path dir;
  private final long segmentBytes;
  private final LongAdder bytesWritten;
  private final LongAdder fsyncs;
  private final LongAdder records;
  private final LongAdder frames;
  private final LongAdder syncWaits;

  // guarded by this
  private byte[] buf = new byte[BUFFER];
  private int buffered; // body bytes, from buf[RESERVE]
  private long nextLsn;

  private final Object fileLock = new Object();
  // guarded by fileLock
  private byte[] spare = new byte[BUFFER];
  private IoFile segment;
  private long segmentPos;
  private volatile long segmentFirstLsn;
  private volatile long writtenLsn;

  private final Object syncLock = new Object();
  private boolean syncing; // guarded by syncLock
  private volatile long durableLsn;
  private volatile boolean closed;
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
    this.frames = counters.counter("log.frames");
    this.syncWaits = counters.counter("log.sync_requests");
    synchronized (fileLock) {
      openSegmentLocked(nextLsn);
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

  /**
   * Buffers a record; returns its LSN. Nothing reaches the file until {@link #write}/{@link #sync},
   * unless the buffered frame would pass {@link LogFormat#MAX_BODY}: then it is written first.
   */
  public long append(byte[] payload, int off, int len) {
    if (len > LogFormat.MAX_PAYLOAD) {
      throw new IllegalArgumentException("log record of " + len + " bytes exceeds " + LogFormat.MAX_PAYLOAD);
    }
    if (len < 0) {
      throw new IllegalArgumentException("negative log record length " + len);
    }
    int need = Varint.size(len) + len;
    while (true) {
      synchronized (this) {
        checkUsable();
        if (buffered == 0 || buffered + need <= LogFormat.MAX_BODY) {
          int end = RESERVE + buffered + need;
          if (end > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, end));
          }
          int at = Varint.put(buf, RESERVE + buffered, len);
          System.arraycopy(payload, off, buf, at, len);
          buffered += need;
          records.increment();
          return nextLsn++;
        }
      }
      write();
    }
  }

  /** Hands every buffered record to the operating system (survives a killed process, not a power loss). */
  public void write() {
    checkUsable();
    long upTo;
    synchronized (this) {
      upTo = nextLsn - 1;
    }
    writeUpTo(upTo);
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

  /** The leader: writes everything buffered, then fsyncs holding no lock. */
  private void leadSync() {
    write();
    IoFile file;
    long target;
    synchronized (fileLock) {
      checkUsable();
      file = segment;
      target = writtenLsn;
    }
    try {
      file.force();
      fsyncs.increment();
    } catch (IOException e) {
      // A segment that filled meanwhile was fsynced and closed by the rotation.
      if (durableLsn < target) {
        throw fail("fsync of the log failed", e);
      }
    }
    advanceDurable(target);
  }

  private void advanceDurable(long lsn) {
    synchronized (syncLock) {
      if (lsn > durableLsn) {
        durableLsn = lsn;
      }
    }
  }

  /**
   * Writes, as one frame, every record buffered, unless a frame holding {@code lsn} was already
   * written by another thread; starts the next segment when this one is full.
   */
  private void writeUpTo(long lsn) {
    synchronized (fileLock) {
      if (writtenLsn >= lsn) {
        return;
      }
      checkUsable();
      byte[] frame;
      int body;
      long last;
      synchronized (this) {
        frame = buf;
        body = buffered;
        last = nextLsn - 1;
        buf = spare;
        buffered = 0;
      }
      spare = frame.length > 4 * BUFFER ? new byte[BUFFER] : frame;
      if (body == 0) {
        return;
      }
      writeFrameLocked(frame, body);
      writtenLsn = last;
      if (segmentPos >= segmentBytes) {
        rotateLocked();
      }
    }
  }

  /** Puts the frame header before the {@code body} bytes at {@code frame[RESERVE]} and writes it. */
  private void writeFrameLocked(byte[] frame, int body) {
    long claim = Math.max(0, durableLsn - segmentFirstLsn + 2);
    long delta = writtenLsn + 1 - segmentFirstLsn;
    boolean small = body <= LogFormat.SMALL_BODY;
    int h = 4 + Varint.size(body) + Varint.size(delta) + Varint.size(claim) + (small ? 0 : 4);
    int at = RESERVE - h;
    int q = Varint.put(frame, at + 4, body);
    q = Varint.put(frame, q, delta);
    q = Varint.put(frame, q, claim);
    if (small) {
      BigEndian.putInt(frame, at, Checksums.crc32c(frame, at + 4, h - 4 + body));
    } else {
      BigEndian.putInt(frame, q, Checksums.crc32c(frame, RESERVE, body));
      BigEndian.putInt(frame, at, Checksums.crc32c(frame, at + 4, h - 4));
    }
    try {
      segment.write(segmentPos, ByteBuffer.wrap(frame, at, h + body));
    } catch (IOException e) {
      throw fail("write to the log failed", e);
    }
    segmentPos += h + body;
    bytesWritten.add(h + body);
    frames.increment();
  }

  /** Finishes the full segment durably and starts the next at the LSN after the last written. */
  private void rotateLocked() {
    try {
      segment.force();
      fsyncs.increment();
      advanceDurable(writtenLsn);
      segment.close();
    } catch (IOException e) {
      throw fail("closing a full log segment failed", e);
    }
    openSegmentLocked(writtenLsn + 1);
  }

  private void openSegmentLocked(long firstLsn) {
    Path path = dir.resolve(LogFormat.segmentName(firstLsn));
    try {
      io.createDirectories(dir);
      segment = io.open(path);
      byte[] h = new byte[LogFormat.SEGMENT_HEADER];
      BigEndian.putInt(h, 0, LogFormat.MAGIC);
      BigEndian.putInt(h, 4, LogFormat.VERSION);
      BigEndian.putLong(h, 8, firstLsn);
      BigEndian.putInt(h, 16, Checksums.crc32c(h, 0, 16));
      segment.truncate(0);
      segment.write(0, ByteBuffer.wrap(h));
      segment.force();
      io.syncDirectory(dir);
      fsyncs.increment();
      segmentPos = h.length;
      segmentFirstLsn = firstLsn;
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
    long current = segmentFirstLsn;
    try {
      LogSegments.deleteBelow(io, dir, lsn, current);
    } catch (IOException e) {
      throw fail("deleting old log segments failed", e);
    }
  }

  /** Writes what is buffered, fsyncs, and closes the segment. */
  @Override
  public void close() {
    synchronized (fileLock) {
      if (closed) {
        return;
      }
      try {
        if (failure == null) {
          write();
          segment.force();
          advanceDurable(writtenLsn);
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
}
