package dev.sapwood.internal.wal;

/**
 * Layout of the write-ahead log (docs/format/log.md). On disk — never renumber.
 *
 * <pre>
 * wal/NNNNNNNNNNNNNNNNNNNN.log   one segment; the name is its first LSN, 20 decimal digits
 * Segment := SegmentHeader Frame*
 * SegmentHeader := magic u32 ("SWLG"), version u32, firstLsn u64, crc u32 (over the 16 bytes before)
 * Frame  := crc u32, bodyLength varint, lsnDelta varint, synced varint,
 *           [bodyCrc u32 if bodyLength > SMALL_BODY], body
 * body   := (length varint, payload[length])+      the records of one write, LSNs consecutive
 * </pre>
 *
 * <p>A frame is what one write hands to the operating system: the records appended since the
 * previous write. Its {@code crc} covers the header bytes after it and, for a small body (at most
 * {@link #SMALL_BODY} bytes), the body too; a larger body has its own {@code bodyCrc}, so the
 * header can be trusted before a long body is read. {@code synced} says which LSNs were durable
 * when the frame was written: 0 claims nothing; {@code s >= 1} means every LSN up to {@code
 * segmentFirstLsn + s - 2} was. {@code lsnDelta} is the frame's first LSN minus the segment's; the
 * records that follow it take consecutive LSNs from there (they carry none of their own). The LSN
 * makes a frame found at the wrong place (stale data, a misdirected write, a frame of another
 * segment) a bad frame, never a record replayed under another LSN.
 *
 * <p>A frame that fails its checks is damage in the middle of the log (a {@link
 * dev.sapwood.CorruptionException}) if a later intact frame header shows by its {@code synced}
 * that it had been fsynced, and a torn write (cut off) if nothing shows that.
 */
final class LogFormat {
  private LogFormat() {}

  static final int MAGIC = 0x53574C47;
  /** 1: a 28-byte header per record (until FormatVersion 3); 2: frames of varint-framed records. */
  static final int VERSION = 2;
  static final int SEGMENT_HEADER = 4 + 4 + 8 + 4;
  /** Bodies up to this many bytes are covered by the header's checksum (no separate body CRC). */
  static final int SMALL_BODY = 256;
  /** The shortest frame: crc, a 1-byte length, LSN delta and synced, one empty record (its 1-byte length). */
  static final int MIN_FRAME = 4 + 1 + 1 + 1 + 1;
  /** The longest frame header: crc, 5-byte length, 9-byte LSN delta, 9-byte synced, body crc. */
  static final int MAX_FRAME_HEADER = 4 + 5 + 9 + 9 + 4;
  /**
   * Largest payload accepted (a batch of many 16 MiB values is refused before it is logged); the
   * reader refuses a longer length before allocating or reading anything by it.
   */
  static final int MAX_PAYLOAD = 256 << 20;
  /** Largest frame body (several records written together); the reader refuses a longer one. */
  static final int MAX_BODY = 1 << 30;
  static final String SUFFIX = ".log";

  static String segmentName(long firstLsn) {
    return String.format("%020d%s", firstLsn, SUFFIX);
  }

  /** The first LSN named by a segment file name, or -1 if it is not a segment name. */
  static long firstLsnOf(String fileName) {
    if (fileName.length() != 20 + SUFFIX.length() || !fileName.endsWith(SUFFIX)) {
      return -1;
    }
    for (int i = 0; i < 20; i++) {
      if (!Character.isDigit(fileName.charAt(i))) {
        return -1;
      }
    }
    return Long.parseLong(fileName.substring(0, 20));
  }
}
