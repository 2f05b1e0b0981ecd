package dev.sapwood.internal.wal;

import dev.sapwood.internal.util.BigEndian;
import dev.sapwood.internal.util.Checksums;
import java.io.ByteArrayOutputStream;

/**
 * Builds log segments byte by byte as docs/format/log.md lays them out, for tests that craft
 * damaged or hostile logs (nothing is checked in as binaries).
 */
public final class LogBytes {
  public static final int SEGMENT_HEADER = LogFormat.SEGMENT_HEADER;
  public static final int RECORD_HEADER = LogFormat.RECORD_HEADER;
  public static final int MAX_PAYLOAD = LogFormat.MAX_PAYLOAD;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  /** A segment starting at {@code firstLsn}: its header so far. */
  public LogBytes(long firstLsn) {
    out.writeBytes(segmentHeader(firstLsn));
  }

  public static String segmentName(long firstLsn) {
    return LogFormat.segmentName(firstLsn);
  }

  public static byte[] segmentHeader(long firstLsn) {
    byte[] h = new byte[SEGMENT_HEADER];
    BigEndian.putInt(h, 0, LogFormat.MAGIC);
    BigEndian.putInt(h, 4, LogFormat.VERSION);
    BigEndian.putLong(h, 8, firstLsn);
    BigEndian.putInt(h, 16, Checksums.crc32c(h, 0, 16));
    return h;
  }

  /** A whole, good record. */
  public static byte[] record(long lsn, long syncedLsn, byte[] payload) {
    byte[] r = new byte[RECORD_HEADER + payload.length];
    System.arraycopy(recordHeader(payload.length, lsn, syncedLsn, Checksums.crc32c(payload, 0, payload.length)),
        0, r, 0, RECORD_HEADER);
    System.arraycopy(payload, 0, r, RECORD_HEADER, payload.length);
    return r;
  }

  /** A record header whose own checksum is right, saying whatever it is told to. */
  public static byte[] recordHeader(int length, long lsn, long syncedLsn, int payloadCrc) {
    byte[] h = new byte[RECORD_HEADER];
    BigEndian.putInt(h, 4, length);
    BigEndian.putLong(h, 8, lsn);
    BigEndian.putLong(h, 16, syncedLsn);
    BigEndian.putInt(h, 24, payloadCrc);
    BigEndian.putInt(h, 0, Checksums.crc32c(h, 4, 24));
    return h;
  }

  public LogBytes add(long lsn, long syncedLsn, byte[] payload) {
    out.writeBytes(record(lsn, syncedLsn, payload));
    return this;
  }

  public LogBytes raw(byte[] bytes) {
    out.writeBytes(bytes);
    return this;
  }

  public int size() {
    return out.size();
  }

  public byte[] bytes() {
    return out.toByteArray();
  }
}
