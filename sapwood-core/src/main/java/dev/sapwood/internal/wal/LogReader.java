package dev.sapwood.internal.wal;

import dev.sapwood.CorruptionException;
import dev.sapwood.StorageException;
import dev.sapwood.internal.io.FileIo;
import dev.sapwood.internal.io.IoFile;
import dev.sapwood.internal.util.BigEndian;
import dev.sapwood.internal.util.Varint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads the log at open, for recovery: every record from a given LSN on, in order. Checks each
 * segment header and frame (its CRC32C checksums; records numbered consecutively within and across
 * segments). In the last segment, a frame that fails a check is a torn write from a crash — the
 * tail from there is cut off and counted — unless a later intact frame header shows, by its
 * synced claim, that it had been fsynced: then, like any failure elsewhere, it is a {@link
 * CorruptionException}. Damage to what was durable is never skipped.
 *
 * <p>One segment before the last may be torn too: the writer fsyncs a full segment off its thread
 * while the next one fills ({@link SegmentWriter}), so a crash can leave the full one's tail torn
 * or missing behind a last segment already started. That is a torn write, not corruption, when
 * neither the rest of the full segment nor any frame of the last one claims the lost records
 * synced: the full segment is cut there and the last one dropped (deleted, unless read-only).
 *
 * <p>A segment with {@link LogFormat#FLAG_PREALLOCATED} (or {@link LogFormat#FLAG_SLOT}, where only
 * a file system's power-loss repair leaves zeros, and only the second case applies) may run on
 * with zeros past its last frame:
 * zeros from a frame's place to the file's end are the segment's end (cut, not counted torn) in
 * the last segment, and in one before it when the next segment starts at the LSN that frame would
 * have had (nothing is missing between them). Frames a power loss took from the last segment's
 * end read as zeros too, and are cut the same way: the claims of frames only say what was synced.
 *
 * <p>A segment with {@link LogFormat#FLAG_SLOT} has its frames after the stage slot; in the last
 * segment, the slot may hold stored frames continuing the log after its last good frame (records
 * a killed writer had handed over since its last frame): they are moved to follow that frame (or
 * read in place by a read-only recovery) and replayed. Segments of older builds may hold such
 * staged frames past their last frame instead ({@link LogFormat#FLAG_STAGED}).
 *
 * <p>A compressed segment ({@link LogFormat#FLAG_STREAM}) is one zstd stream: its frames are
 * decoded in order from its first ({@link StreamDecoder}), whatever LSN replay starts at; a frame
 * whose checksums hold but whose body does not decode to its declared raw length is a {@link
 * CorruptionException}.
 *
 * <p>Memory is bounded whatever the files hold: segments are read through one window of {@link
 * #WINDOW} bytes; a large frame's length is trusted only after its header checksum, and only if it
 * is at most {@link LogFormat#MAX_BODY} and fits in what is left of the segment (a small one's is
 * at most {@link LogFormat#SMALL_BODY} whatever it says); checksums are computed a window at a time
 * before the consumer sees a record, and the consumer copies only the fields it decodes. Time is
 * linear in the bytes of the log: the search for a proof of durability after damage ({@link
 * DurabilityProof}) looks at each later offset once, checksumming at most a frame header and a
 * small body there.
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
   * What recovery found: the LSN after the last good record, what was replayed or cut, the bytes
   * the search for proofs of durability checksummed and the offsets it looked at (its work).
   */
  public record Result(long nextLsn, long replayed, long tornBytes, long proofWork, long proofScanned) {}

  private final FileIo io;
  private final boolean readOnly;
  private final SegmentInput in = new SegmentInput(WINDOW);
  private final DurabilityProof proof;
  private final StreamDecoder decoder = new StreamDecoder();
  private final FrameCheck frames = new FrameCheck(in, decoder);
  private boolean stream; // the segment being read is one zstd stream (LogFormat.FLAG_STREAM)
  private boolean preallocated; // the segment may end with zeros (LogFormat.FLAG_PREALLOCATED)
  private boolean staged; // records may be staged past the segment's last frame (LogFormat.FLAG_STAGED)
  private boolean slotted; // the segment has a stage slot (LogFormat.FLAG_SLOT)
  private final byte[] stagedCopy = new byte[LogFormat.MAX_STAGED];

  private LogReader(FileIo io, boolean readOnly) {
    this.io = io;
    this.readOnly = readOnly;
    this.proof = new DurabilityProof(io);
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
      return new Result(fromLsn, 0, 0, 0, 0);
    }
    LogReader reader = new LogReader(io, readOnly);
    try {
      return reader.read(segments, fromLsn, consumer);
    } finally {
      reader.decoder.close();
    }
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
        if (last && i > start && seg.firstLsn() > expected && !proof.provesSynced(seg, expected)) {
          torn += drop(seg);
          break;
        }
        throw new CorruptionException(name, 0, "segment starts at LSN " + seg.firstLsn() + ", expected " + expected);
      }
      long cutAt = -1;
      boolean dropNext = false;
      boolean zeroEnd = false;
      long slotEnd = -1; // a read-only recovery reading the slot's staged frames in place: where they end
      try (IoFile f = readOnly ? io.openReadOnly(seg.path()) : io.open(seg.path())) {
        in.reset(f, name);
        long size = in.size();
        long pos = checkHeader(seg, last);
        if (pos == HEADER_MISSING) {
          // The full segment before the last, never fsynced (its rotation had not run): a torn tail
          // like a torn frame of it, when the last segment does not prove its records synced.
          if (i != segments.size() - 2 || expected >= segments.get(i + 1).firstLsn()
              || proof.provesSynced(segments.get(i + 1), expected)) {
            throw new CorruptionException(name, 0, "log segment header missing");
          }
          dropNext = true;
        }
        if (pos < 0) {
          cutAt = 0;
        }
        // The last segment's frames may end exactly at the file's end with records staged in its slot.
        boolean slotLook = last && slotted;
        while (pos >= 0 && (pos < size || slotLook) && pos != slotEnd) {
          int bad = frames.problem(pos, seg.firstLsn(), expected, stream);
          if (bad != 0 && slotEnd >= 0) {
            break; // cannot be: the staged frames were checked (the file changed under a read-only recovery)
          }
          if (bad != 0 && slotLook) {
            slotLook = false;
            long dataEnd = pos >= size ? pos : in.dataEnd(pos, size);
            if (dataEnd == pos || !proof.provenDurable(in, pos, dataEnd, seg.firstLsn(), expected, true, stream)) {
              long stagedLength = stagedLength(LogFormat.SEGMENT_HEADER, Math.min(size, LogFormat.SLOT_END),
                  seg.firstLsn(), expected);
              if (stagedLength > 0 && readOnly) {
                slotEnd = LogFormat.SEGMENT_HEADER + stagedLength;
                pos = LogFormat.SEGMENT_HEADER; // read the staged frames where they are
                continue;
              }
              if (stagedLength > 0) {
                moveStaged(f, LogFormat.SEGMENT_HEADER, pos, stagedLength);
                in.reset(f, name);
                size = in.size();
                continue;
              }
              cutAt = Math.min(pos, size);
              break;
            }
          }
          if (bad != 0) {
            boolean whole = !last && expected == segments.get(i + 1).firstLsn(); // nothing missing
            if ((preallocated && (last || whole) || slotted && whole) && in.allZero(pos, size) || staged && whole) {
              cutAt = pos; // the preallocated tail (and stale staged frames), not yet cut by a rotation or close
              zeroEnd = true;
              break;
            }
            long dataEnd = in.dataEnd(pos, size); // past it, zeros: no frame header, no proof
            boolean unproven = dataEnd == pos
                || !proof.provenDurable(in, pos, dataEnd, seg.firstLsn(), expected, true, stream);
            if (last && unproven) {
              long gap = pos + LogFormat.STAGED_GAP;
              long stagedLength = staged ? stagedLength(gap, size, seg.firstLsn(), expected) : 0;
              if (stagedLength > 0) {
                if (readOnly) {
                  pos = gap; // read the staged frames where they are
                } else {
                  moveStaged(f, gap, pos, stagedLength);
                  in.reset(f, name);
                  size = in.size();
                }
                continue;
              }
              cutAt = pos;
              break;
            }
            // Only records lost before the last segment's first can be the full segment's torn tail;
            // bytes past a complete full segment were never written by the writer.
            if (i == segments.size() - 2 && unproven && expected < segments.get(i + 1).firstLsn()
                && !proof.provesSynced(segments.get(i + 1), expected)) {
              cutAt = pos;
              dropNext = true;
              break;
            }
            throw new CorruptionException(name, pos, "log frame at LSN " + expected + ": " + FrameCheck.describe(bad)
                + (last ? " (a later frame shows it had been synced)" : ""));
          }
          long end = pos + frames.header + frames.body;
          int frameRaw = frames.raw;
          if (frameRaw > 0) {
            byte[] raw = decoder.raw();
            for (int p = 0; p < frameRaw; ) {
              long len = Varint.get(raw, p, frameRaw, Varint.MAX_INT_BYTES);
              p += Varint.size(len);
              if (expected >= fromLsn) {
                consumer.record(expected, PayloadReader.of(raw, p, (int) len, name, pos));
                replayed++;
              }
              expected++;
              p += (int) len;
            }
            pos = end;
            continue;
          }
          for (long p = pos + frames.header; p < end; ) {
            int n = (int) Math.min(Varint.MAX_INT_BYTES, end - p);
            int at = in.window(p, n);
            long len = Varint.get(in.buffer(), at, at + n, Varint.MAX_INT_BYTES);
            p += Varint.size(len);
            if (expected >= fromLsn) {
              consumer.record(expected, PayloadReader.of(in, pos, p, (int) len));
              replayed++;
            }
            expected++;
            p += len;
          }
          pos = end;
        }
        if (cutAt >= 0) {
          torn += zeroEnd ? 0 : size - cutAt;
          if (!readOnly && cutAt < size) {
            f.truncate(cutAt);
            f.force();
          }
        }
      } catch (IOException e) {
        throw new StorageException("cannot read or cut " + name + ": " + e.getMessage(), e);
      }
      if (dropNext) {
        torn += drop(segments.get(i + 1));
        break;
      }
    }
    return new Result(Math.max(expected, fromLsn), replayed, torn, proof.work(), proof.scanned());
  }

  /**
   * Bytes of the staged frames from {@code from} (before {@code limit}) that continue the log from
   * LSN {@code lsn}: each a good stored frame claiming nothing at the next LSN, together at most
   * {@link LogFormat#MAX_STAGED} bytes. 0 if there are none (stale staged frames, already in a
   * frame, have LSNs below {@code lsn}). Where they lie: past the last frame by {@link
   * LogFormat#STAGED_GAP} in an older build's segment, in the slot in one of {@link
   * LogFormat#FLAG_SLOT}.
   */
  private long stagedLength(long from, long limit, long segmentFirstLsn, long lsn) {
    long p = from;
    while (p < limit && frames.stagedProblem(p, segmentFirstLsn, lsn, stream) == 0) {
      long next = p + frames.header + frames.body;
      if (next - from > LogFormat.MAX_STAGED || next > limit) {
        break;
      }
      lsn += frames.records;
      p = next;
    }
    return p - from;
  }

  /**
   * Copies the {@code length} bytes of staged frames at {@code from} to follow the last good frame,
   * which ends at {@code end}, cuts the segment there and fsyncs it: the records a killed writer had
   * handed to the operating system become the segment's last frames. The copy never overlaps its
   * source (the slot is before the frames; an older build's gap is wider than {@link
   * LogFormat#MAX_STAGED}), so a crash during it leaves the staged frames to be found again.
   */
  private void moveStaged(IoFile f, long from, long end, long length) throws IOException {
    int len = (int) length;
    in.read(from, stagedCopy, 0, len);
    f.write(end, java.nio.ByteBuffer.wrap(stagedCopy, 0, len));
    f.truncate(end + len);
    f.force();
  }

  /** Drops a last segment that followed a torn one (deletes it unless read-only); its size. */
  private long drop(LogSegments.Segment seg) {
    try {
      long size;
      try (IoFile f = io.openReadOnly(seg.path())) {
        size = f.size();
      }
      if (!readOnly) {
        io.delete(seg.path());
        io.syncDirectory(seg.path().getParent());
      }
      return size;
    } catch (IOException e) {
      throw new StorageException("cannot drop " + seg.path() + ": " + e.getMessage(), e);
    }
  }

  /** {@link #checkHeader}: a segment before the last has no header (empty or all zeros). */
  private static final long HEADER_MISSING = -2;

  /**
   * Offset of the first record, -1 if the last segment's header itself is torn, or {@link
   * #HEADER_MISSING} if another segment has none.
   */
  private long checkHeader(LogSegments.Segment seg, boolean last) {
    String name = in.name();
    long size = in.size();
    if (size < LogFormat.SEGMENT_HEADER_V2 || in.allZero(0, size)) {
      return last ? -1 : HEADER_MISSING;
    }
    byte[] b = in.buffer();
    int i = in.window(0, LogFormat.SEGMENT_HEADER_V2);
    int version = BigEndian.getInt(b, i + 4);
    if (BigEndian.getInt(b, i) == LogFormat.MAGIC && (version < LogFormat.OLDEST_VERSION || version > LogFormat.VERSION)) {
      throw new CorruptionException(name, 4, "log segment version " + version + ", this build reads versions "
          + LogFormat.OLDEST_VERSION + " to " + LogFormat.VERSION
          + (version < LogFormat.OLDEST_VERSION ? " (written by an older Sapwood)" : " (written by a newer Sapwood)"));
    }
    if (version == LogFormat.VERSION && size < LogFormat.SEGMENT_HEADER && last) {
      return -1; // a crash while its header was written
    }
    int headerLength = LogFormat.headerLength(b, in.window(0, (int) Math.min(size, LogFormat.SEGMENT_HEADER)),
        (int) Math.min(size, LogFormat.SEGMENT_HEADER));
    if (headerLength < 0) {
      throw new CorruptionException(name, 0, "bad log segment header");
    }
    i = in.window(0, headerLength);
    long first = BigEndian.getLong(b, i + 8);
    if (first != seg.firstLsn()) {
      throw new CorruptionException(name, 8, "segment header says LSN " + first + ", its name " + seg.firstLsn());
    }
    int flags = version == LogFormat.VERSION ? BigEndian.getInt(b, i + 16) : 0;
    if ((flags & ~LogFormat.KNOWN_FLAGS) != 0) {
      throw new CorruptionException(name, 16, "log segment flags 0x" + Integer.toHexString(flags)
          + " not known to this build (written by a newer Sapwood)");
    }
    stream = (flags & LogFormat.FLAG_STREAM) != 0;
    preallocated = (flags & LogFormat.FLAG_PREALLOCATED) != 0;
    staged = (flags & LogFormat.FLAG_STAGED) != 0;
    slotted = (flags & LogFormat.FLAG_SLOT) != 0;
    decoder.start();
    return slotted ? LogFormat.SLOT_END : headerLength;
  }
}
