package dev.sapwood.internal.wal;

import dev.sapwood.CorruptionException;
import dev.sapwood.StorageException;
import dev.sapwood.internal.io.FileIo;
import dev.sapwood.internal.io.IoFile;
import dev.sapwood.internal.util.BigEndian;
import dev.sapwood.internal.util.Checksums;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the log at open, for recovery: every record from a given LSN on, in order. Checks each
 * segment header and record (CRC32C of header and payload, LSNs consecutive within and across
 * segments). In the last segment, a record that fails a check is a torn write from a crash —
 * the tail from there is cut off and counted — unless a later record's intact header shows, by
 * its syncedLsn, that it had been fsynced: then, like any failure elsewhere, it is a {@link
 * CorruptionException}. Damage to what was durable is never skipped.
 *
 * <p>Memory is bounded whatever the files hold: segments are read through one window of {@link
 * #WINDOW} bytes; a record's length is trusted only after its header checksum, and only if it is
 * at most {@link LogFormat#MAX_PAYLOAD} and fits in what is left of the segment; its payload
 * checksum is computed a window at a time before the consumer sees it, and the consumer copies
 * only the fields it decodes. Time is linear in the bytes of the log: the search for a proof of
 * durability after damage looks at each later offset once, checking 24 header bytes there.
 */
public final class LogReader {
  /** Bytes of the read window. */
  static final int WINDOW = 1 << 20;

  /** Receives each record to replay. */
  public interface Consumer {
    /** {@code payload} is valid only during this call. */
    void record(long lsn, PayloadReader payload);
  }

  /**
   * What recovery found: the LSN after the last good record, what was replayed or cut, and the
   * bytes the search for proofs of durability checksummed (a measure of its work).
   */
  public record Result(long nextLsn, long replayed, long tornBytes, long proofWork) {}

  private final FileIo io;
  private final boolean readOnly;
  private final SegmentInput in = new SegmentInput(WINDOW);
  private long proofWork;

  private LogReader(FileIo io, boolean readOnly) {
    this.io = io;
    this.readOnly = readOnly;
  }

  /**
   * Reads every segment in {@code dir} and passes the records with LSN {@code >= fromLsn} to
   * {@code consumer} in order, cutting off a torn tail.
   */
  public static Result recover(FileIo io, Path dir, long fromLsn, Consumer consumer) {
    return recover(io, dir, fromLsn, consumer, false);
  }

  /**
   * Like {@link #recover(FileIo, Path, long, Consumer)}; if {@code readOnly}, the segments are
   * opened read-only and a torn tail is only counted and skipped, not cut off: the files are left
   * as they are.
   */
  public static Result recover(FileIo io, Path dir, long fromLsn, Consumer consumer, boolean readOnly) {
    List<LogSegments.Segment> segments;
    try {
      segments = LogSegments.list(io, dir);
    } catch (IOException e) {
      throw new StorageException("cannot list the log in " + dir + ": " + e.getMessage(), e);
    }
    if (segments.isEmpty()) {
      return new Result(fromLsn, 0, 0, 0);
    }
    return new LogReader(io, readOnly).read(segments, fromLsn, consumer);
  }

  private Result read(List<LogSegments.Segment> segments, long fromLsn, Consumer consumer) {
    // Segments wholly below fromLsn wait to be trimmed; reading starts at the one holding fromLsn.
    int start = 0;
    while (start + 1 < segments.size() && segments.get(start + 1).firstLsn() <= fromLsn) {
      start++;
    }
    long expected = segments.get(start).firstLsn();
    if (expected > fromLsn) {
      throw new CorruptionException(segments.get(start).path().toString(), 0,
          "the log starts at LSN " + expected + " but the checkpoint needs it from LSN " + fromLsn);
    }
    long replayed = 0;
    long torn = 0;
    for (int i = start; i < segments.size(); i++) {
      LogSegments.Segment seg = segments.get(i);
      boolean last = i == segments.size() - 1;
      String name = seg.path().toString();
      if (seg.firstLsn() != expected) {
        throw new CorruptionException(name, 0, "segment starts at LSN " + seg.firstLsn() + ", expected " + expected);
      }
      long cutAt = -1;
      try (IoFile f = readOnly ? io.openReadOnly(seg.path()) : io.open(seg.path())) {
        in.reset(f, name);
        long size = in.size();
        long pos = checkHeader(seg, last);
        if (pos < 0) {
          cutAt = 0;
        }
        while (pos >= 0 && pos < size) {
          int bad = recordProblem(pos, expected);
          if (bad != 0) {
            if (last && (allZero(pos, size) || !provenDurable(pos + 1, expected))) {
              cutAt = pos;
              break;
            }
            throw new CorruptionException(name, pos, "log record at LSN " + expected + ": " + describe(bad)
                + (last ? " (a later record shows it had been synced)" : ""));
          }
          int len = BigEndian.getInt(in.buffer(), in.window(pos, LogFormat.RECORD_HEADER) + 4);
          if (expected >= fromLsn) {
            consumer.record(expected, PayloadReader.of(in, pos, pos + LogFormat.RECORD_HEADER, len));
            replayed++;
          }
          expected++;
          pos += LogFormat.RECORD_HEADER + len;
        }
        if (cutAt >= 0) {
          torn += size - cutAt;
          if (!readOnly) {
            f.truncate(cutAt);
            f.force();
          }
        }
      } catch (IOException e) {
        throw new StorageException("cannot read or cut " + name + ": " + e.getMessage(), e);
      }
    }
    return new Result(Math.max(expected, fromLsn), replayed, torn, proofWork);
  }

  /**
   * Whether a record header anywhere from {@code from} on says that LSN {@code lsn} had been
   * synced. Every offset is a candidate, since the damaged record's length cannot be trusted;
   * each is looked at once, with cheap filters first (a plausible LSN: above {@code lsn} and no
   * further above it than records could fit between; {@code lsn <= syncedLsn < its own LSN})
   * and then the header checksum. The header alone is the proof: the writer put the syncedLsn in
   * it, and its checksum covers it; the payload is not needed (and checking each candidate's
   * payload would make the search quadratic on garbage that looks like headers).
   */
  private boolean provenDurable(long from, long lsn) {
    long size = in.size();
    byte[] b = in.buffer();
    int h = LogFormat.RECORD_HEADER;
    // A window at a time; within it, a tight loop over the offsets where a whole header fits.
    for (long p = from; p + h <= size; ) {
      int n = (int) Math.min(b.length, size - p);
      int first = in.window(p, n);
      int last = first + n - h;
      long base = p - first; // the file offset of b[0]
      for (int i = first; i <= last; i++) {
        long at = BigEndian.getLong(b, i + 8);
        if (at <= lsn || at - lsn > (base + i - from) / h + 1) {
          continue;
        }
        long synced = BigEndian.getLong(b, i + 16);
        if (synced < lsn || synced >= at) {
          continue;
        }
        proofWork += 24;
        if (Checksums.crc32c(b, i + 4, 24) == BigEndian.getInt(b, i)) {
          int len = BigEndian.getInt(b, i + 4);
          if (len >= 0 && len <= LogFormat.MAX_PAYLOAD) {
            return true;
          }
        }
      }
      p += n - h + 1;
    }
    return false;
  }

  private static final int TRUNCATED = 1;
  private static final int HEADER_CRC = 2;
  private static final int PAYLOAD_CRC = 3;
  private static final int WRONG_LSN = 4;
  private static final int BAD_LENGTH = 5;

  /** 0 if the record at {@code pos} is whole and good, else why not. */
  private int recordProblem(long pos, long expectedLsn) {
    long left = in.size() - pos;
    if (left < LogFormat.RECORD_HEADER) {
      return TRUNCATED;
    }
    byte[] b = in.buffer();
    int i = in.window(pos, LogFormat.RECORD_HEADER);
    if (Checksums.crc32c(b, i + 4, 24) != BigEndian.getInt(b, i)) {
      return HEADER_CRC;
    }
    int len = BigEndian.getInt(b, i + 4);
    int payloadCrc = BigEndian.getInt(b, i + 24);
    if (BigEndian.getLong(b, i + 8) != expectedLsn) {
      return WRONG_LSN;
    }
    if (len < 0 || len > LogFormat.MAX_PAYLOAD) {
      return BAD_LENGTH;
    }
    if (left - LogFormat.RECORD_HEADER < len) {
      return TRUNCATED;
    }
    if (in.crc32c(pos + LogFormat.RECORD_HEADER, len) != payloadCrc) {
      return PAYLOAD_CRC;
    }
    return 0;
  }

  private static String describe(int problem) {
    return switch (problem) {
      case TRUNCATED -> "cut short before the end of the log";
      case HEADER_CRC -> "record header checksum mismatch";
      case PAYLOAD_CRC -> "payload checksum mismatch";
      case BAD_LENGTH -> "length outside [0, " + LogFormat.MAX_PAYLOAD + "]";
      default -> "unexpected LSN";
    };
  }

  /** Offset of the first record, or -1 if the (last) segment's header itself is torn. */
  private long checkHeader(LogSegments.Segment seg, boolean last) {
    String name = in.name();
    long size = in.size();
    if (size < LogFormat.SEGMENT_HEADER || allZero(0, size)) {
      if (last) {
        return -1;
      }
      throw new CorruptionException(name, 0, "log segment header missing");
    }
    byte[] b = in.buffer();
    int i = in.window(0, LogFormat.SEGMENT_HEADER);
    if (BigEndian.getInt(b, i) != LogFormat.MAGIC || Checksums.crc32c(b, i, 16) != BigEndian.getInt(b, i + 16)) {
      throw new CorruptionException(name, 0, "bad log segment header");
    }
    int version = BigEndian.getInt(b, i + 4);
    if (version != LogFormat.VERSION) {
      throw new CorruptionException(name, 4, "log segment version " + version + ", expected " + LogFormat.VERSION);
    }
    long first = BigEndian.getLong(b, i + 8);
    if (first != seg.firstLsn()) {
      throw new CorruptionException(name, 8, "segment header says LSN " + first + ", its name " + seg.firstLsn());
    }
    return LogFormat.SEGMENT_HEADER;
  }

  /**
   * Whether {@code [from, to)} is all zeros (stops at the first non-zero byte): the common torn
   * tail, which holds no proof of durability (a proof names an LSN above the damaged one, never 0),
   * so the proof search is skipped for it.
   */
  private boolean allZero(long from, long to) {
    byte[] b = in.buffer();
    for (long p = from; p < to; ) {
      int n = (int) Math.min(b.length, to - p);
      int i = in.window(p, n);
      for (int k = 0; k < n; k += ZEROS.length) {
        int m = Math.min(ZEROS.length, n - k);
        if (Arrays.mismatch(b, i + k, i + k + m, ZEROS, 0, m) >= 0) {
          return false;
        }
      }
      p += n;
    }
    return true;
  }

  private static final byte[] ZEROS = new byte[4096];
}
