package dev.sapwood.internal.wal;

import dev.sapwood.internal.io.FileIo;
import dev.sapwood.internal.io.IoFile;
import dev.sapwood.internal.io.IoMapping;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.stats.LockedCount;
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
 * <p>A full segment is fsynced off the writer's thread: the writer that fills it starts the next
 * segment (its header written, not fsynced) and goes on, while a rotation thread fsyncs the full
 * segment, syncs the directory (which now names the next one), records the full segment's LSNs
 * durable and closes it. Until then a crash may tear the full segment's tail while the next one
 * already holds frames; none of those frames claims the torn records synced (their claims come from
 * the durable LSN, which the rotation has not raised), so recovery cuts there and drops the next
 * segment ({@link LogReader}).
 *
 * <p>The stage slot ({@link LogFormat#FLAG_SLOT}): the segment's first {@link LogFormat#SLOT_END}
 * bytes are mapped ({@link IoMapping}), and the records handed over between group frames ({@link
 * FrameWriter}) are stored there as frames of their own, from the end of the header ({@link
 * #stageFrameLocked}): a store, no system call, and in the page cache at once, so they survive a
 * killed process. Frames go after the slot with positional writes, never through a mapping. Why
 * (docs/design.md, "The stage slot"): the kernel writes a mapped page back only after making it
 * read-only in every mapping and flushing it from every core's TLB, which on a virtual machine is a
 * call through the hypervisor per page; a log stored page by page through its mapping paid that for
 * each of its pages, while the slot's few pages are stored over and over and written back once per
 * sync at most.
 *
 * <p>Invariants: frames reach the file in LSN order, each at the end of the one before, the first
 * at {@link LogFormat#SLOT_END}; staged frames lie in the slot from the header's end, the first at
 * the LSN after the last framed one, at most {@link LogFormat#MAX_STAGED} bytes of them; the first
 * segment is started durably (header fsynced, directory synced) before any frame goes into it; a
 * segment after it is started at the LSN after the last of the full one, with at most one full
 * segment waiting for its rotation (a second rotation waits for the first); the durable LSN passes
 * a segment's first LSN only after the rotation that started it synced the directory and fsynced
 * the segment before it; an I/O failure is recorded in the shared {@link LogFailure} and thrown
 * (from the rotation thread: recorded, and thrown to the next caller). Locking: {@link #fileLock}
 * guards the segment, its position, the slot, the rotation, the compression stream (and {@link
 * FrameWriter}'s spare buffers): one frame writer at a time; the methods named {@code ...Locked}
 * are called holding it; the rotation thread takes no lock of the writer's but the sync lock.
 * {@code segmentFirstLsn}, {@code writtenLsn} and {@code handedLsn} are volatile: read without the
 * lock by trimming and the frame writer's fast check.
 */
final class SegmentWriter {
  /** Guards the segment and its position; taken before every other lock of the writer. */
  final Object fileLock = new Object();

  private final FileIo io;
  private final Path dir;
  private final long segmentBytes;
  private final LogFailure failure;
  private final GroupSync sync;
  /** {@code log.bytes_written} and {@code log.staged_bytes}: counted under {@link #fileLock}. */
  private final LockedCount bytesWritten;
  private final LockedCount stagedWritten;
  private final LongAdder fsyncs;
  private final LongAdder rotations;
  private final StreamCompressor stream; // null: segments are not compressed

  // guarded by fileLock
  private IoFile segment;
  private IoMapping slot; // the segment's first SLOT_END bytes
  private long segmentPos;
  private volatile long segmentFirstLsn;
  private volatile long writtenLsn;
  private long stagedBytes; // bytes of staged frames in the slot
  private volatile long handedLsn; // the last LSN in a frame or a staged frame (>= writtenLsn)
  private Thread rotation; // the last rotation's thread (perhaps finished), or null

  /**
   * Starts a new segment at {@code firstLsn}; if {@code compress}, every segment is one zstd stream
   * ({@link LogFormat#FLAG_STREAM}).
   */
  SegmentWriter(FileIo io, Path dir, long firstLsn, long segmentBytes, Counters counters,
      LogFailure failure, GroupSync sync, boolean compress) {
    this.io = io;
    this.dir = dir;
    this.segmentBytes = segmentBytes;
    this.failure = failure;
    this.sync = sync;
    this.writtenLsn = firstLsn - 1;
    this.handedLsn = firstLsn - 1;
    counters.counter("log.bytes_written"); // listed from the start, counted in the parts below
    counters.counter("log.staged_bytes");
    this.bytesWritten = counters.locked("log.bytes_written");
    this.stagedWritten = counters.locked("log.staged_bytes");
    this.fsyncs = counters.counter("log.fsyncs");
    this.rotations = counters.counter("log.rotations");
    this.stream = compress ? new StreamCompressor() : null;
    synchronized (fileLock) {
      openSegmentLocked(firstLsn, true);
    }
  }

  /** The LSN of the last record written to a segment. */
  long writtenLsn() {
    return writtenLsn;
  }

  /**
   * The LSN of the last record handed to the operating system: in a frame, or staged after the
   * last frame.
   */
  long handedLsn() {
    return handedLsn;
  }

  /** Bytes of staged frames in the slot. */
  long stagedBytesLocked() {
    return stagedBytes;
  }

  /**
   * Stores the {@code len} bytes of a whole stored frame at {@code frame[at]} in the slot, after the
   * staged frames; its last record has {@code lastLsn}. Returns false, storing nothing, if it would
   * pass {@link LogFormat#MAX_STAGED}: then the caller writes a frame at the end instead.
   */
  boolean stageFrameLocked(byte[] frame, int at, int len, long lastLsn) {
    if (stagedBytes + len > LogFormat.MAX_STAGED) {
      return false;
    }
    try {
      slot.put(LogFormat.SEGMENT_HEADER + stagedBytes, frame, at, len);
    } catch (IOException e) {
      throw failure.fail("write to the log failed", e);
    }
    stagedBytes += len;
    stagedWritten.add(len);
    handedLsn = lastLsn;
    return true;
  }

  /** The segment's compression stream (restarted with each segment), or null if segments are not compressed. */
  StreamCompressor streamLocked() {
    return stream;
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
    handedLsn = lastLsn;
    stagedBytes = 0; // the frame holds every staged record
  }

  /** Like {@link #writeFrameLocked(byte[], int, int, long)}, the frame being {@code frame}'s remaining bytes. */
  void writeFrameLocked(ByteBuffer frame, long lastLsn) {
    int len = frame.remaining();
    try {
      segment.write(segmentPos, frame);
    } catch (IOException e) {
      throw failure.fail("write to the log failed", e);
    }
    segmentPos += len;
    bytesWritten.add(len);
    writtenLsn = lastLsn;
    handedLsn = lastLsn;
    stagedBytes = 0; // the frame holds every staged record
  }

  /** Bytes of the segment being written, its header included. */
  long segmentLength() {
    synchronized (fileLock) {
      return segmentPos;
    }
  }

  /**
   * Starts the next segment now if this one holds a record (an empty one stays: the next would
   * have its name), so that trimming can delete this one once its records are checkpointed.
   */
  void rollLocked() {
    if (writtenLsn >= segmentFirstLsn) {
      rotateLocked();
    }
  }

  /** Starts the next segment when this one is full: its frames hold {@code segmentBytes} or more. */
  void rollIfFullLocked() {
    if (segmentPos - LogFormat.SLOT_END >= segmentBytes) {
      rotateLocked();
    }
  }

  /**
   * Starts the next segment at the LSN after the last written and hands the full one to a rotation
   * thread, after the previous rotation (if any) finished.
   */
  private void rotateLocked() {
    awaitRotationLocked();
    IoFile full = segment;
    IoMapping fullSlot = slot;
    long last = writtenLsn;
    openSegmentLocked(last + 1, false);
    Thread t = new Thread(() -> finishRotation(full, fullSlot, last), "sapwood-log-rotation");
    t.setDaemon(true);
    rotation = t;
    rotations.increment();
    t.start();
  }

  /** The rotation thread: makes the full segment and the next one's name durable, then closes it. */
  private void finishRotation(IoFile full, IoMapping fullSlot, long last) {
    try {
      fullSlot.force(); // its staged frames are stale (the roll framed them): synced, but never read

      fsyncs.increment();
      io.syncDirectory(dir);
      sync.advance(last);
    } catch (IOException e) {
      failure.fail("fsync of a full log segment failed", e);
    } catch (RuntimeException | Error e) {
      failure.fail("fsync of a full log segment failed", new IOException(e));
    } finally {
      try {
        full.close();
      } catch (IOException e) {
        failure.fail("closing a full log segment failed", e);
      }
    }
  }

  /** Waits until the last rotation finished (keeping the thread's interrupt flag). */
  void awaitRotationLocked() {
    join(rotation);
  }

  /** Waits for {@code t} (if not null) to end, uninterruptibly, keeping the caller's interrupt flag. */
  private static void join(Thread t) {
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

  /**
   * Creates the segment starting at {@code firstLsn} with its header and its slot mapped; if {@code
   * durable}, fsyncs it and syncs the directory (else the rotation does). The file is cut to empty
   * first: a slot is never read with another incarnation's staged frames in it.
   */
  private void openSegmentLocked(long firstLsn, boolean durable) {
    Path path = dir.resolve(LogFormat.segmentName(firstLsn));
    try {
      io.createDirectories(dir);
      segment = io.open(path);
      segment.truncate(0);
      slot = segment.map(LogFormat.SLOT_END);
      byte[] h = new byte[LogFormat.SEGMENT_HEADER];
      BigEndian.putInt(h, 0, LogFormat.MAGIC);
      BigEndian.putInt(h, 4, LogFormat.VERSION);
      BigEndian.putLong(h, 8, firstLsn);
      BigEndian.putInt(h, 16, LogFormat.FLAG_SLOT | (stream != null ? LogFormat.FLAG_STREAM : 0));
      BigEndian.putInt(h, 20, Checksums.crc32c(h, 0, 20));
      if (stream != null) {
        stream.start();
      }
      slot.put(0, ByteBuffer.wrap(h));
      if (durable) {
        slot.force();
        io.syncDirectory(dir);
        fsyncs.increment();
      }
      segmentPos = LogFormat.SLOT_END;
      stagedBytes = 0;
      segmentFirstLsn = firstLsn;
      bytesWritten.add(h.length);
    } catch (IOException e) {
      throw failure.fail("cannot start log segment " + path, e);
    }
  }

  /**
   * The sync leader's fsync, after it wrote everything buffered: fsyncs the segment holding no
   * lock, waits for the rotation that started it (the segments before it and the directory), then
   * records every LSN written before it began durable.
   */
  void forceWritten() {
    IoMapping file;
    long target;
    Thread started;
    synchronized (fileLock) {
      failure.check();
      file = slot;
      target = writtenLsn;
      started = rotation;
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
    join(started);
    failure.check();
    sync.advance(target);
  }

  /** At close, after the last write: fsyncs the segment and records what it holds durable. */
  void forceAtCloseLocked() {
    awaitRotationLocked();
    failure.check();
    try {
      slot.force();
      sync.advance(writtenLsn);
    } catch (IOException e) {
      throw failure.fail("fsync of the log at close failed", e);
    }
  }

  /** Closes the segment; a failure is recorded, not thrown (the log is closed either way). */
  void closeLocked() {
    awaitRotationLocked();
    if (stream != null) {
      stream.close();
    }
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
