package dev.sapwood.internal.wal;

import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.util.BigEndian;
import dev.sapwood.internal.util.Checksums;
import dev.sapwood.internal.util.Varint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.CRC32C;

/**
 * The {@link LogWriter}'s double buffer and group write. {@link #append} gives a record the next
 * LSN and puts it, length-prefixed, in the append buffer; {@link #write} swaps that buffer with the
 * spare and hands every record in it to {@link SegmentWriter} as one frame, whose header it encodes
 * in the space kept free before the body (docs/format/log.md); in a compressed segment the body
 * goes through the segment's {@link StreamCompressor} first (a body over {@link
 * LogFormat#MAX_STREAM_RAW} is stored as it is, with raw length 0). Concurrent writers share frames:
 * one of them writes every record buffered so far in one {@code pwrite} while the others append to
 * the second buffer, and a writer whose record went out in another's frame returns at once.
 *
 * <p>Invariants: records take dense, increasing LSNs in append order, and frames carry them in that
 * order; a frame's body is at most {@link LogFormat#MAX_BODY} bytes; a frame's {@code synced}
 * claim is at most the LSN before its first record; no empty frame is written. Locking, in this order: the segment writer's {@code fileLock} guards the spare buffer
 * (one frame writer at a time); {@code this} guards the append buffer and {@code nextLsn} and is
 * never held during I/O.
 */
final class FrameWriter {
  /** Bytes kept free before the body in each buffer, where the frame header is put at the end. */
  private static final int RESERVE = LogFormat.MAX_FRAME_HEADER;
  private static final int BUFFER = 64 << 10;

  private final SegmentWriter segments;
  private final GroupSync sync;
  private final LogFailure failure;
  private final LongAdder records;
  private final LongAdder frames;

  // guarded by this
  private byte[] buf = new byte[BUFFER];
  private int buffered; // body bytes, from buf[RESERVE]
  private long nextLsn;

  // guarded by segments.fileLock
  private byte[] spare = new byte[BUFFER];
  private final byte[] head = new byte[RESERVE]; // a compressed frame's header, before it goes out
  private final CRC32C crc = new CRC32C();

  FrameWriter(long nextLsn, SegmentWriter segments, GroupSync sync, LogFailure failure, Counters counters) {
    this.nextLsn = nextLsn;
    this.segments = segments;
    this.sync = sync;
    this.failure = failure;
    this.records = counters.counter("log.records");
    this.frames = counters.counter("log.frames");
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
      write();
    }
  }

  /** {@link LogWriter#write()}: hands every buffered record to the operating system. */
  void write() {
    failure.check();
    long upTo;
    synchronized (this) {
      upTo = nextLsn - 1;
    }
    writeUpTo(upTo);
  }

  /**
   * {@link LogWriter#write(long)}: hands the records up to {@code lsn} to the operating system.
   * Returns at once, taking no lock, if a frame holding {@code lsn} was written already (by any
   * thread); else writes every record buffered, as one frame, once the frame being written ends.
   */
  void write(long lsn) {
    failure.check();
    if (segments.writtenLsn() >= lsn) {
      return;
    }
    writeUpTo(lsn);
  }

  /**
   * Writes, as one frame, every record buffered, unless a frame holding {@code lsn} was already
   * written by another thread; starts the next segment when this one is full.
   */
  private void writeUpTo(long lsn) {
    synchronized (segments.fileLock) {
      if (segments.writtenLsn() >= lsn) {
        return;
      }
      failure.check();
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
      StreamCompressor stream = segments.streamLocked();
      if (stream != null && body <= LogFormat.MAX_STREAM_RAW) {
        ByteBuffer out;
        try {
          out = stream.compressDirect(frame, RESERVE, body, RESERVE);
        } catch (RuntimeException e) { // the records are out of the buffer: the log cannot go on
          throw failure.fail("compressing a log frame failed", new IOException(e));
        }
        out.position(putHeaderLocked(out, out.remaining(), body));
        segments.writeFrameLocked(out, last);
      } else {
        int at = putHeaderLocked(frame, body, stream != null ? 0 : -1);
        segments.writeFrameLocked(frame, at, RESERVE - at + body, last);
      }
      frames.increment();
      segments.rollIfFullLocked();
    }
  }

  /**
   * Puts the frame header before the {@code body} bytes at {@code frame[RESERVE]}; returns where
   * the frame begins. {@code raw} is the raw length of a compressed body, 0 for a body stored in a
   * compressed segment, -1 in a segment that is not compressed (no raw length field).
   */
  private int putHeaderLocked(byte[] frame, int body, int raw) {
    int at = putFieldsLocked(frame, body, raw);
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
    int at = putFieldsLocked(h, body, raw);
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

  /**
   * Encodes the header's fields, and room for its checksums, to end at {@code frame[RESERVE]}
   * (docs/format/log.md); returns where the frame begins.
   */
  private int putFieldsLocked(byte[] frame, int body, int raw) {
    long first = segments.segmentFirstLsn();
    long claim = Math.max(0, sync.durableLsn() - first + 2);
    long delta = segments.writtenLsn() + 1 - first;
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
