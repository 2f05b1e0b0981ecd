package dev.sapwood.internal.wal;

import dev.sapwood.CorruptionException;
import dev.sapwood.internal.util.BigEndian;
import dev.sapwood.internal.util.Checksums;
import dev.sapwood.internal.util.Varint;

/**
 * Checks one log frame where {@link LogReader} stands: its header's varints, its checksums, its
 * place in the LSN sequence, its synced claim, and that its body is whole records (a compressed
 * body is decoded to its declared raw length, {@link StreamDecoder}). A frame that fails a check
 * is reported by a problem code, for the reader to judge torn or corrupt; a frame whose checksums
 * hold but whose contents break the format is a {@link CorruptionException} at once. Lengths are
 * trusted only after the checksum that covers them, and only within {@link LogFormat}'s bounds.
 * Not thread-safe: one per reader.
 */
final class FrameCheck {
  static final int TRUNCATED = 1;
  static final int HEADER_CRC = 2;
  static final int PAYLOAD_CRC = 3;
  static final int BAD_HEADER = 4;
  static final int BAD_LENGTH = 5;
  static final int WRONG_LSN = 6;

  private final SegmentInput in;
  private final StreamDecoder decoder;
  /** The header and body bytes of the frame {@link #problem} last found good, */
  int header;
  int body;
  /** and its raw length (> 0: compressed, decoded into the decoder's {@code raw()}), */
  int raw;
  /** and, if stored (raw length 0 or none), its records. */
  int records;

  FrameCheck(SegmentInput in, StreamDecoder decoder) {
    this.in = in;
    this.decoder = decoder;
  }

  /**
   * 0 if the frame at {@code pos} is whole and good (then {@link #header}, {@link #body} and
   * {@link #raw} are its sizes), else why not; {@code stream}: the segment is one zstd stream. A frame whose checksums are right but whose contents
   * break the format (a record running past the body, a claim of its own records as synced) was
   * written so, not torn: a {@link CorruptionException}.
   */
  int problem(long pos, long segmentFirstLsn, long firstLsn, boolean stream) {
    return problem(pos, segmentFirstLsn, firstLsn, stream, false);
  }

  /**
   * Like {@link #problem(long, long, long, boolean)} for a staged frame ({@link
   * LogFormat#FLAG_STAGED}): one that is compressed or claims anything is not one ({@link
   * #BAD_HEADER}; nothing is decoded); a good one's record count is {@link #records}.
   */
  int stagedProblem(long pos, long segmentFirstLsn, long firstLsn, boolean stream) {
    return problem(pos, segmentFirstLsn, firstLsn, stream, true);
  }

  private int problem(long pos, long segmentFirstLsn, long firstLsn, boolean stream, boolean staged) {
    long left = in.size() - pos;
    if (left < LogFormat.MIN_FRAME) {
      return TRUNCATED;
    }
    int n = (int) Math.min(left, LogFormat.MAX_FRAME_HEADER);
    byte[] b = in.buffer();
    int i = in.window(pos, n);
    int limit = i + n;
    int crc = BigEndian.getInt(b, i);
    long body = Varint.get(b, i + 4, limit, Varint.MAX_INT_BYTES);
    if (body < 0) {
      return BAD_HEADER;
    }
    if (body == 0) {
      return BAD_LENGTH; // the writer never writes an empty frame
    }
    int q = i + 4 + Varint.size(body);
    long raw = 0;
    if (stream) {
      raw = Varint.get(b, q, limit, Varint.MAX_INT_BYTES);
      if (raw < 0) {
        return BAD_HEADER;
      }
      q += Varint.size(raw);
    }
    long delta = Varint.get(b, q, limit, Varint.MAX_LONG_BYTES);
    if (delta < 0) {
      return BAD_HEADER;
    }
    q += Varint.size(delta);
    long claim = Varint.get(b, q, limit, Varint.MAX_LONG_BYTES);
    if (claim < 0) {
      return BAD_HEADER;
    }
    q += Varint.size(claim);
    boolean small = body <= LogFormat.SMALL_BODY;
    if (!small) {
      if (q + 4 > limit) {
        return BAD_HEADER;
      }
      q += 4;
    }
    int h = q - i;
    if (small) {
      if (left < h + body) {
        return TRUNCATED;
      }
      if (in.crc32c(pos + 4, h - 4 + body) != crc) {
        return HEADER_CRC;
      }
    } else {
      int bodyCrc = BigEndian.getInt(b, q - 4);
      if (Checksums.crc32c(b, i + 4, h - 4) != crc) {
        return HEADER_CRC;
      }
      if (body > LogFormat.MAX_BODY) {
        return BAD_LENGTH;
      }
      if (left - h < body) {
        return TRUNCATED;
      }
      if (in.crc32c(pos + h, body) != bodyCrc) {
        return PAYLOAD_CRC;
      }
    }
    if (segmentFirstLsn + delta != firstLsn) {
      return WRONG_LSN;
    }
    if (staged && (raw != 0 || claim != 0)) {
      return BAD_HEADER;
    }
    if (claim > 0 && segmentFirstLsn + claim - 2 >= firstLsn) {
      throw new CorruptionException(in.name(), pos, "log frame at LSN " + firstLsn + " claims LSN "
          + (segmentFirstLsn + claim - 2) + " was synced before it was written");
    }
    if (raw > 0) {
      decoder.decodeFrame(in, pos, h, body, raw);
    } else {
      checkRecords(pos, pos + h, pos + h + body);
    }
    header = h;
    this.body = (int) body;
    this.raw = (int) raw;
    return 0;
  }

  /** Checks that the body {@code [from, end)} is whole records, each at most {@link LogFormat#MAX_PAYLOAD}. */
  private void checkRecords(long framePos, long from, long end) {
    records = 0;
    for (long p = from; p < end; records++) {
      int n = (int) Math.min(Varint.MAX_INT_BYTES, end - p);
      int i = in.window(p, n);
      long len = Varint.get(in.buffer(), i, i + n, Varint.MAX_INT_BYTES);
      if (len < 0 || len > LogFormat.MAX_PAYLOAD || len > end - p - Varint.size(len)) {
        throw new CorruptionException(in.name(), framePos, "log frame has a record length "
            + (len < 0 ? "that does not decode" : len + " past its body or the limit") + " at offset " + p);
      }
      p += Varint.size(len) + len;
    }
  }

  static String describe(int problem) {
    return switch (problem) {
      case TRUNCATED -> "cut short before the end of the log";
      case HEADER_CRC -> "frame checksum mismatch";
      case PAYLOAD_CRC -> "frame body checksum mismatch";
      case BAD_LENGTH -> "body length outside [1, " + LogFormat.MAX_BODY + "]";
      case WRONG_LSN -> "unexpected LSN (a frame from elsewhere)";
      default -> "frame header does not decode";
    };
  }
}
