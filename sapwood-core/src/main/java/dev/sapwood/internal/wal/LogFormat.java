package dev.sapwood.internal.wal;

import dev.sapwood.internal.util.BigEndian;
import dev.sapwood.internal.util.Checksums;

/**
 * Layout of the write-ahead log (docs/format/log.md). On disk — never renumber.
 *
 * <pre>
 * wal/NNNNNNNNNNNNNNNNNNNN.log   one segment; the name is its first LSN, 20 decimal digits
 * Segment := SegmentHeader Slot Frame*       with flag SLOT, written since FormatVersion 12
 *          | SegmentHeader Frame* [Zero* | Stale* StagedFrame*]   older flags, read (docs/format/log.md)
 * Slot    := StagedFrame* (anything) up to byte SLOT_END
 * SegmentHeader := magic u32 ("SWLG"), version u32 (3), firstLsn u64, flags u32, crc u32 (over the 20 bytes before)
 *                | magic u32, version u32 (2), firstLsn u64, crc u32 (over 16)   read, no longer written
 * Frame  := crc u32, bodyLength varint, [rawLength varint if flags has STREAM], lsnDelta varint,
 *           synced varint, [bodyCrc u32 if bodyLength > SMALL_BODY], body
 * body   := (length varint, payload[length])+      the records of one write, LSNs consecutive;
 *           or, if rawLength > 0, the bytes the segment's zstd stream put out for such records
 *           of rawLength bytes, flushed (ZSTD_e_flush) so they decode with what came before
 * </pre>
 *
 * <p>In a segment whose header has {@link #FLAG_STREAM}, every frame of at most {@link
 * #MAX_STREAM_RAW} body bytes is compressed by one zstd stream that lives for the whole segment:
 * a frame's body is what the stream put out when it was flushed after the frame's records, so it
 * can refer to every byte compressed before it in the segment, and it decodes only after them
 * (recovery reads a segment from its first frame). Each frame is still complete on disk on its
 * own: a flushed block holds every byte given to the stream.
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
  /**
   * 1: a 28-byte header per record (until FormatVersion 3); 2: frames of varint-framed records
   * (FormatVersion 4 to 6, still read); 3: a flags word in the segment header (FormatVersion 7).
   */
  static final int VERSION = 3;
  /** The oldest segment version read (a database of FormatVersion 4 to 6 replays its log). */
  static final int OLDEST_VERSION = 2;
  /** Bytes of a version-3 segment header. */
  static final int SEGMENT_HEADER = 4 + 4 + 8 + 4 + 4;
  /** Bytes of a version-2 segment header (no flags). */
  static final int SEGMENT_HEADER_V2 = 4 + 4 + 8 + 4;
  /** Segment flag: frames carry a raw length and bodies are one zstd stream (docs/format/log.md). */
  static final int FLAG_STREAM = 1;
  /**
   * Segment flag: the file may run on past its last frame with zero bytes (the writer's mapped,
   * preallocated tail), which end the segment (docs/format/log.md, "Preallocated segments").
   */
  static final int FLAG_PREALLOCATED = 2;
  /**
   * Segment flag: records handed to the operating system but not yet in a frame may lie, as stored
   * frames, {@link #STAGED_GAP} bytes past the last frame (docs/format/log.md, "Staged frames").
   */
  static final int FLAG_STAGED = 4;
  /**
   * Segment flag: the bytes from the header to {@link #SLOT_END} are the stage slot, where the
   * records handed to the operating system since the last frame lie as stored frames, and the
   * frames start at {@link #SLOT_END} (docs/format/log.md, "The stage slot"). Written since
   * FormatVersion 12, with or without {@link #FLAG_STREAM}, never with the two flags before.
   */
  static final int FLAG_SLOT = 8;
  /** The flags this build knows; a segment with another flag set is refused. */
  static final int KNOWN_FLAGS = FLAG_STREAM | FLAG_PREALLOCATED | FLAG_STAGED | FLAG_SLOT;
  /**
   * In a {@link #FLAG_SLOT} segment: where the first frame starts, the end of the stage slot (which
   * starts after the header). The slot holds at least {@link #MAX_STAGED} bytes.
   */
  static final int SLOT_END = 16 << 10;
  /**
   * In a {@link #FLAG_STAGED} segment: the staged frames start this many bytes past the end of the
   * last frame. At least the largest group frame ({@link #MAX_STAGED} bytes of records compressed,
   * with its header), so a group frame written at the end never overlaps the staged frames it holds.
   */
  static final int STAGED_GAP = 12 << 10;
  /**
   * The most bytes of staged frames (headers included) after one frame, in the slot or past the
   * frames; the reader looks no further.
   */
  static final int MAX_STAGED = 8 << 10;
  /** The largest frame body (raw records) compressed into the stream; larger ones are stored. */
  static final int MAX_STREAM_RAW = 512 << 10;
  /**
   * The largest compressed body (the stream's output for {@link #MAX_STREAM_RAW} bytes is below
   * it: zstd's bound is 512 KiB + 2 KiB + a block header per 128 KiB); a longer one is damage.
   */
  static final int MAX_STREAM_BODY = 1 << 20;
  /** zstd level of the stream: 1 (the fastest of the ordinary levels). */
  static final int STREAM_LEVEL = 1;
  /**
   * log2 of the stream's window: 512 KiB of history. The reader refuses a stream declaring a larger
   * window, so a damaged frame header cannot make the decoder reserve more.
   */
  static final int STREAM_WINDOW_LOG = 19;
  /** Bodies up to this many bytes are covered by the header's checksum (no separate body CRC). */
  static final int SMALL_BODY = 256;
  /** The shortest frame: crc, a 1-byte length, LSN delta and synced, one empty record (its 1-byte length). */
  static final int MIN_FRAME = 4 + 1 + 1 + 1 + 1;
  /**
   * The longest frame header: crc, 5-byte length, 5-byte raw length, 9-byte LSN delta, 9-byte
   * synced, body crc.
   */
  static final int MAX_FRAME_HEADER = 4 + 5 + 5 + 9 + 9 + 4;
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

  /**
   * The length of the segment header at {@code b[i]} ({@code n} bytes there) if it has the magic, a
   * version this build reads and its checksum; else -1.
   */
  static int headerLength(byte[] b, int i, int n) {
    if (n < SEGMENT_HEADER_V2 || BigEndian.getInt(b, i) != MAGIC) {
      return -1;
    }
    int version = BigEndian.getInt(b, i + 4);
    int len = version == VERSION ? SEGMENT_HEADER
        : version == OLDEST_VERSION ? SEGMENT_HEADER_V2 : -1;
    if (len < 0 || n < len || Checksums.crc32c(b, i, len - 4) != BigEndian.getInt(b, i + len - 4)) {
      return -1;
    }
    return len;
  }

  /** Whether the segment whose good header is at {@code b[i]} is compressed. */
  static boolean streamed(byte[] b, int i) {
    return BigEndian.getInt(b, i + 4) == VERSION && (BigEndian.getInt(b, i + 16) & FLAG_STREAM) != 0;
  }
}
