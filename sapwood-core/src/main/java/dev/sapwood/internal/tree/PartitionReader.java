package dev.sapwood.internal.tree;

import dev.sapwood.internal.cache.FrameCache;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.util.ArrayPool;
import dev.sapwood.internal.util.Checksums;
import dev.sapwood.internal.util.Compressors;
import dev.sapwood.internal.util.ThreadScratch;

/**
 * Reads the partitions of a clean node from its block, following its {@link PartitionDirectory}:
 * a whole partition (to make it resident: the partial fetch), or, for {@link FramePeeks}, only
 * the frames a query needs (a few KiB read and decompressed instead of a whole basement or
 * buffer). Every frame's CRC32C is checked before it is decompressed, every
 * length inside it before use; any failure is a {@link dev.sapwood.CorruptionException} naming
 * the file, block and offset.
 *
 * <p>Each method takes the off-heap tier of frames ({@link FrameCache}; null: none, as in the
 * overloads without it): a frame found there is not read from the file, and a frame read from the
 * file is put there once its checksum is verified. What the tier holds came from verified reads
 * or from this process's own writes, under a key that names one image ({@link FrameTier}).
 */
final class PartitionReader {
  private PartitionReader() {}

  /**
   * Arrays for compressed reads: one read of up to {@link #READ_CHUNK} bytes (a whole partition of
   * a default node) at a time, lent for the read and its decompression and given back after it;
   * four kept, 2 MiB at most.
   */
  private static final ArrayPool SCRATCH = new ArrayPool(8 << 10, 1 << 20, 4, 2 << 20);


  /** Reads, verifies and decodes basement {@code i} of a clean leaf. */
  static Basement readBasement(BlockFile file, long block, PartitionDirectory dir, int i) {
    return readBasement(file, null, block, dir, i);
  }

  static Basement readBasement(BlockFile file, FrameCache tier, long block, PartitionDirectory dir, int i) {
    byte[] raw = readFrames(file, tier, block, dir, dir.firstFrame(i), dir.frameEnd(i));
    Basement b = PartitionParsers.parseEntries(file, block, dir, dir.firstFrame(i), raw, dir.maxMsn(i));
    if (b.count() != dir.count(i)) {
      throw NodeReader.corrupt(file, block, dir.offset(i), "basement " + i + " holds " + b.count() + " entries, its directory says " + dir.count(i));
    }
    return b;
  }

  /** Reads, verifies and decodes buffer {@code i} of a clean internal node. */
  static MessageBuffer readBuffer(BlockFile file, long block, PartitionDirectory dir, int i) {
    return readBuffer(file, null, block, dir, i);
  }

  /**
   * As {@link #decodeBuffer}, a buffer of a block or more is decompressed into a lent array, its
   * records copied into pooled blocks and the array given back (the tier holds copies of the
   * compressed frames); a smaller one keeps its frames as its arena (design.md, "Fetched buffers").
   */
  static MessageBuffer readBuffer(BlockFile file, FrameCache tier, long block, PartitionDirectory dir, int i) {
    int from = dir.firstFrame(i);
    int to = dir.frameEnd(i);
    long rawLen = from == to ? 0 : rawLength(file, block, dir, from, to);
    if (rawLen < ArenaBlocks.BLOCK || rawLen > DECODED_LIMIT) {
      return parseBuffer(file, block, dir, i, readFrames(file, tier, block, dir, from, to));
    }
    byte[] raw = readFrames(file, tier, block, dir, from, to, DECODED.take(firstGuess(dir, from, to, rawLen)), rawLen);
    MessageBuffer buf = parseBuffer(file, block, dir, i, raw, (int) rawLen, false);
    DECODED.give(raw); // grown or not: the records were copied out of it
    return buf;
  }

  /**
   * Decodes buffer {@code i} of a node image held in memory ({@code image}, laid out as {@code
   * dir} says: a parked dirty node's), each frame's checksum verified before it is decompressed.
   */
  static MessageBuffer decodeBuffer(BlockFile file, long block, PartitionDirectory dir, int i, byte[] image) {
    int from = dir.firstFrame(i);
    int to = dir.frameEnd(i);
    long rawLen = rawLength(file, block, dir, from, to);
    // A buffer of a block or more is decompressed into a lent array and its records copied into
    // blocks from the pool (those a parked node gave back when it left the heap), so a parked node
    // loaded back allocates little; a smaller one keeps its decompressed frames as its arena.
    boolean inBlocks = rawLen >= ArenaBlocks.BLOCK && rawLen <= DECODED_LIMIT;
    byte[] raw = inBlocks ? DECODED.take((int) rawLen) : new byte[(int) rawLen];
    int rawAt = 0;
    for (int f = from; f < to; f++) {
      int at = dir.frameOffset(f);
      int len = dir.frameCompressed(f);
      if (at + (long) len > image.length || Checksums.crc32c(image, at, len) != dir.frameCrc(f)) {
        throw NodeReader.corrupt(file, block, at, "frame checksum mismatch");
      }
      raw = decompress(file, block, dir, f, image, at, len, raw, rawAt, rawLen);
      rawAt += dir.frameRaw(f);
    }
    if (!inBlocks) {
      return parseBuffer(file, block, dir, i, raw);
    }
    MessageBuffer buf = parseBuffer(file, block, dir, i, raw, rawAt, false);
    DECODED.give(raw);
    return buf;
  }

  /** Largest decoded buffer copied into blocks ({@link #decodeBuffer}); a larger one keeps its own array. */
  private static final int DECODED_LIMIT = 2 << 20;

  /** Arrays a parked buffer is decompressed into before its records are copied into blocks: two kept, 2 MiB at most. */
  private static final ArrayPool DECODED = new ArrayPool(64 << 10, DECODED_LIMIT, 2, 2 << 20);

  /** Buffer {@code i} from its frames' decompressed bytes, checked against its directory entry. */
  private static MessageBuffer parseBuffer(BlockFile file, long block, PartitionDirectory dir, int i, byte[] raw) {
    return parseBuffer(file, block, dir, i, raw, raw.length, true);
  }

  /**
   * Buffer {@code i} from {@code raw[0, rawLen)}, its frames' decompressed bytes: indexed where they
   * are ({@code inPlace}: the array becomes the buffer's arena), or copied record by record into a
   * buffer whose arena is blocks from the pool (the array stays the caller's).
   */
  private static MessageBuffer parseBuffer(BlockFile file, long block, PartitionDirectory dir, int i, byte[] raw,
      int rawLen, boolean inPlace) {
    int pointBytes = 0;
    for (int f = dir.firstFrame(i); f < dir.pointFrameEnd(i); f++) {
      pointBytes += dir.frameRaw(f);
    }
    MessageBuffer buf = inPlace ? MessageBuffer.over(raw, dir.count(i), dir.rangeCount(i))
        : MessageBuffer.inBlocks(dir.count(i), dir.rangeCount(i), rawLen);
    PartitionParsers.parseMessages(file, block, dir, dir.firstFrame(i), raw, 0, pointBytes, false, buf, inPlace);
    PartitionParsers.parseMessages(file, block, dir, dir.pointFrameEnd(i), raw, pointBytes, rawLen, true, buf, inPlace);
    if (buf.pointCount() != dir.count(i) || buf.rangeCount() != dir.rangeCount(i)) {
      throw NodeReader.corrupt(file, block, dir.offset(i), "buffer " + i + " holds " + buf.pointCount() + "+" + buf.rangeCount() + " messages, its directory says " + dir.count(i) + "+" + dir.rangeCount(i));
    }
    return buf;
  }

  /** Largest read of several frames at once; a larger frame is read alone. */
  private static final int READ_CHUNK = 1 << 20;

  /**
   * The raw bytes of frames {@code [from, to)} by the directory, refused past {@link
   * NodeFormat#MAX_RAW_PARTITION} before anything is allocated for them.
   */
  static long rawLength(BlockFile file, long block, PartitionDirectory dir, int from, int to) {
    long rawLen = 0;
    for (int f = from; f < to; f++) {
      rawLen += dir.frameRaw(f);
    }
    if (rawLen > NodeFormat.MAX_RAW_PARTITION) {
      throw NodeReader.corrupt(file, block, dir.frameOffset(from), "frames of " + rawLen + " raw bytes");
    }
    return rawLen;
  }

  /**
   * Reads frames {@code [from, to)} (contiguous in the block), verified and decompressed, with one
   * read per run of frames up to {@link #READ_CHUNK} bytes (a whole partition of a default node is
   * one read). No length from the directory is trusted for an allocation: each frame's checksum is
   * verified and its raw length checked against what its bytes can decompress to ({@link
   * Compressors#maxDecompressedLength}) before room is made for it, and the output grows with the
   * frames actually decompressed, so memory follows verified data.
   */
  private static byte[] readFrames(BlockFile file, FrameCache tier, long block, PartitionDirectory dir, int from, int to) {
    if (from == to) {
      return new byte[0];
    }
    long rawLen = rawLength(file, block, dir, from, to);
    return readFrames(file, tier, block, dir, from, to, new byte[firstGuess(dir, from, to, rawLen)], rawLen);
  }

  /** A first guess at frames {@code [from, to)}'s output (4x the first read), grown as frames are verified. */
  static int firstGuess(PartitionDirectory dir, int from, int to, long rawLen) {
    long compLen = (long) dir.frameOffset(to - 1) + dir.frameCompressed(to - 1) - dir.frameOffset(from);
    return (int) Math.min(rawLen, Math.max(Math.min(compLen, READ_CHUNK) * 4, 64 << 10));
  }

  /**
   * {@link #readFrames} into {@code raw} from its start, grown as the frames need (to at most
   * {@code rawLen}, their raw length by the directory); returns the array holding them.
   */
  static byte[] readFrames(BlockFile file, FrameCache tier, long block, PartitionDirectory dir, int from, int to,
      byte[] raw, long rawLen) {
    return readFrames(file, tier, block, dir, from, to, raw, rawLen, true);
  }

  /**
   * As {@link #readFrames(BlockFile, FrameCache, long, PartitionDirectory, int, int, byte[], long)};
   * frames read from the file are put in the tier only if {@code admit} (a basement peek's are not:
   * {@code Partitions.basementFor}).
   */
  static byte[] readFrames(BlockFile file, FrameCache tier, long block, PartitionDirectory dir, int from, int to,
      byte[] raw, long rawLen, boolean admit) {
    int rawAt = 0;
    int f = from;
    while (f < to) {
      if (tier != null) {
        int len = dir.frameCompressed(f);
        byte[] comp = SCRATCH.take(len);
        long key = FrameTier.key(dir, f);
        boolean hit = key >= 0 && tier.get(key, comp, 0, len);
        if (hit) {
          raw = decompress(file, block, dir, f, comp, 0, len, raw, rawAt, rawLen);
          rawAt += dir.frameRaw(f++);
        }
        SCRATCH.give(comp);
        if (hit) {
          continue;
        }
      }
      int chunkStart = dir.frameOffset(f);
      int end = f + 1;
      while (end < to && (long) dir.frameOffset(end) + dir.frameCompressed(end) - chunkStart <= READ_CHUNK
          && (tier == null || !tier.contains(FrameTier.key(dir, end)))) {
        end++;
      }
      int chunkLen = dir.frameOffset(end - 1) + dir.frameCompressed(end - 1) - chunkStart;
      byte[] comp = SCRATCH.take(chunkLen); // given back after this chunk's frames are decompressed
      file.readBlock(block, chunkStart, comp, 0, chunkLen);
      for (; f < end; f++) {
        int at = dir.frameOffset(f) - chunkStart;
        int len = dir.frameCompressed(f);
        if (Checksums.crc32c(comp, at, len) != dir.frameCrc(f)) {
          throw NodeReader.corrupt(file, block, dir.frameOffset(f), "frame checksum mismatch");
        }
        raw = decompress(file, block, dir, f, comp, at, len, raw, rawAt, rawLen);
        rawAt += dir.frameRaw(f);
        long key = tier == null || !admit ? -1 : FrameTier.key(dir, f);
        if (key >= 0) {
          tier.put(key, comp, at, len); // verified above
        }
      }
      SCRATCH.give(comp);
    }
    return raw;
  }

  /**
   * Frame {@code f}, verified and decompressed into an array of {@code out} (the thread's until its
   * next take from it; {@code dir.frameRaw(f)} bytes of it are the frame): from the off-heap tier
   * if it holds the frame, else read from the file, its checksum checked and then put in the tier
   * if {@code admit}. What a point query reads of a partition that is not resident, without an
   * array of its own.
   */
  static byte[] readFrame(BlockFile file, FrameCache tier, long block, PartitionDirectory dir, int f, ThreadScratch out,
      boolean admit) {
    int len = dir.frameCompressed(f);
    byte[] comp = SCRATCH.take(len); // given back once the frame is decompressed
    long key = tier == null ? -1 : FrameTier.key(dir, f);
    if (key < 0 || !tier.get(key, comp, 0, len)) {
      file.readBlock(block, dir.frameOffset(f), comp, 0, len);
      if (Checksums.crc32c(comp, 0, len) != dir.frameCrc(f)) {
        throw NodeReader.corrupt(file, block, dir.frameOffset(f), "frame checksum mismatch");
      }
      if (key >= 0 && admit) {
        tier.put(key, comp, 0, len); // verified above
      }
    }
    byte codec = dir.codec(partitionOf(dir, f));
    int frameRaw = checkedRawLength(file, block, dir, f, codec, comp, 0, len);
    byte[] raw = out.take(frameRaw);
    decompressInto(file, block, dir, f, codec, comp, 0, len, raw, 0);
    SCRATCH.give(comp);
    return raw;
  }

  /**
   * Frame {@code f} of a node image held in memory ({@code image}, laid out as {@code dir} says),
   * its checksum verified, decompressed into an array of {@code out} ({@code dir.frameRaw(f)} bytes
   * of it are the frame; the thread's until its next take from it).
   */
  static byte[] imageFrame(BlockFile file, long block, PartitionDirectory dir, int f, byte[] image, ThreadScratch out) {
    int at = dir.frameOffset(f);
    int len = dir.frameCompressed(f);
    if (at + (long) len > image.length || Checksums.crc32c(image, at, len) != dir.frameCrc(f)) {
      throw NodeReader.corrupt(file, block, at, "frame checksum mismatch");
    }
    byte codec = dir.codec(partitionOf(dir, f));
    byte[] raw = out.take(checkedRawLength(file, block, dir, f, codec, image, at, len));
    decompressInto(file, block, dir, f, codec, image, at, len, raw, 0);
    return raw;
  }

  /**
   * Decompresses frame {@code f} ({@code comp[at, at + len)}) into {@code raw} at {@code rawAt},
   * growing it (up to {@code rawLen}) if need be; the array the frame is in.
   */
  private static byte[] decompress(BlockFile file, long block, PartitionDirectory dir, int f,
      byte[] comp, int at, int len, byte[] raw, int rawAt, long rawLen) {
    byte codec = dir.codec(partitionOf(dir, f));
    int frameRaw = checkedRawLength(file, block, dir, f, codec, comp, at, len);
    if (rawAt + frameRaw > raw.length) {
      raw = java.util.Arrays.copyOf(raw, (int) Math.min(rawLen, Math.max(rawAt + (long) frameRaw, 2L * raw.length)));
    }
    decompressInto(file, block, dir, f, codec, comp, at, len, raw, rawAt);
    return raw;
  }

  /**
   * Frame {@code f}'s raw length by the directory, once it is known that its bytes ({@code
   * comp[at, at + len)}) can decompress to that many ({@link Compressors#maxDecompressedLength}):
   * the check that comes before any room is made for a frame, so a damaged length allocates
   * nothing.
   */
  private static int checkedRawLength(BlockFile file, long block, PartitionDirectory dir, int f, byte codec,
      byte[] comp, int at, int len) {
    int frameRaw = dir.frameRaw(f);
    long most;
    try {
      most = Compressors.maxDecompressedLength(codec, comp, at, len);
    } catch (IllegalArgumentException e) {
      throw NodeReader.corrupt(file, block, dir.frameOffset(f), "frame: " + e.getMessage());
    }
    if (frameRaw > most) {
      throw NodeReader.corrupt(file, block, dir.frameOffset(f), "frame: " + len + " bytes cannot decompress to " + frameRaw);
    }
    return frameRaw;
  }

  /** Decompresses frame {@code f} ({@code comp[at, at + len)}, its raw length checked) into {@code raw} at {@code rawAt}. */
  private static void decompressInto(BlockFile file, long block, PartitionDirectory dir, int f, byte codec,
      byte[] comp, int at, int len, byte[] raw, int rawAt) {
    try {
      Compressors.decompress(codec, comp, at, len, raw, rawAt, dir.frameRaw(f));
    } catch (IllegalArgumentException e) {
      throw NodeReader.corrupt(file, block, dir.frameOffset(f), "frame: " + e.getMessage());
    }
  }

  static int partitionOf(PartitionDirectory dir, int frame) {
    int lo = 0;
    int hi = dir.partitions() - 1;
    while (lo < hi) {
      int m = (lo + hi + 1) >>> 1;
      if (dir.firstFrame(m) <= frame) {
        lo = m;
      } else {
        hi = m - 1;
      }
    }
    return lo;
  }
}
