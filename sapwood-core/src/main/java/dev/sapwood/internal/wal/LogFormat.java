package dev.sapwood.internal.wal;

/**
 * Layout of the write-ahead log (docs/format/log.md). On disk — never renumber.
 *
 * <pre>
 * wal/NNNNNNNNNNNNNNNNNNNN.log   one segment; the name is its first LSN, 20 decimal digits
 * Segment := SegmentHeader Record*
 * SegmentHeader := magic u32 ("SWLG"), version u32, firstLsn u64, crc u32 (over the 16 bytes before)
 * Record := headerCrc u32, length u32, lsn u64, syncedLsn u64, payloadCrc u32, payload[length]
 *           headerCrc covers length, lsn, syncedLsn and payloadCrc; payloadCrc covers the payload;
 *           syncedLsn is the highest LSN known durable (fsynced) when the record was appended
 * </pre>
 *
 * <p>A record that fails its checks is damage in the middle of the log (a {@link
 * dev.sapwood.CorruptionException}) if a later record header with a good header checksum shows by
 * its syncedLsn that it had been fsynced, and a torn write (cut off) if nothing shows that.
 *
 * LSNs count records: a segment's records have LSNs firstLsn, firstLsn + 1, ... with no gaps, and
 * each segment starts where the previous one ended.
 */
final class LogFormat {
  private LogFormat() {}

  static final int MAGIC = 0x53574C47;
  static final int VERSION = 1;
  static final int SEGMENT_HEADER = 4 + 4 + 8 + 4;
  static final int RECORD_HEADER = 4 + 4 + 8 + 8 + 4;
  /**
   * Largest payload accepted (a batch of many 16 MiB values is refused before it is logged); the
   * reader refuses a longer length before allocating or reading anything by it.
   */
  static final int MAX_PAYLOAD = 256 << 20;
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
