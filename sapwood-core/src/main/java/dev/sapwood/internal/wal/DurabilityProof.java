package dev.sapwood.internal.wal;

import dev.sapwood.StorageException;
import dev.sapwood.internal.io.FileIo;
import dev.sapwood.internal.io.IoFile;
import dev.sapwood.internal.util.BigEndian;
import dev.sapwood.internal.util.Checksums;
import dev.sapwood.internal.util.Varint;
import java.io.IOException;

/**
 * The search, after damage in the log, for a proof that the damaged records had been synced: an
 * intact frame header further on, in the same segment or in the last one, whose synced claim
 * covers them. {@link LogReader} asks it before calling damage a torn write; a proof makes the
 * damage a {@link dev.sapwood.CorruptionException} instead.
 *
 * <p>Invariants: a proof is a frame header whose checksum holds (with a small body, which that
 * checksum covers too), whose first LSN is above the damaged LSN and whose claim covers it but not
 * its own records; a torn or missing header proves nothing. Each offset after the damage is looked
 * at once, checksumming at most a frame header and a small body there, so the search is linear in
 * the bytes after the damage; {@link #work} counts the bytes it checksummed. Memory is one extra
 * window of {@link LogReader#WINDOW} bytes, taken on the first look at another segment.
 *
 * <p>Not thread-safe: one per {@link LogReader}.
 */
final class DurabilityProof {
  private final FileIo io;
  private SegmentInput other; // a second window, for the rare look at the segment after a torn one
  private long work;
  private long scanned;

  DurabilityProof(FileIo io) {
    this.io = io;
  }

  /** The bytes the searches so far checksummed (a measure of their work). */
  long work() {
    return work;
  }

  /** The offsets the searches so far looked at as candidate headers. */
  long scanned() {
    return scanned;
  }

  /**
   * Whether a frame header anywhere after the damaged frame at {@code damagedAt} says that LSN
   * {@code lsn} had been synced. Every offset is a candidate, since the damaged frame's length
   * cannot be trusted; each is looked at once, with cheap filters first (lengths in range; a
   * first LSN above {@code lsn} by no more than the bytes between, since every record takes a byte
   * at least; a claim of at least {@code lsn} and below its own first LSN) and then the checksum. The header is the proof, with a small body the
   * checksum covers too (at most {@link LogFormat#SMALL_BODY} bytes); a large body need not be
   * intact. So the work per offset is bounded and the search linear in the bytes after the damage.
   * Searching a later segment ({@code sameSegment} false, {@code damagedAt} just before its first
   * frame), the bytes between are unknown, so that filter is off. {@code dataEnd} is where the
   * bytes after the damage turn to zeros for good ({@link SegmentInput#dataEnd}): a preallocated
   * segment's zero tail holds no header, so the search stops there.
   */
  boolean provenDurable(SegmentInput in, long damagedAt, long dataEnd, long segmentFirstLsn, long lsn,
      boolean sameSegment, boolean stream) {
    int reach = LogFormat.MAX_FRAME_HEADER + LogFormat.SMALL_BODY;
    // A candidate's body length is its fifth byte on, non-zero, so no candidate starts at dataEnd
    // or later; one starting before it is covered by dataEnd + reach.
    long size = Math.min(in.size(), dataEnd + reach);
    byte[] b = in.buffer();
    for (long p = damagedAt + 1; p + LogFormat.MIN_FRAME <= size; ) {
      int n = (int) Math.min(b.length, size - p);
      int first = in.window(p, n);
      int limit = first + n;
      boolean toEnd = p + n == size;
      int lastStart = toEnd ? limit - LogFormat.MIN_FRAME : limit - reach;
      long base = p - first; // the file offset of b[0]
      scanned += Math.max(0, lastStart - first + 1);
      for (int i = first; i <= lastStart; i++) {
        long body = Varint.get(b, i + 4, limit, Varint.MAX_INT_BYTES);
        if (body <= 0 || body > LogFormat.MAX_BODY) {
          continue;
        }
        int q = i + 4 + Varint.size(body);
        if (stream) { // the raw length: any value decodes here, the checksum vouches for it
          long raw = Varint.get(b, q, limit, Varint.MAX_INT_BYTES);
          if (raw < 0) {
            continue;
          }
          q += Varint.size(raw);
        }
        long delta = Varint.get(b, q, limit, Varint.MAX_LONG_BYTES);
        if (delta < 0) {
          continue;
        }
        long firstLsn = segmentFirstLsn + delta; // the candidate's first LSN
        if (firstLsn <= lsn || sameSegment && firstLsn - lsn > base + i - damagedAt) {
          continue; // every record between takes a byte at least
        }
        q += Varint.size(delta);
        long claim = Varint.get(b, q, limit, Varint.MAX_LONG_BYTES);
        if (claim <= 0) {
          continue;
        }
        long synced = segmentFirstLsn + claim - 2;
        if (synced < lsn || synced >= firstLsn) {
          continue;
        }
        q += Varint.size(claim);
        int covered = body <= LogFormat.SMALL_BODY ? q + (int) body : q + 4;
        if (covered > limit) {
          continue;
        }
        work += covered - i - 4;
        if (Checksums.crc32c(b, i + 4, covered - i - 4) == BigEndian.getInt(b, i)) {
          return true;
        }
      }
      if (toEnd) {
        break;
      }
      p = base + lastStart + 1;
    }
    return false;
  }

  /**
   * Whether some intact frame header of {@code seg} (a last segment, after a full one whose records
   * from {@code lsn} on are torn or missing) claims {@code lsn} synced. A torn or missing header
   * proves nothing.
   */
  boolean provesSynced(LogSegments.Segment seg, long lsn) {
    if (other == null) {
      other = new SegmentInput(LogReader.WINDOW);
    }
    try (IoFile f = io.openReadOnly(seg.path())) {
      other.reset(f, seg.path().toString());
      long size = other.size();
      if (size < LogFormat.SEGMENT_HEADER_V2) {
        return false;
      }
      byte[] b = other.buffer();
      int n = (int) Math.min(size, LogFormat.SEGMENT_HEADER);
      int i = other.window(0, n);
      int header = LogFormat.headerLength(b, i, n);
      if (header < 0 || BigEndian.getLong(b, i + 8) != seg.firstLsn()) {
        return false;
      }
      boolean stream = LogFormat.streamed(b, i);
      return provenDurable(other, header - 1, other.dataEnd(header, size), seg.firstLsn(), lsn, false, stream);
    } catch (IOException e) {
      throw new StorageException("cannot read " + seg.path() + ": " + e.getMessage(), e);
    }
  }
}
