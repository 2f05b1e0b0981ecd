package dev.sapwood.internal.wal;

import dev.sapwood.internal.util.BigEndian;
import dev.sapwood.internal.util.Checksums;
import dev.sapwood.internal.util.Varint;
import java.io.ByteArrayOutputStream;

/**
 * Builds log segments byte by byte as docs/format/log.md lays them out, for tests that craft
 * damaged or hostile logs (nothing is checked in as binaries). {@code new LogBytes(lsn)} builds a
 * version-2 segment (no flags, frames not compressed), which the reader still reads; {@link
 * #compressed} a version-3 segment whose frames are one zstd stream.
 */
public final class LogBytes {
  /** Bytes of the (version 2) segment header this class writes. */
  public static final int SEGMENT_HEADER = LogFormat.SEGMENT_HEADER_V2;
  public static final int MAX_PAYLOAD = LogFormat.MAX_PAYLOAD;
  public static final int MAX_BODY = LogFormat.MAX_BODY;
  public static final int SMALL_BODY = LogFormat.SMALL_BODY;

  /** Where the first frame of a segment the engine writes starts: after its stage slot. */
  public static final int FIRST_FRAME = LogFormat.SLOT_END;
  /** Bytes of a compressed (version 3) segment header. */
  public static final int STREAM_SEGMENT_HEADER = LogFormat.SEGMENT_HEADER;
  public static final int MAX_STREAM_RAW = LogFormat.MAX_STREAM_RAW;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final long firstLsn;
  private final StreamCompressor stream; // null: a version-2 segment
  private long nextLsn;

  /** A segment starting at {@code firstLsn}: its header so far. */
  public LogBytes(long firstLsn) {
    this(firstLsn, false);
  }

  private LogBytes(long firstLsn, boolean compressed) {
    this(firstLsn, compressed, compressed ? streamSegmentHeader(firstLsn) : segmentHeader(firstLsn));
  }

  private LogBytes(long firstLsn, boolean compressed, byte[] header) {
    this.firstLsn = firstLsn;
    this.nextLsn = firstLsn;
    this.stream = compressed ? new StreamCompressor() : null;
    out.writeBytes(header);
  }

  /** A compressed segment starting at {@code firstLsn}: {@link #add} compresses each frame with the segment's stream. */
  public static LogBytes compressed(long firstLsn) {
    return new LogBytes(firstLsn, true);
  }

  /**
   * A compressed segment as the writer starts it: with a stage slot (an empty one: zeros), the
   * frames after it.
   */
  public static LogBytes written(long firstLsn) {
    byte[] h = streamSegmentHeader(firstLsn, LogFormat.FLAG_STREAM | LogFormat.FLAG_SLOT);
    return new LogBytes(firstLsn, true, java.util.Arrays.copyOf(h, LogFormat.SLOT_END));
  }

  /**
   * A compressed segment as FormatVersion 10 and 11 wrote it: flagged preallocated (it may end
   * with zeros) and staged (records may be staged 12 KiB past its last frame).
   */
  public static LogBytes preallocatedStaged(long firstLsn) {
    return new LogBytes(firstLsn, true, streamSegmentHeader(firstLsn,
        LogFormat.FLAG_STREAM | LogFormat.FLAG_PREALLOCATED | LogFormat.FLAG_STAGED));
  }

  /** The header of a compressed (version 3) segment. */
  public static byte[] streamSegmentHeader(long firstLsn) {
    return streamSegmentHeader(firstLsn, LogFormat.FLAG_STREAM);
  }

  /** The header of a version-3 segment with these flags. */
  public static byte[] streamSegmentHeader(long firstLsn, int flags) {
    byte[] h = new byte[LogFormat.SEGMENT_HEADER];
    BigEndian.putInt(h, 0, LogFormat.MAGIC);
    BigEndian.putInt(h, 4, LogFormat.VERSION);
    BigEndian.putLong(h, 8, firstLsn);
    BigEndian.putInt(h, 16, flags);
    BigEndian.putInt(h, 20, Checksums.crc32c(h, 0, 20));
    return h;
  }

  /** Whether {@code segment} (its bytes) is a compressed one. */
  public static boolean isCompressed(byte[] segment) {
    return BigEndian.getInt(segment, 4) == LogFormat.VERSION && (BigEndian.getInt(segment, 16) & LogFormat.FLAG_STREAM) != 0;
  }

  /**
   * A good frame of these payloads to append to {@code segment} (starting at {@code
   * segmentFirstLsn}): stored as it is (in a compressed segment, with raw length 0).
   */
  public static byte[] frameFor(byte[] segment, long segmentFirstLsn, long firstLsn, long syncedLsn, byte[]... payloads) {
    return frameOfBody(segmentFirstLsn, firstLsn, syncedLsn, body(payloads), isCompressed(segment) ? 0 : -1);
  }

  public static String segmentName(long firstLsn) {
    return LogFormat.segmentName(firstLsn);
  }

  /** The first LSN a segment file name gives, or -1. */
  public static long firstLsnOf(String fileName) {
    return LogFormat.firstLsnOf(fileName);
  }

  public static byte[] segmentHeader(long firstLsn) {
    byte[] h = new byte[SEGMENT_HEADER];
    BigEndian.putInt(h, 0, LogFormat.MAGIC);
    BigEndian.putInt(h, 4, LogFormat.OLDEST_VERSION);
    BigEndian.putLong(h, 8, firstLsn);
    BigEndian.putInt(h, 16, Checksums.crc32c(h, 0, 16));
    return h;
  }

  /**
   * Where the good frames of a segment's bytes end: after its header, frames whose checksums hold
   * and whose LSN deltas rise, up to the first that does not (a segment of an older build may hold
   * zeros and stale staged frames after its frames: docs/format/log.md, "Staged frames").
   */
  public static int framesEnd(byte[] segment) {
    boolean stream = isCompressed(segment);
    boolean v3 = BigEndian.getInt(segment, 4) == LogFormat.VERSION;
    int pos = !v3 ? LogFormat.SEGMENT_HEADER_V2
        : (BigEndian.getInt(segment, 16) & LogFormat.FLAG_SLOT) != 0 ? LogFormat.SLOT_END : LogFormat.SEGMENT_HEADER;
    long lastDelta = -1;
    while (pos + LogFormat.MIN_FRAME <= segment.length) {
      int n = segment.length;
      long body = Varint.get(segment, pos + 4, n, Varint.MAX_INT_BYTES);
      if (body <= 0) {
        break;
      }
      int q = pos + 4 + Varint.size(body);
      if (stream) {
        long raw = Varint.get(segment, q, n, Varint.MAX_INT_BYTES);
        if (raw < 0) {
          break;
        }
        q += Varint.size(raw);
      }
      long delta = Varint.get(segment, q, n, Varint.MAX_LONG_BYTES);
      if (delta <= lastDelta) {
        break;
      }
      q += Varint.size(delta);
      long claim = Varint.get(segment, q, n, Varint.MAX_LONG_BYTES);
      if (claim < 0) {
        break;
      }
      q += Varint.size(claim);
      boolean small = body <= SMALL_BODY;
      int end = (int) Math.min(n, (long) q + (small ? 0 : 4) + body);
      if ((long) q + (small ? 0 : 4) + body > n
          || Checksums.crc32c(segment, pos + 4, small ? end - pos - 4 : q + 4 - pos - 4) != BigEndian.getInt(segment, pos)) {
        break;
      }
      lastDelta = delta;
      pos = end;
    }
    return pos;
  }

  /** What a killed process leaves of the files in {@code dir}: their contents as the operating system has them. */
  public static dev.sapwood.internal.io.MemoryFileIo killed(dev.sapwood.internal.io.MemoryFileIo io, java.nio.file.Path dir) {
    dev.sapwood.internal.io.MemoryFileIo copy = new dev.sapwood.internal.io.MemoryFileIo();
    for (java.nio.file.Path f : io.list(dir)) {
      copy.setContents(f, io.contents(f));
    }
    return copy;
  }

  /** Recovers the log in {@code dir} from LSN 0: the payloads replayed, in order; {@code torn[0]} gets the torn bytes. */
  public static java.util.List<byte[]> replayed(dev.sapwood.internal.io.FileIo io, java.nio.file.Path dir, long[] torn,
      boolean readOnly) {
    java.util.List<byte[]> seen = new java.util.ArrayList<>();
    LogReader.Result r = LogReader.recover(io, dir, 0, (lsn, p) -> seen.add(p.bytes(p.length(), "payload")), readOnly);
    torn[0] = r.tornBytes();
    return seen;
  }

  /** The synced claim of a frame in the segment starting at {@code segmentFirstLsn}. */
  public static long claim(long segmentFirstLsn, long syncedLsn) {
    return Math.max(0, syncedLsn - segmentFirstLsn + 2);
  }

  /** The body of a frame holding these payloads. */
  public static byte[] body(byte[]... payloads) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    byte[] v = new byte[Varint.MAX_LONG_BYTES];
    for (byte[] p : payloads) {
      b.write(v, 0, Varint.put(v, 0, p.length));
      b.writeBytes(p);
    }
    return b.toByteArray();
  }

  /**
   * A whole, good frame of these payloads, its first record at {@code firstLsn}, in a segment
   * starting at {@code segmentFirstLsn}.
   */
  public static byte[] frame(long segmentFirstLsn, long firstLsn, long syncedLsn, byte[]... payloads) {
    return frameOfBody(segmentFirstLsn, firstLsn, syncedLsn, body(payloads));
  }

  /** A whole, good frame around {@code body}, whatever the body holds. */
  public static byte[] frameOfBody(long segmentFirstLsn, long firstLsn, long syncedLsn, byte[] body) {
    return frameOfBody(segmentFirstLsn, firstLsn, syncedLsn, body, -1);
  }

  /**
   * A frame around {@code body} with checksums that hold, whatever the body holds; {@code raw} is
   * the raw length of a compressed segment's frame (0: stored), or -1 for a version-2 frame.
   */
  public static byte[] frameOfBody(long segmentFirstLsn, long firstLsn, long syncedLsn, byte[] body, long raw) {
    long claim = claim(segmentFirstLsn, syncedLsn);
    long delta = firstLsn - segmentFirstLsn;
    boolean small = body.length <= SMALL_BODY;
    int h = 4 + Varint.size(body.length) + (raw >= 0 ? Varint.size(raw) : 0) + Varint.size(delta)
        + Varint.size(claim) + (small ? 0 : 4);
    byte[] f = new byte[h + body.length];
    int q = Varint.put(f, 4, body.length);
    if (raw >= 0) {
      q = Varint.put(f, q, raw);
    }
    q = Varint.put(f, q, delta);
    q = Varint.put(f, q, claim);
    System.arraycopy(body, 0, f, h, body.length);
    if (small) {
      BigEndian.putInt(f, 0, Checksums.crc32c(f, 4, f.length - 4));
    } else {
      BigEndian.putInt(f, q, Checksums.crc32c(body, 0, body.length));
      BigEndian.putInt(f, 0, Checksums.crc32c(f, 4, h - 4));
    }
    return f;
  }

  /**
   * The header of a large frame ({@code bodyLength > SMALL_BODY}) whose own checksum is right,
   * saying whatever it is told to.
   */
  public static byte[] frameHeader(long segmentFirstLsn, long firstLsn, long syncedLsn, long bodyLength, int bodyCrc) {
    long claim = claim(segmentFirstLsn, syncedLsn);
    long delta = firstLsn - segmentFirstLsn;
    int h = 4 + Varint.size(bodyLength) + Varint.size(delta) + Varint.size(claim) + 4;
    byte[] f = new byte[h];
    int q = Varint.put(f, 4, bodyLength);
    q = Varint.put(f, q, delta);
    q = Varint.put(f, q, claim);
    BigEndian.putInt(f, q, bodyCrc);
    BigEndian.putInt(f, 0, Checksums.crc32c(f, 4, h - 4));
    return f;
  }

  /**
   * A whole, good frame of these payloads for a compressed segment, stored (raw length 0: not
   * through the stream, so it does not disturb the stream's history).
   */
  public static byte[] storedFrame(long segmentFirstLsn, long firstLsn, long syncedLsn, byte[]... payloads) {
    return frameOfBody(segmentFirstLsn, firstLsn, syncedLsn, body(payloads), 0);
  }

  /** Like {@link #frameHeader}, for a compressed segment's stored frame (raw length 0). */
  public static byte[] storedFrameHeader(long segmentFirstLsn, long firstLsn, long syncedLsn, long bodyLength, int bodyCrc) {
    long claim = claim(segmentFirstLsn, syncedLsn);
    long delta = firstLsn - segmentFirstLsn;
    int h = 4 + Varint.size(bodyLength) + 1 + Varint.size(delta) + Varint.size(claim) + 4;
    byte[] f = new byte[h];
    int q = Varint.put(f, 4, bodyLength);
    q = Varint.put(f, q, 0);
    q = Varint.put(f, q, delta);
    q = Varint.put(f, q, claim);
    BigEndian.putInt(f, q, bodyCrc);
    BigEndian.putInt(f, 0, Checksums.crc32c(f, 4, h - 4));
    return f;
  }

  /**
   * Adds a good frame of these payloads at the next LSNs, saying {@code syncedLsn} was synced; in a
   * compressed segment, compressed by the segment's stream (stored if over {@link #MAX_STREAM_RAW}, or
   * while the stream's recent records shrank by less than a third, as the writer does).
   */
  public LogBytes add(long syncedLsn, byte[]... payloads) {
    byte[] body = body(payloads);
    if (stream == null) {
      out.writeBytes(frameOfBody(firstLsn, nextLsn, syncedLsn, body));
    } else if (body.length > MAX_STREAM_RAW || !stream.takesNext(body.length)) {
      out.writeBytes(frameOfBody(firstLsn, nextLsn, syncedLsn, body, 0)); // stored, as the writer does
    } else {
      byte[] c = compress(body);
      stream.took(body.length, c.length);
      out.writeBytes(frameOfBody(firstLsn, nextLsn, syncedLsn, c, body.length));
    }
    nextLsn += payloads.length;
    return this;
  }

  /** {@code raw} through this compressed segment's stream (its history grows by it), flushed. */
  public byte[] compress(byte[] raw) {
    byte[] out = new byte[StreamCompressor.bound(raw.length)];
    return java.util.Arrays.copyOf(out, stream.compress(raw, 0, raw.length, out, 0));
  }

  /** The LSN the next frame's first record takes. */
  public long nextLsn() {
    return nextLsn;
  }

  /** Counts {@code n} records as written (after {@link #raw} frames of them). */
  public LogBytes advance(int n) {
    nextLsn += n;
    return this;
  }

  public LogBytes raw(byte[] bytes) {
    out.writeBytes(bytes);
    return this;
  }

  public long firstLsn() {
    return firstLsn;
  }

  public int size() {
    return out.size();
  }

  public byte[] bytes() {
    return out.toByteArray();
  }
}
