package dev.sapwood.internal.tree;

import java.util.Arrays;

/**
 * Where each partition of a node block lies and how it is framed: per partition its offset in the
 * block, compressed and raw length, codec, the counts its records need to be parsed (a basement's
 * max MSN and entry count; a buffer's point and range message counts), and its frames. A frame is
 * a run of whole records of at most about {@link NodeFormat#FRAME_TARGET} raw bytes, compressed
 * and checksummed on its own, with the key of its first record. Kept with a clean node so that a
 * single partition can be fetched (partial fetch) or, for a point query, a single frame read
 * (frame peek). An internal node's directory may also hold each buffer's key filter ({@link
 * BufferFilters}), asked before a peek. Immutable, but for {@link #notePeek}'s counters (a racy
 * heuristic).
 *
 * <p>Frames are stored in parallel int arrays indexed by a global frame number; partition {@code
 * i}'s frames are {@code [frameStart(i), frameStart(i + 1))}, the first {@link #pointFrames} of
 * them holding point records (entries, or point messages) and the rest range messages. First keys
 * live in one arena.
 *
 * <p>Invariants: partitions are contiguous in the block; each partition's frames are contiguous
 * within it, their compressed and raw lengths summing to the partition's; point frames' first
 * keys ascend (not strictly: one key's messages may span frames).
 */
final class PartitionDirectory {
  private final int[] offset;
  private final int[] rawLength;
  private final byte[] codec;
  private final long[] maxMsn;
  private final int[] count;
  private final int[] rangeCount;
  private final int[] pointFrames;
  private final int[] frameStart; // n + 1 entries
  private final int[] frameOffset; // in the block
  private final int[] frameCompressed;
  private final int[] frameRaw;
  private final int[] frameCrc;
  private final int[] frameKeyOff; // frames + 1 entries into keys
  private final byte[] keys;
  private final byte[] peeks;
  /** Per buffer, a filter over the point keys it was written with; null (or an entry null): none, always "maybe". */
  private final KeyFilter[] filters;
  /** Names this directory's frames in the off-heap tier; never reused ({@link FrameTier}). */
  final long frameOwner = FrameTier.newOwner();

  PartitionDirectory(int[] offset, int[] rawLength, byte[] codec, long[] maxMsn, int[] count,
      int[] rangeCount, int[] pointFrames, int[] frameStart, int[] frameOffset,
      int[] frameCompressed, int[] frameRaw, int[] frameCrc, int[] frameKeyOff, byte[] keys, KeyFilter[] filters) {
    this.offset = offset;
    this.rawLength = rawLength;
    this.codec = codec;
    this.maxMsn = maxMsn;
    this.count = count;
    this.rangeCount = rangeCount;
    this.pointFrames = pointFrames;
    this.frameStart = frameStart;
    this.frameOffset = frameOffset;
    this.frameCompressed = frameCompressed;
    this.frameRaw = frameRaw;
    this.frameCrc = frameCrc;
    this.frameKeyOff = frameKeyOff;
    this.keys = keys;
    this.peeks = new byte[offset.length];
    this.filters = filters;
  }

  /** Whether buffer {@code i} was written with a filter over its point keys ({@link BufferFilters}). */
  boolean hasFilter(int i) {
    return filters != null && filters[i] != null;
  }

  /**
   * Whether the point messages buffer {@code i} was written with may include {@code key} (false:
   * certainly not; true also when it has no filter). Says nothing of its range messages.
   */
  boolean pointsMayHold(int i, byte[] key) {
    KeyFilter f = filters == null ? null : filters[i];
    return f == null || f.mayContain(key);
  }

  /** Bytes of the buffers' filters (their bits). */
  long filterBytes() {
    long total = 0;
    if (filters != null) {
      for (KeyFilter f : filters) {
        total += f == null ? 0 : f.bytes().length;
      }
    }
    return total;
  }

  /**
   * Peeks of a partition, in multiples of its frame count, before it is fetched whole. Plain ski
   * rental would buy at 1×, but a partition fetched into a cache under pressure is usually evicted
   * before it pays back; measured on 5M random keys with a 64 MiB cache, reads ran at about 138k/s
   * with 1×, 129k/s with 2× and 177–215k/s with 4× (docs/design.md, "Frame peeks").
   */
  static final int RENT_FACTOR = 4;

  /**
   * Counts a frame peek of partition {@code i} and says whether it has now been peeked
   * {@link #RENT_FACTOR} times as often as it has frames: the reader should then fetch it whole
   * (rent-or-buy: keep paying a frame per query until the frames paid for add up to a few times
   * the whole partition, then buy it). The count then starts again, for the next time the
   * partition is evicted. Racy; a lost count only delays a fetch.
   */
  boolean notePeek(int i) {
    int frames = Math.min((frameStart[i + 1] - frameStart[i]) * RENT_FACTOR, 255);
    int seen = (peeks[i] & 0xFF) + 1;
    if (seen >= frames) {
      peeks[i] = 0;
      return true;
    }
    peeks[i] = (byte) seen;
    return false;
  }

  int partitions() {
    return offset.length;
  }

  int offset(int i) {
    return offset[i];
  }

  int compressedLength(int i) {
    int end = frameStart[i + 1];
    return end == frameStart[i] ? 0 : frameOffset[end - 1] + frameCompressed[end - 1] - offset[i];
  }

  int rawLength(int i) {
    return rawLength[i];
  }

  byte codec(int i) {
    return codec[i];
  }

  /** A basement's max MSN (0 for buffers). */
  long maxMsn(int i) {
    return maxMsn[i];
  }

  /** Entries of a basement, or point messages of a buffer. */
  int count(int i) {
    return count[i];
  }

  /** Range messages of a buffer (0 for basements). */
  int rangeCount(int i) {
    return rangeCount[i];
  }

  int firstFrame(int i) {
    return frameStart[i];
  }

  int frameEnd(int i) {
    return frameStart[i + 1];
  }

  int pointFrameEnd(int i) {
    return frameStart[i] + pointFrames[i];
  }

  int frameOffset(int f) {
    return frameOffset[f];
  }

  int frameCompressed(int f) {
    return frameCompressed[f];
  }

  int frameRaw(int f) {
    return frameRaw[f];
  }

  int frameCrc(int f) {
    return frameCrc[f];
  }

  /** The first key of frame {@code f} (a copy). */
  byte[] firstKey(int f) {
    return Arrays.copyOfRange(keys, frameKeyOff[f], frameKeyOff[f + 1]);
  }

  /** Compares the first key of frame {@code f} with {@code key[off, off + len)}. */
  int compareFirstKey(int f, byte[] key, int off, int len) {
    return Arrays.compareUnsigned(keys, frameKeyOff[f], frameKeyOff[f + 1], key, off, off + len);
  }

  /** Compares the first key of frame {@code f} with {@code key}. */
  int compareFirstKey(int f, byte[] key) {
    return compareFirstKey(f, key, 0, key.length);
  }

  /**
   * Where {@code key} lies between the first keys of frames {@code f} and {@code f + 1} of one
   * partition, as a fraction in [0, 1]: 0 at or below frame f's first key, 1 at or above the next
   * one's, else by linear interpolation of the 7 bytes after the two keys' common prefix. For keys
   * spread evenly it is about the share of frame f's records below {@code key} ({@link ChunkFrames}
   * reads one frame fewer when the rest of frame f holds a chunk's limit); a guess, never a bound.
   */
  double positionInFrame(int f, byte[] key) {
    int a = frameKeyOff[f];
    int aEnd = frameKeyOff[f + 1];
    int c = aEnd;
    int cEnd = frameKeyOff[f + 2];
    if (Arrays.compareUnsigned(keys, a, aEnd, key, 0, key.length) >= 0) {
      return 0;
    }
    if (Arrays.compareUnsigned(keys, c, cEnd, key, 0, key.length) <= 0) {
      return 1;
    }
    int common = Arrays.mismatch(keys, a, aEnd, keys, c, cEnd);
    if (common < 0) {
      return 0; // equal first keys (one key's messages spanning frames): nothing lies between
    }
    long lowBits = bits(keys, a + common, aEnd);
    long highBits = bits(keys, c + common, cEnd);
    long at = bits(key, common, key.length); // key shares the common prefix: it lies between the two
    if (highBits <= lowBits) {
      return 0;
    }
    return Math.min(1, Math.max(0, (at - lowBits) / (double) (highBits - lowBits)));
  }

  /** The 7 bytes of {@code b} from {@code from} (zeros past {@code end}) as a non-negative long. */
  private static long bits(byte[] b, int from, int end) {
    long v = 0;
    for (int j = 0; j < 7; j++) {
      v = v << 8 | (from + j < end ? b[from + j] & 0xFF : 0);
    }
    return v;
  }

  /**
   * The point frames of partition {@code i} that can hold records of {@code key}: from the last
   * frame whose first key is below it (records of the key may start at its end) to the last whose
   * first key is at most it ({@code unique}: keys occur once, as in a basement, so only that
   * last frame). Returns {@code from << 32 | to} (exclusive); empty if every frame starts above
   * the key.
   */
  long pointFramesFor(int i, byte[] key, boolean unique) {
    int lo = frameStart[i];
    int hi = pointFrameEnd(i);
    int firstAbove = lo; // first frame whose first key > key
    int firstAtOrAbove = lo; // first frame whose first key >= key
    int a = lo;
    int b = hi;
    while (a < b) {
      int m = (a + b) >>> 1;
      if (compareFirstKey(m, key) <= 0) {
        a = m + 1;
      } else {
        b = m;
      }
    }
    firstAbove = a;
    a = lo;
    b = firstAbove;
    while (a < b) {
      int m = (a + b) >>> 1;
      if (compareFirstKey(m, key) < 0) {
        a = m + 1;
      } else {
        b = m;
      }
    }
    firstAtOrAbove = a;
    int from = unique ? firstAbove - 1 : Math.max(lo, firstAtOrAbove - 1);
    int to = firstAbove;
    if (to <= from || from < lo) {
      return ((long) lo << 32) | lo;
    }
    return ((long) from << 32) | to;
  }

  long memoryBytes() {
    long f = 0;
    if (filters != null) {
      f = 16L + 8L * filters.length;
      for (KeyFilter k : filters) {
        f += k == null ? 0 : k.memoryBytes();
      }
    }
    return 160L + 30L * offset.length + 24L * frameOffset.length + keys.length + f;
  }
}
