package dev.sapwood.internal.wal;

import dev.sapwood.internal.io.FileIo;
import dev.sapwood.internal.io.IoFile;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.util.BigEndian;
import dev.sapwood.internal.util.Checksums;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.LongAdder;

/**
 * The {@link LogWriter}'s segment files: starts each segment with its header (docs/format/log.md),
 * puts the frames {@link FrameWriter} encodes at its end, rolls to the next segment when one is
 * full, fsyncs for the sync leader and at close, and trims old segments.
 *
 * <p>Invariants: frames reach the file in LSN order, each at the end of the one before; a segment
 * is started (header written and fsynced, directory synced) before any frame goes into it; a full
 * segment is fsynced, its LSNs recorded durable, and closed before the next is started at the LSN
 * after its last; an I/O failure is recorded in the shared {@link LogFailure} and thrown. Locking:
 * {@link #fileLock} guards the segment, its position (and {@link FrameWriter}'s spare buffer): one
 * frame writer at a time; the methods named {@code ...Locked} are called holding it. {@code
 * segmentFirstLsn} and {@code writtenLsn} are volatile: read without the lock by trimming and the
 * frame writer's fast check.
 */
final class SegmentWriter {
  /** Guards the segment and its position; taken before every other lock of the writer. */
  final Object fileLock = new Object();

  private final FileIo io;
  private final Path dir;
  private final long segmentBytes;
  private final LogFailure failure;
  private final GroupSync sync;
  private final LongAdder bytesWritten;
  private final LongAdder fsyncs;

  // guarded by fileLock
  private IoFile segment;
  private long segmentPos;
  private volatile long segmentFirstLsn;
  private volatile long writtenLsn;

  /** Starts a new segment at {@code firstLsn}. */
  SegmentWriter(FileIo io, Path dir, long firstLsn, long segmentBytes, Counters counters,
      LogFailure failure, GroupSync sync) {
    this.io = io;
    this.dir = dir;
    this.segmentBytes = segmentBytes;
    this.failure = failure;
    this.sync = sync;
    this.writtenLsn = firstLsn - 1;
    this.bytesWritten = counters.counter("log.bytes_written");
    this.fsyncs = counters.counter("log.fsyncs");
    synchronized (fileLock) {
      openSegmentLocked(firstLsn);
    }
  }

  /** The LSN of the last record written to a segment. */
  long writtenLsn() {
    return writtenLsn;
  }

  /** The first LSN of the segment being written. */
  long segmentFirstLsn() {
    return segmentFirstLsn;
  }

  /**
   * Writes the {@code len} bytes of a whole frame at {@code frame[at]} at the end of the segment;
   * the last of its records has {@code lastLsn}. Does not roll: see {@link #rollIfFullLocked}.
   */
  void writeFrameLocked(byte[] frame, int at, int len, long lastLsn) {
    try {
      segment.write(segmentPos, ByteBuffer.wrap(frame, at, len));
    } catch (IOException e) {
      throw failure.fail("write to the log failed", e);
    }
    segmentPos += len;
    bytesWritten.add(len);
    writtenLsn = lastLsn;
  }

  /** Starts the next segment when this one is full. */
  void rollIfFullLocked() {
    if (segmentPos >= segmentBytes) {
      rotateLocked();
    }
  }

  /** Finishes the full segment durably and starts the next at the LSN after the last written. */
  private void rotateLocked() {
    try {
      segment.force();
      fsyncs.increment();
      sync.advance(writtenLsn);
      segment.close();
    } catch (IOException e) {
      throw failure.fail("closing a full log segment failed", e);
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
      throw failure.fail("cannot start log segment " + path, e);
    }
  }

  /**
   * The sync leader's fsync, after it wrote everything buffered: fsyncs the segment holding no
   * lock, then records every LSN written before it began durable.
   */
  void forceWritten() {
    IoFile file;
    long target;
    synchronized (fileLock) {
      failure.check();
      file = segment;
      target = writtenLsn;
    }
    try {
      file.force();
      fsyncs.increment();
    } catch (IOException e) {
      // A segment that filled meanwhile was fsynced and closed by the rotation.
      if (sync.durableLsn() < target) {
        throw failure.fail("fsync of the log failed", e);
      }
    }
    sync.advance(target);
  }

  /** At close, after the last write: fsyncs the segment and records what it holds durable. */
  void forceAtCloseLocked() {
    try {
      segment.force();
      sync.advance(writtenLsn);
    } catch (IOException e) {
      throw failure.fail("fsync of the log at close failed", e);
    }
  }

  /** Closes the segment; a failure is recorded, not thrown (the log is closed either way). */
  void closeLocked() {
    try {
      segment.close();
    } catch (IOException e) {
      failure.fail("closing the log failed", e);
    }
  }

  /** Deletes every segment whose records all have LSNs below {@code lsn}. */
  void trimBefore(long lsn) {
    long current = segmentFirstLsn;
    try {
      LogSegments.deleteBelow(io, dir, lsn, current);
    } catch (IOException e) {
      throw failure.fail("deleting old log segments failed", e);
    }
  }
}
