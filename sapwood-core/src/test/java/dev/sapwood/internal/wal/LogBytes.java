package dev.sapwood.internal.wal;

import dev.sapwood.internal.util.BigEndian;
import dev.sapwood.internal.util.Checksums;
import dev.sapwood.internal.util.Varint;
import java.io.ByteArrayOutputStream;

/**
 * Builds log segments byte by byte as docs/format/log.md lays them out, for tests that craft
 * damaged or hostile logs (nothing is checked in as binaries).
 */
public final class LogBytes {
  public static final int SEGMENT_HEADER = LogFormat.SEGMENT_HEADER;
  public static final int MAX_PAYLOAD = LogFormat.MAX_PAYLOAD;
  public static final int MAX_BODY = LogFormat.MAX_BODY;
  public static final int SMALL_BODY = LogFormat.SMALL_BODY;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final long firstLsn;
  private long nextLsn;

  /** A segment starting at {@code firstLsn}: its header so far. */
  public LogBytes(long firstLsn) {
    this.firstLsn = firstLsn;
    this.nextLsn = firstLsn;
    out.writeBytes(segmentHeader(firstLsn));
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
    BigEndian.putInt(h, 4, LogFormat.VERSION);
    BigEndian.putLong(h, 8, firstLsn);
    BigEndian.putInt(h, 16, Checksums.crc32c(h, 0, 16));
    return h;
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
    long claim = claim(segmentFirstLsn, syncedLsn);
    long delta = firstLsn - segmentFirstLsn;
    boolean small = body.length <= SMALL_BODY;
    int h = 4 + Varint.size(body.length) + Varint.size(delta) + Varint.size(claim) + (small ? 0 : 4);
    byte[] f = new byte[h + body.length];
    int q = Varint.put(f, 4, body.length);
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

  /** Adds a good frame of these payloads at the next LSNs, saying {@code syncedLsn} was synced. */
  public LogBytes add(long syncedLsn, byte[]... payloads) {
    out.writeBytes(frame(firstLsn, nextLsn, syncedLsn, payloads));
    nextLsn += payloads.length;
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
