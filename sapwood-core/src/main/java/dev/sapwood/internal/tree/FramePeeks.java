package dev.sapwood.internal.tree;

import dev.sapwood.internal.cache.FrameCache;
import dev.sapwood.internal.store.BlockFile;

/**
 * Frame peeks: what a point query or a cursor's chunk reads of a partition that is not resident —
 * only the frames that can hold its keys (docs/design.md, "Frame peeks"), read through {@link
 * PartitionReader} (every frame's CRC32C checked before it is decompressed, any failure a {@link
 * dev.sapwood.CorruptionException} naming the file, block and offset). What a peek returns is for
 * the read in progress only: its frames sit in arrays lent for that read ({@link PeekArrays}).
 */
final class FramePeeks {
  private FramePeeks() {}

  /**
   * The entry of {@code key} in basement {@code i}, as a basement of that one entry or none ({@link
   * EntryPeek}: only the frame whose key range covers it is read). Not a whole basement: use it
   * for this key's lookup only. Carries the basement's max MSN.
   */
  static Basement peekBasement(BlockFile file, long block, PartitionDirectory dir, int i, byte[] key) {
    return peekBasement(file, null, block, dir, i, key);
  }

  /**
   * As {@link #peekBasement(BlockFile, long, PartitionDirectory, int, byte[])}, taking the frame from
   * {@code tier} if it holds it. A basement peek puts no frame in the tier (nor does {@link
   * #peekBasementFrames}): the off-heap tier is kept for message frames (buffers' and leaf
   * deltas'), which every read of their key range consults. Beyond the cache at 20M keys a seek
   * read a basement frame, a delta frame and, four times in ten, a buffer frame, from about 1.3
   * GiB, 280 MiB and 175 MiB of them, so a message frame kept is three to five times likelier to
   * be read again per byte; peeked basement frames going in too pushed them out of the FIFO ring
   * (2.72 → 2.47 file reads per seek without them; docs/benchmarks.md, "Reads that allocate what
   * they return"). A basement's frames still come in when it is fetched whole or written.
   */
  static Basement peekBasement(BlockFile file, FrameCache tier, long block, PartitionDirectory dir, int i, byte[] key) {
    return EntryPeek.peek(file, tier, block, dir, i, key);
  }

  /**
   * The entries of frames {@code [from, to)} of basement {@code i} (contiguous, within it): the
   * part of a basement a cursor's chunk reads when the basement is not resident. Carries the
   * basement's max MSN.
   */
  static Basement peekBasementFrames(BlockFile file, FrameCache tier, long block, PartitionDirectory dir, int i, int from, int to) {
    if (from < dir.firstFrame(i) || to > dir.frameEnd(i) || from > to) {
      throw new IllegalArgumentException("frames [" + from + ", " + to + ") are not in basement " + i);
    }
    int rawLen = (int) PartitionReader.rawLength(file, block, dir, from, to);
    byte[] raw = peekRaw(file, tier, block, dir, from, to, rawLen, false); // basement frames: not admitted
    return PartitionParsers.parseEntries(file, block, dir, from, raw, rawLen, dir.maxMsn(i), PeekArrays.takeInts(rawLen / 64));
  }

  /**
   * The messages of buffer {@code i} that may concern {@code key}: the point messages of the
   * frames that can hold it and every range message. Not a whole buffer: use it for this key's
   * lookup only.
   */
  static MessageBuffer peekBuffer(BlockFile file, long block, PartitionDirectory dir, int i, byte[] key) {
    return peekBuffer(file, null, block, dir, i, key);
  }

  static MessageBuffer peekBuffer(BlockFile file, FrameCache tier, long block, PartitionDirectory dir, int i, byte[] key) {
    long span = dir.pointFramesFor(i, key, false);
    return peekFrames(file, tier, block, dir, i, (int) (span >>> 32), (int) span);
  }

  /**
   * Only the range messages of buffer {@code i}: what a get needs of it when the buffer's filter
   * rules its key out of the point messages ({@link BufferFilters}).
   */
  static MessageBuffer peekBufferRanges(BlockFile file, FrameCache tier, long block, PartitionDirectory dir, int i) {
    int p = dir.pointFrameEnd(i);
    return peekFrames(file, tier, block, dir, i, p, p);
  }

  /**
   * Like {@link #peekBuffer}, for the keys of {@code [from, to)} (null: unbounded): the point frames
   * that can hold records of those keys, and every range message. What a cursor's chunk needs of
   * a buffer that is not resident, instead of the whole partition.
   */
  static MessageBuffer peekBufferRange(BlockFile file, FrameCache tier, long block, PartitionDirectory dir, int i, byte[] from, byte[] to) {
    int first = from == null ? dir.firstFrame(i) : (int) (dir.pointFramesFor(i, from, false) >>> 32);
    int end = to == null ? dir.pointFrameEnd(i) : (int) dir.pointFramesFor(i, to, false);
    return peekFrames(file, tier, block, dir, i, first, Math.max(first, end));
  }

  /** Point frames {@code [from, to)} of partition {@code i} and its range frames, parsed into one buffer. */
  private static MessageBuffer peekFrames(BlockFile file, FrameCache tier, long block, PartitionDirectory dir, int i, int from, int to) {
    int pointsLen = (int) PartitionReader.rawLength(file, block, dir, from, to);
    byte[] points = peekRaw(file, tier, block, dir, from, to, pointsLen, true);
    int[] list = PeekArrays.takeInts(pointsFor(dir, i, pointsLen));
    MessageBuffer buf = MessageBuffer.over(points, pointsLen, list, PeekArrays.takePrefixes(list.length));
    PartitionParsers.parseMessages(file, block, dir, from, points, 0, pointsLen, false, buf, true);
    if (dir.rangeCount(i) > 0) {
      int rangeFrom = dir.pointFrameEnd(i);
      int rangesLen = (int) PartitionReader.rawLength(file, block, dir, rangeFrom, dir.frameEnd(i));
      byte[] ranges = peekRaw(file, tier, block, dir, rangeFrom, dir.frameEnd(i), rangesLen, true);
      PartitionParsers.parseMessages(file, block, dir, rangeFrom, ranges, 0, rangesLen, true, buf, false);
    }
    return buf;
  }

  /**
   * About how many point messages {@code rawLen} bytes of partition {@code i}'s point frames hold:
   * its count in proportion to its raw length, a quarter more (a list outgrowing it doubles); never
   * more than the bytes could hold, whatever the directory says (it is checked as they are parsed).
   */
  private static int pointsFor(PartitionDirectory dir, int i, int rawLen) {
    long count = Math.max(0, dir.count(i));
    long est = count * rawLen / Math.max(1, dir.rawLength(i));
    return (int) Math.min(rawLen / (MessageArena.HEADER + 4), Math.min(count, est + (est >> 2) + 8));
  }

  /**
   * Frames {@code [from, to)} of {@code rawLen} raw bytes ({@link PartitionReader#rawLength}), verified and
   * decompressed for a peek into the start of an array lent for the read in progress ({@link
   * PeekArrays}; longer than {@code rawLen}), or of a fresh one outside a read's scope or past
   * {@link PeekArrays#MAX}. What is parsed of it must not outlive the read.
   */
  private static byte[] peekRaw(BlockFile file, FrameCache tier, long block, PartitionDirectory dir, int from, int to, int rawLen,
      boolean admit) {
    if (from == to) {
      return new byte[0];
    }
    byte[] raw = rawLen <= PeekArrays.MAX ? PeekArrays.take(rawLen) : new byte[PartitionReader.firstGuess(dir, from, to, rawLen)];
    return PartitionReader.readFrames(file, tier, block, dir, from, to, raw, rawLen, admit);
  }
}
