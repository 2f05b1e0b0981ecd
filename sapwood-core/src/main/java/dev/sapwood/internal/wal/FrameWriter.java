package dev.sapwood.internal.wal;

import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.stats.LockedCount;
import dev.sapwood.internal.util.BigEndian;
import dev.sapwood.internal.util.Checksums;
import dev.sapwood.internal.util.Varint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The {@link LogWriter}'s double buffer, staging and group write. {@link #append} gives a record
 * the next LSN and puts it, length-prefixed, in the append buffer; {@link #write} swaps that buffer
 * with the spare and hands every record in it to the operating system. It stages them: a stored
 * frame claiming nothing, put in the segment's stage slot after the frames staged before it
 * ({@link SegmentWriter#stageFrameLocked}), the records kept in {@link #pending}; when the staged
 * frames would pass {@link LogFormat#MAX_STAGED} bytes, and before every sync, roll or close
 * ({@link #frameAll}), the records staged go out together in one frame at the segment's end, in a
 * compressed segment their body compressed by the segment's {@link StreamCompressor} in one flush
 * (or stored, raw length 0, while the stream's recent records shrank by less than a third: {@link
 * StreamCompressor#takesNext}; docs/format/log.md, "The stage slot"). So a lone writer's small
 * records survive a killed process the moment {@code write} returns, as before, while the log
 * keeps one frame header (and one zstd block) and one positional write per group instead of one
 * per record. Records that do not fit a stage go out as one frame at the end, whose header is
 * encoded in the space kept free before the body (a body over {@link LogFormat#MAX_STREAM_RAW} is
 * stored as it is, with raw length 0). Concurrent writers share writes: one of them hands over
 * every record buffered so far while the others append to the second buffer, and a writer whose
 * record went out in another's write returns at once.
 *
 * <p>Invariants: records take dense, increasing LSNs in append order, and frames carry them in that
 * order; {@link #pending} holds exactly the records staged after the last frame at the end (LSNs
 * {@code writtenLsn + 1 .. handedLsn}); a frame's body is at most {@link LogFormat#MAX_BODY} bytes;
 * a frame's {@code synced} claim is at most the LSN before its first record (0 for a staged one);
 * no empty frame is written. Locking, in this order: the segment writer's {@code fileLock} guards
 * the spare buffer and {@link #pending} (one writer at a time); {@code this} guards the append
 * buffer and {@code nextLsn} and is never held during I/O.
 */
final class FrameWriter {
  /** Bytes kept free before the body in each buffer, where the frame header is put at the end. */
  private static final int RESERVE = LogFormat.MAX_FRAME_HEADER;
  private static final int BUFFER = 64 << 10;
  /** The most record bytes one write stages; more go out in a frame of their own. */
  private static final int STAGE_BODY = LogFormat.MAX_STAGED - RESERVE;

  private final SegmentWriter segments;
  private final GroupSync sync;
  private final LogFailure failure;
  /** {@code log.records}, counted under this writer's monitor. */
  private final LockedCount records;
  /** {@code log.frames} and {@code log.group_frames}, counted under the segment writer's {@code fileLock}. */
  private final LockedCount frames;
  private final LockedCount groups;
  /** {@code log.stored_frames}: frames at the end of a compressed segment written as they are. */
  private final LockedCount storedFrames;

  // guarded by this
  private byte[] buf = new byte[BUFFER];
  private int buffered; // body bytes, from buf[RESERVE]
  private long nextLsn;

  // guarded by segments.fileLock
  private byte[] spare = new byte[BUFFER];
  private final byte[] head = new byte[RESERVE]; // a compressed frame's header, before it goes out
  private final CRC32C crc = new CRC32C();
  /** The records staged since the last frame, from {@code pending[RESERVE]}: the next frame's body. */
  private byte[] pending = new byte[RESERVE + LogFormat.MAX_STAGED];
  private int pendingLen;
  /** What {@link #takeLocked} took: the buffer and its last LSN. */
  private byte[] taken;
  private long takenLast;

  FrameWriter(long nextLsn, SegmentWriter segments, GroupSync sync, LogFailure failure, Counters counters) {
    this.nextLsn = nextLsn;
    this.segments = segments;
    this.sync = sync;
    this.failure = failure;
    counters.counter("log.records"); // listed from the start, counted in the parts below
    counters.counter("log.frames");
    counters.counter("log.group_frames");
    counters.counter("log.stored_frames");
    this.records = counters.locked("log.records");
    this.frames = counters.locked("log.frames");
    this.groups = counters.locked("log.group_frames");
    this.storedFrames = counters.locked("log.stored_frames");
  }

  /** The LSN the next record will get. */
  synchronized long nextLsn() {
    return nextLsn;
  }

  /** {@link LogWriter#append}: buffers a record (writing the buffer first if it would pass MAX_BODY). */
  long append(byte[] payload, int off, int len) {
    if (len > LogFormat.MAX_PAYLOAD) {
      throw new IllegalArgumentException("log record of " + len + " bytes exceeds " + LogFormat.MAX_PAYLOAD);
    }
    if (len < 0) {
      throw new IllegalArgumentException("negative log record length " + len);
    }
    int need = Varint.size(len) + len;
    while (true) {
      synchronized (this) {
        failure.check();
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
      frameAll();
    }
  }

  /** {@link LogWriter#write()}: hands every buffered record to the operating system. */
  void write() {
    failure.check();
    long upTo;
    synchronized (this) {
      upTo = nextLsn - 1;
    }
    handOver(upTo);
  }

  /**
   * {@link LogWriter#write(long)}: hands the records up to {@code lsn} to the operating system.
   * Returns at once, taking no lock, if {@code lsn} was handed over already (by any thread); else
   * hands over every record buffered, once the write under way ends.
   */
  void write(long lsn) {
    failure.check();
    if (segments.handedLsn() >= lsn) {
      return;
    }
    handOver(lsn);
  }

  /**
   * Hands every record buffered to the operating system, unless {@code lsn} was handed over already
   * by another thread: staged (a stored frame past the last frame, {@link
   * SegmentWriter#stageFrameLocked}) if the segment stages and they fit, else in a frame at the end.
   */
  private void handOver(long lsn) {
    synchronized (segments.fileLock) {
      handOverLocked(lsn);
    }
  }

  private void handOverLocked(long lsn) {
    if (segments.handedLsn() >= lsn) {
      return;
    }
    failure.check();
    int body = takeLocked();
    if (body == 0) {
      return;
    }
    frames.increment();
    if (!stageLocked(taken, body, takenLast)) {
      frameLocked(taken, body, takenLast);
    }
  }

  /**
   * Writes every record not yet in a frame — staged or buffered — in frames at the segment's end
   * (before a sync, a roll or close: only what is in a frame is made durable by the fsync).
   */
  void frameAll() {
    failure.check();
    synchronized (segments.fileLock) {
      frameAllLocked();
    }
  }

  /** {@link #frameAll} for a caller that holds the segment writer's {@code fileLock} (the log's close). */
  void frameAllLocked() {
    failure.check();
    int body = takeLocked();
    if (body > 0) {
      frames.increment();
    }
    frameLocked(taken, body, takenLast);
  }

  /** Takes the append buffer (swapping in the spare): its records are {@link #taken}'s, the last {@link #takenLast}; returns their bytes. */
  private int takeLocked() {
    byte[] frame;
    int body;
    synchronized (this) {
      frame = buf;
      body = buffered;
      takenLast = nextLsn - 1;
      buf = spare;
      buffered = 0;
    }
    spare = frame.length > 4 * BUFFER ? new byte[BUFFER] : frame;
    taken = frame;
    return body;
  }

  /**
   * Stages the {@code body} bytes of records at {@code frame[RESERVE]}, the last {@code last}: as a
   * stored frame claiming nothing, after the staged ones, their bytes kept in {@link #pending} for
   * the next frame at the end (the staged frames are grouped first if this one would pass {@link
   * LogFormat#MAX_STAGED}). Returns false if they cannot be staged (they are too large): then
   * nothing was done with them.
   */
  private boolean stageLocked(byte[] frame, int body, long last) {
    if (body > STAGE_BODY) {
      return false;
    }
    int at = putStagedHeaderLocked(frame, body);
    if (segments.stagedBytesLocked() + (RESERVE - at + body) > LogFormat.MAX_STAGED && pendingLen > 0) {
      framePendingLocked();
      at = putStagedHeaderLocked(frame, body); // perhaps in the next segment
    }
    if (!segments.stageFrameLocked(frame, at, RESERVE - at + body, last)) {
      return false;
    }
    int end = RESERVE + pendingLen + body;
    if (end > pending.length) {
      pending = Arrays.copyOf(pending, Math.max(2 * pending.length, end));
    }
    System.arraycopy(frame, RESERVE, pending, RESERVE + pendingLen, body);
    pendingLen += body;
    return true;
  }

  /** The header of a staged frame (stored, claiming nothing) before {@code frame[RESERVE]}; where it begins. */
  private int putStagedHeaderLocked(byte[] frame, int body) {
    long delta = segments.handedLsn() + 1 - segments.segmentFirstLsn();
    return putHeaderLocked(frame, body, segments.streamLocked() != null ? 0 : -1, delta, 0);
  }

  /**
   * Writes the staged records (if any) in a frame at the segment's end, then the {@code body}
   * bytes of records at {@code frame[RESERVE]} (if any), the last {@code last}, in another.
   */
  private void frameLocked(byte[] frame, int body, long last) {
    if (pendingLen > 0) {
      framePendingLocked();
    }
    if (body > 0) {
      writeFrameLocked(frame, body, last);
    }
  }

  /** Writes the staged records, compressed, in one frame at the segment's end. */
  private void framePendingLocked() {
    int body = pendingLen;
    pendingLen = 0;
    groups.increment();
    writeFrameLocked(pending, body, segments.handedLsn());
  }

  /**
   * Writes the {@code body} bytes of records at {@code frame[RESERVE]}, the last {@code last}, as
   * one frame at the segment's end (compressed in a compressed segment, unless larger than {@link
   * LogFormat#MAX_STREAM_RAW}); starts the next segment when this one is full.
   */
  private void writeFrameLocked(byte[] frame, int body, long last) {
    StreamCompressor stream = segments.streamLocked();
    if (stream != null && body <= LogFormat.MAX_STREAM_RAW && stream.takesNext(body)) {
      ByteBuffer out;
      try {
        out = stream.compressDirect(frame, RESERVE, body, RESERVE);
      } catch (RuntimeException e) { // the records are out of the buffer: the log cannot go on
        throw failure.fail("compressing a log frame failed", new IOException(e));
      }
      stream.took(body, out.remaining());
      out.position(putHeaderLocked(out, out.remaining(), body));
      segments.writeFrameLocked(out, last);
    } else {
      if (stream != null) {
        storedFrames.increment();
      }
      int at = putHeaderLocked(frame, body, stream != null ? 0 : -1);
      segments.writeFrameLocked(frame, at, RESERVE - at + body, last);
    }
    segments.rollIfFullLocked();
  }

  /**
   * Puts the frame header before the {@code body} bytes at {@code frame[RESERVE]}; returns where
   * the frame begins. {@code raw} is the raw length of a compressed body, 0 for a body stored in a
   * compressed segment, -1 in a segment that is not compressed (no raw length field).
   */
  private int putHeaderLocked(byte[] frame, int body, int raw) {
    return putHeaderLocked(frame, body, raw, lsnDeltaLocked(), claimLocked());
  }

  /** Like {@link #putHeaderLocked(byte[], int, int)}, with the given LSN delta and synced claim. */
  private int putHeaderLocked(byte[] frame, int body, int raw, long delta, long claim) {
    int at = putFieldsLocked(frame, body, raw, delta, claim);
    if (body <= LogFormat.SMALL_BODY) {
      BigEndian.putInt(frame, at, Checksums.crc32c(frame, at + 4, RESERVE - at - 4 + body));
    } else {
      BigEndian.putInt(frame, RESERVE - 4, Checksums.crc32c(frame, RESERVE, body));
      BigEndian.putInt(frame, at, Checksums.crc32c(frame, at + 4, RESERVE - at - 4));
    }
    return at;
  }

  /**
   * The same header, byte for byte, before the compressed {@code body} bytes at {@code
   * out[RESERVE]} in a direct buffer, whose position is {@code RESERVE} and limit the body's end
   * (encoded in {@link #head}, then copied there); returns where the frame begins, the buffer as
   * it was.
   */
  private int putHeaderLocked(ByteBuffer out, int body, int raw) {
    byte[] h = head;
    int at = putFieldsLocked(h, body, raw, lsnDeltaLocked(), claimLocked());
    crc.reset();
    if (body <= LogFormat.SMALL_BODY) {
      crc.update(h, at + 4, RESERVE - at - 4);
      crc.update(out);
      BigEndian.putInt(h, at, (int) crc.getValue());
    } else {
      crc.update(out);
      BigEndian.putInt(h, RESERVE - 4, (int) crc.getValue());
      BigEndian.putInt(h, at, Checksums.crc32c(h, at + 4, RESERVE - at - 4));
    }
    out.position(RESERVE);
    out.put(at, h, at, RESERVE - at);
    return at;
  }

  /** The LSN delta of the next frame at the segment's end: its first record follows the last framed. */
  private long lsnDeltaLocked() {
    return segments.writtenLsn() + 1 - segments.segmentFirstLsn();
  }

  /** The synced claim of a frame written now: every LSN durable so far. */
  private long claimLocked() {
    return Math.max(0, sync.durableLsn() - segments.segmentFirstLsn() + 2);
  }

  /**
   * Encodes the header's fields, and room for its checksums, to end at {@code frame[RESERVE]}
   * (docs/format/log.md); returns where the frame begins.
   */
  private int putFieldsLocked(byte[] frame, int body, int raw, long delta, long claim) {
    boolean small = body <= LogFormat.SMALL_BODY;
    int h = 4 + Varint.size(body) + (raw >= 0 ? Varint.size(raw) : 0) + Varint.size(delta) + Varint.size(claim)
        + (small ? 0 : 4);
    int at = RESERVE - h;
    int q = Varint.put(frame, at + 4, body);
    if (raw >= 0) {
      q = Varint.put(frame, q, raw);
    }
    q = Varint.put(frame, q, delta);
    Varint.put(frame, q, claim);
    return at;
  }
}
