package dev.sapwood.internal.wal;

import dev.sapwood.CorruptionException;
import dev.sapwood.StorageException;
import dev.sapwood.internal.io.FileIo;
import dev.sapwood.internal.io.IoFile;
import dev.sapwood.internal.store.Checksums;
import dev.sapwood.internal.util.BigEndian;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads the log at open, for recovery: every record from a given LSN on, in order. Checks each
 * segment header and record (CRC32C of header and payload, LSNs consecutive within and across
 * segments). In the last segment, a record that fails a check is a torn write from a crash —
 * the tail from there is cut off and counted — unless a later good record's syncedLsn shows it
 * had been fsynced: then, like any failure elsewhere, it is a {@link CorruptionException}. Damage
 * to what was durable is never skipped.
 */
public final class LogReader {
  /** Receives each record to replay. */
  public interface Consumer {
    void record(long lsn, byte[] payload);
  }

  /** What recovery found: the LSN after the last good record, and what was replayed or cut. */
  public record Result(long nextLsn, long replayed, long tornBytes) {}

  private LogReader() {}

  /**
   * Reads every segment in {@code dir} and passes the records with LSN {@code >= fromLsn} to
   * {@code consumer} in order, cutting off a torn tail.
   */
  public static Result recover(FileIo io, Path dir, long fromLsn, Consumer consumer) {
    List<LogSegments.Segment> segments;
    try {
      segments = LogSegments.list(io, dir);
    } catch (IOException e) {
      throw new StorageException("cannot list the log in " + dir + ": " + e.getMessage(), e);
    }
    if (segments.isEmpty()) {
      return new Result(fromLsn, 0, 0);
    }
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
      byte[] bytes = readAll(io, seg.path());
      String name = seg.path().toString();
      if (seg.firstLsn() != expected) {
        throw new CorruptionException(name, 0, "segment starts at LSN " + seg.firstLsn() + ", expected " + expected);
      }
      int pos = checkHeader(bytes, seg, name, last);
      if (pos < 0) {
        torn += cut(io, seg.path(), 0, bytes.length);
        continue;
      }
      while (pos < bytes.length) {
        int bad = recordProblem(bytes, pos, expected);
        if (bad != 0) {
          if (last && !provenDurable(bytes, pos + 1, expected)) {
            torn += cut(io, seg.path(), pos, bytes.length);
            break;
          }
          throw new CorruptionException(name, pos, "log record at LSN " + expected + ": " + describe(bad)
              + (last ? " (a later record shows it had been synced)" : ""));
        }
        int len = BigEndian.getInt(bytes, pos + 4);
        if (expected >= fromLsn) {
          byte[] payload = new byte[len];
          System.arraycopy(bytes, pos + LogFormat.RECORD_HEADER, payload, 0, len);
          consumer.record(expected, payload);
          replayed++;
        }
        expected++;
        pos += LogFormat.RECORD_HEADER + len;
      }
    }
    return new Result(Math.max(expected, fromLsn), replayed, torn);
  }

  /**
   * Whether a good record anywhere from {@code from} on says that LSN {@code lsn} had been
   * synced. Scans every offset, since the damaged record's length cannot be trusted; cheap
   * filters (a plausible LSN) come before the checksums. Runs only when recovery meets damage.
   */
  private static boolean provenDurable(byte[] b, int from, long lsn) {
    for (int p = from; p + LogFormat.RECORD_HEADER <= b.length; p++) {
      long at = BigEndian.getLong(b, p + 8);
      if (at <= lsn || at > lsn + (1L << 32)) {
        continue;
      }
      if (recordProblem(b, p, at) == 0 && BigEndian.getLong(b, p + 16) >= lsn) {
        return true;
      }
    }
    return false;
  }

  private static final int TRUNCATED = 1;
  private static final int HEADER_CRC = 2;
  private static final int PAYLOAD_CRC = 3;
  private static final int WRONG_LSN = 4;

  /** 0 if the record at {@code pos} is whole and good, else why not. */
  private static int recordProblem(byte[] b, int pos, long expectedLsn) {
    if (b.length - pos < LogFormat.RECORD_HEADER) {
      return TRUNCATED;
    }
    if (Checksums.crc32c(b, pos + 4, 24) != BigEndian.getInt(b, pos)) {
      return HEADER_CRC;
    }
    int len = BigEndian.getInt(b, pos + 4);
    if (BigEndian.getLong(b, pos + 8) != expectedLsn || len < 0 || len > LogFormat.MAX_PAYLOAD) {
      return WRONG_LSN;
    }
    if ((long) b.length - pos - LogFormat.RECORD_HEADER < len) {
      return TRUNCATED;
    }
    if (Checksums.crc32c(b, pos + LogFormat.RECORD_HEADER, len) != BigEndian.getInt(b, pos + 24)) {
      return PAYLOAD_CRC;
    }
    return 0;
  }

  private static String describe(int problem) {
    return switch (problem) {
      case TRUNCATED -> "cut short before the end of the log";
      case HEADER_CRC -> "record header checksum mismatch";
      case PAYLOAD_CRC -> "payload checksum mismatch";
      default -> "unexpected LSN or length";
    };
  }

  /** Offset of the first record, or -1 if the (last) segment's header itself is torn. */
  private static int checkHeader(byte[] b, LogSegments.Segment seg, String name, boolean last) {
    if (b.length < LogFormat.SEGMENT_HEADER || allZero(b, 0)) {
      if (last) {
        return -1;
      }
      throw new CorruptionException(name, 0, "log segment header missing");
    }
    if (BigEndian.getInt(b, 0) != LogFormat.MAGIC || Checksums.crc32c(b, 0, 16) != BigEndian.getInt(b, 16)) {
      throw new CorruptionException(name, 0, "bad log segment header");
    }
    int version = BigEndian.getInt(b, 4);
    if (version != LogFormat.VERSION) {
      throw new CorruptionException(name, 4, "log segment version " + version + ", expected " + LogFormat.VERSION);
    }
    if (BigEndian.getLong(b, 8) != seg.firstLsn()) {
      throw new CorruptionException(name, 8, "segment header says LSN " + BigEndian.getLong(b, 8) + ", its name " + seg.firstLsn());
    }
    return LogFormat.SEGMENT_HEADER;
  }

  private static boolean allZero(byte[] b, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static long cut(FileIo io, Path path, int at, int size) {
    try (IoFile f = io.open(path)) {
      f.truncate(at);
      f.force();
    } catch (IOException e) {
      throw new StorageException("cannot cut the torn tail of " + path + ": " + e.getMessage(), e);
    }
    return size - at;
  }

  private static byte[] readAll(FileIo io, Path path) {
    try (IoFile f = io.open(path)) {
      long size = f.size();
      if (size > Integer.MAX_VALUE - 64) {
        throw new CorruptionException(path.toString(), 0, "log segment of " + size + " bytes is too large");
      }
      byte[] b = new byte[(int) size];
      ByteBuffer bb = ByteBuffer.wrap(b);
      while (bb.hasRemaining()) {
        if (f.read(bb.position(), bb) < 0) {
          throw new CorruptionException(path.toString(), bb.position(), "log segment shrank while read");
        }
      }
      return b;
    } catch (IOException e) {
      throw new StorageException("cannot read " + path + ": " + e.getMessage(), e);
    }
  }
}
