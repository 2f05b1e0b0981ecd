package dev.sapwood.internal.tree;

import dev.sapwood.Limits;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.util.BigEndian;
import dev.sapwood.internal.util.BoundedReader;
import dev.sapwood.internal.util.Checksums;

/**
 * The codec of a leaf's delta index block (format 8; docs/format/node.md, "Delta segments"): the
 * block the leaf's header names, listing the leaf's immutable delta segments oldest first, each
 * with its block number, sizes, point-key span and {@link KeyFilter}. The index is the only part of
 * a delta rewritten when a segment is added or the segments are consolidated; it is small (a few
 * KiB: mostly the filters).
 *
 * <pre>
 * DeltaIndex := magic u32 "SWDX", length u32, leaf u64, count u16, Segment{count}, crc u32
 * Segment    := block u64, maxMsn u64, rawBytes u32, points u32, ranges u32,
 *               minKeyLength u16, minKey, maxKeyLength u16, maxKey, hashes u8, filterLength u32, filter
 * </pre>
 *
 * <p>A block named by a leaf that holds a format-6 delta (magic {@code SWDL}: one delta written in
 * place) reads as one segment in that same block, without a filter; the leaf consolidates it at
 * its next flush ({@link LeafDeltas#shouldAppend}) and then writes an index there.
 */
final class DeltaIndex {
  private DeltaIndex() {}

  /** "SWDX". */
  static final int MAGIC = 0x53574458;
  /** magic, length, leaf, count. */
  static final int FIXED = 4 + 4 + 8 + 2;
  /** A segment entry's bytes besides its keys and filter. */
  static final int ENTRY_FIXED = 8 + 8 + 4 + 4 + 4 + 2 + 2 + 1 + 4;
  /** Most segments a reader accepts (the writer keeps at most {@link LeafDeltas#MAX_SEGMENTS}). */
  static final int MAX_SEGMENTS = 64;
  /** Largest index block a reader accepts. */
  static final int MAX_BYTES = FIXED + 4 + MAX_SEGMENTS * (ENTRY_FIXED + 2 * Limits.MAX_KEY_SIZE + KeyFilter.MAX_BYTES);

  /** Serializes the index of leaf {@code leaf} listing {@code segs}. */
  static byte[] write(long leaf, DeltaSegment[] segs) {
    int len = FIXED + 4;
    for (DeltaSegment s : segs) {
      len += ENTRY_FIXED + s.minKey.length + s.maxKey.length + s.filter.bytes().length;
    }
    byte[] out = new byte[len];
    BigEndian.putInt(out, 0, MAGIC);
    BigEndian.putInt(out, 4, len);
    BigEndian.putLong(out, 8, leaf);
    BigEndian.putU16(out, 16, segs.length);
    int at = FIXED;
    for (DeltaSegment s : segs) {
      BigEndian.putLong(out, at, s.block);
      BigEndian.putLong(out, at + 8, s.maxMsn);
      BigEndian.putInt(out, at + 16, s.rawBytes);
      BigEndian.putInt(out, at + 20, s.points);
      BigEndian.putInt(out, at + 24, s.ranges);
      at += 28;
      at = putKey(out, at, s.minKey);
      at = putKey(out, at, s.maxKey);
      out[at] = (byte) s.filter.hashes();
      byte[] f = s.filter.bytes();
      BigEndian.putInt(out, at + 1, f.length);
      System.arraycopy(f, 0, out, at + 5, f.length);
      at += 5 + f.length;
    }
    BigEndian.putInt(out, at, Checksums.crc32c(out, 0, at));
    return out;
  }

  private static int putKey(byte[] out, int at, byte[] key) {
    BigEndian.putU16(out, at, key.length);
    System.arraycopy(key, 0, out, at + 2, key.length);
    return at + 2 + key.length;
  }

  /**
   * Reads and checks the delta index {@code block} of leaf {@code leaf}: its segments, oldest
   * first. Anything amiss is a CorruptionException naming the file and offset.
   */
  static DeltaSegment[] read(BlockFile file, long block, long leaf) {
    int size = file.storedBlockSize(block, "the delta index of leaf " + leaf);
    if (size < FIXED + 4 || size > MAX_BYTES) {
      throw NodeReader.corrupt(file, block, 0, "delta index of " + size + " bytes (leaf " + leaf + ")");
    }
    byte[] magic = new byte[4];
    file.readBlock(block, 0, magic, 0, 4);
    if (BigEndian.getInt(magic, 0) == NodeFormat.DELTA_MAGIC) {
      DeltaSegment s = legacy(file, block, leaf);
      return s == null ? new DeltaSegment[0] : new DeltaSegment[] {s};
    }
    byte[] b = file.readBlock(block);
    BoundedReader r = new BoundedReader(b, 0, b.length);
    try {
      if (r.i32("magic") != MAGIC) {
        throw NodeReader.corrupt(file, block, 0, "bad delta index magic (the delta of leaf " + leaf + ")");
      }
      if (r.i32("length") != size) {
        throw NodeReader.corrupt(file, block, 4, "delta index length does not match its block of " + size + " bytes");
      }
      if (Checksums.crc32c(b, 0, size - 4) != BigEndian.getInt(b, size - 4)) {
        throw NodeReader.corrupt(file, block, size - 4, "delta index checksum mismatch");
      }
      r = new BoundedReader(b, 8, size - 12);
      long owner = r.i64("leaf");
      if (owner != leaf) {
        throw r.error("delta index of leaf " + owner + ", reached from leaf " + leaf);
      }
      int count = r.u16("segment count");
      if (count > MAX_SEGMENTS) {
        throw r.error(count + " delta segments");
      }
      DeltaSegment[] segs = new DeltaSegment[count];
      for (int i = 0; i < count; i++) {
        segs[i] = entry(r, block, leaf, segs, i);
      }
      if (r.remaining() != 0) {
        throw r.error(r.remaining() + " bytes after the last delta segment");
      }
      return segs;
    } catch (BoundedReader.FormatException e) {
      throw NodeReader.corrupt(file, block, e.position() + 8L, e.getMessage());
    }
  }

  private static DeltaSegment entry(BoundedReader r, long index, long leaf, DeltaSegment[] before, int i) {
    long seg = r.i64("segment block");
    if (seg <= 0 || seg == index || seg == leaf) {
      throw r.error("bad segment block number " + seg);
    }
    for (int j = 0; j < i; j++) {
      if (before[j].block == seg) {
        throw r.error("segment block " + seg + " listed twice");
      }
    }
    long maxMsn = r.i64("segment max msn");
    int raw = r.length("segment raw bytes", NodeFormat.MAX_RAW_PARTITION);
    int points = r.length("segment point count", raw / NodeFormat.MIN_MESSAGE);
    int ranges = r.length("segment range count", raw / NodeFormat.MIN_MESSAGE);
    if (points + ranges == 0) {
      throw r.error("empty delta segment " + seg);
    }
    byte[] lo = key(r, "min key");
    byte[] hi = key(r, "max key");
    if (points == 0 ? lo.length + hi.length != 0 : Keys.compare(lo, hi) > 0) {
      throw r.error("segment " + seg + ": key span out of order or set without point messages");
    }
    int hashes = r.u8("filter hashes");
    int flen = r.length("filter length", KeyFilter.MAX_BYTES);
    if (hashes < 1 || hashes > KeyFilter.MAX_HASHES || flen == 0) {
      throw r.error("segment " + seg + ": filter of " + flen + " bytes with " + hashes + " hashes");
    }
    KeyFilter filter = new KeyFilter(r.bytes(flen, "filter"), hashes);
    return new DeltaSegment(seg, maxMsn, raw, points, ranges, lo, hi, filter);
  }

  private static byte[] key(BoundedReader r, String what) {
    int len = r.u16(what + " length");
    if (len > Limits.MAX_KEY_SIZE) {
      throw r.error(what + " of " + len + " bytes");
    }
    return r.bytes(len, what);
  }

  /** A format-6 delta written in place: one segment in the named block itself, no filter. */
  private static DeltaSegment legacy(BlockFile file, long block, long leaf) {
    PartitionDirectory d = NodeReader.readDelta(file, block, leaf);
    if (d.count(0) + d.rangeCount(0) == 0) {
      return null; // an empty format-6 delta: no segment
    }
    DeltaSegment s = new DeltaSegment(block, Long.MAX_VALUE, d.rawLength(0), d.count(0), d.rangeCount(0),
        new byte[0], new byte[0], null);
    s.dir = d;
    return s;
  }
}
