package dev.sapwood.internal.tree;

import dev.sapwood.internal.util.ArrayPool;
import dev.sapwood.internal.util.BigEndian;
import dev.sapwood.internal.util.Checksums;
import dev.sapwood.internal.util.Compressors;
import dev.sapwood.internal.util.ThreadScratch;

/**
 * Serializes a node into a block (layout in {@link NodeFormat}): each partition's records are cut
 * into frames of about {@link NodeFormat#FRAME_TARGET} raw bytes at record boundaries, and each
 * frame is compressed and checksummed on its own, so that a partition can later be fetched alone
 * and a point query can read a single frame of it. A partition whose compression does not pay is
 * stored as it is ({@link #framePartition}).
 */
final class NodeWriter {
  private NodeWriter() {}

  /**
   * A serialized node: its block bytes {@code block[0, length)} and where each partition and frame
   * lies in them. From {@link #write(Node, byte)} and {@link #writeDelta} the array is the
   * caller's and exactly {@code length} long; from the {@code Shared} variants it is lent by a
   * pool ({@link ArrayPool}): written to the file and copied to the frame tier at once, never
   * kept, and then given back with {@link #giveBack}.
   */
  record Result(byte[] block, int length, PartitionDirectory directory) {}

  /** Frames of a buffer gathered record by record before compression: one frame at a time. */
  private static final ThreadScratch FRAME = new ThreadScratch(16 << 10, 4 << 20, 1 << 20);

  /**
   * Node images assembled by the {@code Shared} variants: lent to whichever thread serializes a
   * node (the writer's and the flusher's clock parking, the checkpoint) and given back after the
   * write: two kept, 3 MiB at most (two images of a default node).
   */
  private static final ArrayPool IMAGE = new ArrayPool(64 << 10, 4 << 20, 2, 3 << 20);

  /** Gives back the image of a {@code Shared} variant's result, written and copied, no longer read. */
  static void giveBack(Result shared) {
    IMAGE.give(shared.block());
  }

  /**
   * One partition before layout: its counts, its frames {@code [firstFrame, endFrame)} and their
   * codec (the node's, or {@link Compressors#NONE} where compressing did not pay).
   */
  private static final class Framed {
    byte codec;
    long maxMsn;
    int count;
    int rangeCount;
    int pointFrames;
    int rawLength;
    int firstFrame;
    int endFrame;
  }

  /** Serializes {@code node}; every partition must be in memory (a leaf's delta need not be). */
  static Result write(Node node, byte codec) {
    return write(node, codec, true, false);
  }

  /** {@link #write(Node, byte)} into this thread's scratch (see {@link Result}). */
  static Result writeShared(Node node, byte codec) {
    return write(node, codec, true, true);
  }

  /**
   * {@link #writeShared} without an internal node's buffer filters: a parked image's, which {@link
   * ParkedFilters} completes if it is ever written to the file.
   */
  static Result writeSharedUnfiltered(Node node, byte codec) {
    return write(node, codec, false, true);
  }

  /**
   * {@link #write(Node, byte)}; {@code filters} false writes an internal node without its buffer
   * filters, as format 8 did (tests of older files).
   */
  static Result write(Node node, byte codec, boolean filters) {
    return write(node, codec, filters, false);
  }

  private static Result write(Node node, byte codec, boolean filters, boolean shared) {
    checkSize(node.key(), node.bytes());
    int n = node.n;
    Framed[] parts = new Framed[n];
    FrameList frames = new FrameList((int) Math.min(Integer.MAX_VALUE - 64, node.bytes() / 2 + 256));
    for (int i = 0; i < n; i++) {
      Framed p = new Framed();
      if (node.height == 0) {
        framePartition(node.basements[i], null, codec, p, frames);
      } else {
        framePartition(null, node.buffers[i], codec, p, frames);
      }
      parts[i] = p;
    }
    int heightField = node.height;
    long[] after = node.children;
    KeyFilter[] withFilters = null;
    if (node.height == 0 && node.deltaBlock != 0) {
      heightField = NodeFormat.HEIGHT_DELTA_FLAG;
      after = new long[] {node.deltaBlock};
    } else if (node.height > 0 && filters) {
      withFilters = BufferFilters.build(node.buffers, n);
      if (withFilters != null) {
        heightField |= NodeFormat.HEIGHT_FILTER_FLAG;
      }
    }
    return layout(node.key(), NodeFormat.MAGIC, heightField, node.maxMsn, node.pivots, after, parts, frames,
        withFilters, shared);
  }

  /**
   * Serializes a leaf's delta as a delta block (docs/format/node.md, "Delta blocks"): the node
   * grammar with magic {@code SWDL}, height 0, one buffer partition, no pivots, and the owning
   * leaf's block number where an internal node's children go.
   */
  static Result writeDelta(long deltaBlock, long leafBlock, MessageBuffer delta, byte codec) {
    return writeDelta(deltaBlock, leafBlock, delta, codec, false);
  }

  /** {@link #writeDelta(long, long, MessageBuffer, byte)} into this thread's scratch (see {@link Result}). */
  static Result writeDeltaShared(long deltaBlock, long leafBlock, MessageBuffer delta, byte codec) {
    return writeDelta(deltaBlock, leafBlock, delta, codec, true);
  }

  private static Result writeDelta(long deltaBlock, long leafBlock, MessageBuffer delta, byte codec, boolean shared) {
    checkSize(deltaBlock, delta.bytes());
    FrameList frames = new FrameList((int) Math.min(Integer.MAX_VALUE - 64, delta.bytes() / 2 + 256));
    Framed p = new Framed();
    framePartition(null, delta, codec, p, frames);
    return layout(deltaBlock, NodeFormat.DELTA_MAGIC, 0, delta.maxMsn(), new byte[0][], new long[] {leafBlock},
        new Framed[] {p}, frames, null, shared);
  }

  /**
   * Lays out a block: the fixed header, pivots, {@code after} (an internal node's children, a
   * leaf's delta block number, a delta block's leaf), the directory, an internal node's buffer
   * filters (null: none) and the frames; into this thread's scratch if {@code shared}.
   */
  private static Result layout(long block, int magic, int heightField, long maxMsn, byte[][] pivots, long[] after,
      Framed[] parts, FrameList frames, KeyFilter[] filters, boolean shared) {
    int n = parts.length;
    long headerLen = NodeFormat.FIXED_HEADER + 4;
    for (Framed p : parts) {
      headerLen += NodeFormat.DIR_ENTRY_FIXED + frames.headerBytes(p.firstFrame, p.endFrame);
    }
    for (int i = 0; i < n - 1; i++) {
      headerLen += 2 + pivots[i].length;
    }
    if (after != null) {
      headerLen += 8L * after.length;
    }
    if (filters != null) {
      headerLen += BufferFilters.headerBytes(filters);
    }
    long total = headerLen + frames.compressedBytes();
    if (total > Integer.MAX_VALUE - 64) {
      throw new IllegalStateException("node " + block + " too large to serialize: " + total);
    }
    byte[] out = shared ? IMAGE.take((int) total) : new byte[(int) total];
    BigEndian.putInt(out, 0, magic);
    BigEndian.putInt(out, 4, (int) headerLen);
    BigEndian.putU16(out, 8, heightField);
    BigEndian.putInt(out, 10, n);
    BigEndian.putLong(out, 14, maxMsn);
    int at = NodeFormat.FIXED_HEADER;
    for (int i = 0; i < n - 1; i++) {
      byte[] p = pivots[i];
      BigEndian.putU16(out, at, p.length);
      System.arraycopy(p, 0, out, at + 2, p.length);
      at += 2 + p.length;
    }
    if (after != null) {
      for (long v : after) {
        BigEndian.putLong(out, at, v);
        at += 8;
      }
    }
    DirectoryBuilder dir = new DirectoryBuilder(n, frames.size);
    int partAt = (int) headerLen;
    for (int i = 0; i < n; i++) {
      Framed p = parts[i];
      dir.partition(partAt, p.rawLength, p.codec, p.maxMsn, p.count, p.rangeCount, p.pointFrames);
      BigEndian.putInt(out, at, partAt);
      BigEndian.putInt(out, at + 4, p.rawLength);
      out[at + 8] = p.codec;
      BigEndian.putLong(out, at + 9, p.maxMsn);
      BigEndian.putInt(out, at + 17, p.count);
      BigEndian.putInt(out, at + 21, p.rangeCount);
      BigEndian.putInt(out, at + 25, p.endFrame - p.firstFrame);
      BigEndian.putInt(out, at + 29, p.pointFrames);
      at += NodeFormat.DIR_ENTRY_FIXED;
      for (int j = p.firstFrame; j < p.endFrame; j++) {
        int comp = frames.compressed[j];
        byte[] key = frames.firstKeys[j];
        BigEndian.putInt(out, at, comp);
        BigEndian.putInt(out, at + 4, frames.raw[j]);
        BigEndian.putInt(out, at + 8, frames.crc[j]);
        BigEndian.putU16(out, at + 12, key.length);
        System.arraycopy(key, 0, out, at + 14, key.length);
        at += NodeFormat.FRAME_ENTRY_FIXED + key.length;
        frames.copyTo(j, out, partAt);
        dir.frame(partAt, comp, frames.raw[j], frames.crc[j], key);
        partAt += comp;
      }
    }
    if (filters != null) {
      at = BufferFilters.write(out, at, filters);
      dir.filters(filters);
    }
    BigEndian.putInt(out, at, Checksums.crc32c(out, 0, at));
    frames.recycle();
    return new Result(out, (int) total, dir.build());
  }

  /**
   * Refuses a node larger than {@link NodeFormat#MAX_NODE_BYTES}: the tree never builds one, so
   * this is a bug, reported before a block of that size is allocated or any int length overflows.
   */
  static void checkSize(long block, long bytes) {
    if (bytes > NodeFormat.MAX_NODE_BYTES) {
      throw new IllegalStateException("node " + block + " holds " + bytes + " bytes, over the largest node ("
          + NodeFormat.MAX_NODE_BYTES + "): the tree's shape rules were broken");
    }
  }

  /**
   * Frames basement {@code b} (or, if it is null, buffer {@code buf}) as partition {@code p},
   * compressed with {@code codec} unless that does not pay ({@link FrameList#paysSince}): for its
   * first frame, or for the whole partition. Then it is framed again as it is ({@link
   * Compressors#NONE}), as RocksDB stores a block whose compression saves less than an eighth; a
   * reader takes each partition's codec from the directory (docs/format/node.md), so nothing else
   * changes, and reading such a partition decompresses nothing. Trying the first frame only costs
   * an incompressible partition one frame's compression (YCSB's random values: LZ4 saved 4% of
   * each 4 KiB, docs/benchmarks.md, "Incompressible partitions").
   */
  private static void framePartition(Basement b, MessageBuffer buf, byte codec, Framed p, FrameList frames) {
    p.firstFrame = frames.size;
    p.codec = codec;
    if (codec != Compressors.NONE && !(frameRecords(b, buf, codec, p, frames) && frames.paysSince(p.firstFrame))) {
      frames.truncate(p.firstFrame);
      p.codec = Compressors.NONE;
    }
    if (p.codec == Compressors.NONE) {
      frameRecords(b, buf, Compressors.NONE, p, frames);
    }
    p.endFrame = frames.size;
  }

  /** Frames basement {@code b}, or if it is null buffer {@code buf}; false if the first frame did not pay. */
  private static boolean frameRecords(Basement b, MessageBuffer buf, byte codec, Framed p, FrameList frames) {
    return b != null ? frameBasement(b, codec, p, frames) : frameBuffer(buf, codec, p, frames);
  }

  /** Whether compressing the partition's first frame (just added, if it is the first) paid, or it is not the first. */
  private static boolean firstPays(byte codec, Framed p, FrameList frames) {
    return codec == Compressors.NONE || frames.size != p.firstFrame + 1 || frames.paysSince(p.firstFrame);
  }

  /** Frames a basement's entries; false, leaving the frames, if the first did not pay ({@link #firstPays}). */
  private static boolean frameBasement(Basement b, byte codec, Framed p, FrameList frames) {
    p.maxMsn = b.maxMsn();
    p.count = b.count();
    p.rawLength = b.bytes();
    byte[] arena = b.arena();
    int frameStart = 0;
    for (int e = 0; e < b.count(); e++) {
      int end = e + 1 < b.count() ? b.entryOffset(e + 1) : b.bytes();
      if (end - frameStart >= NodeFormat.FRAME_TARGET || e + 1 == b.count()) {
        frames.add(codec, arena, frameStart, end - frameStart, firstKey(b, frameStart));
        frameStart = end;
        if (!firstPays(codec, p, frames)) {
          return false;
        }
      }
    }
    p.pointFrames = frames.size - p.firstFrame;
    return true;
  }

  private static byte[] firstKey(Basement b, int entryOffset) {
    int len = BigEndian.getInt(b.arena(), entryOffset + 1);
    byte[] k = new byte[len];
    System.arraycopy(b.arena(), entryOffset + 5, k, 0, len);
    return k;
  }

  /** Frames a buffer's points, then its ranges; false, leaving the frames, if the first did not pay ({@link #firstPays}). */
  private static boolean frameBuffer(MessageBuffer buf, byte codec, Framed p, FrameList frames) {
    p.count = buf.pointCount();
    p.rangeCount = buf.rangeCount();
    int rawLength = 0;
    for (int i = 0; i < p.count; i++) {
      rawLength += buf.recordSize(buf.point(i));
    }
    for (int i = 0; i < p.rangeCount; i++) {
      rawLength += buf.recordSize(buf.range(i));
    }
    p.rawLength = rawLength;
    if (!frameRun(buf, true, codec, p, frames)) {
      return false;
    }
    p.pointFrames = frames.size - p.firstFrame;
    return frameRun(buf, false, codec, p, frames);
  }

  /**
   * Frames the point (or range) records in order: each frame's records (until they reach {@link
   * NodeFormat#FRAME_TARGET} bytes, or the run ends) are gathered into this thread's scratch and
   * compressed from there, so a buffer is never copied whole.
   */
  private static boolean frameRun(MessageBuffer buf, boolean points, byte codec, Framed p, FrameList frames) {
    int n = points ? buf.pointCount() : buf.rangeCount();
    int i = 0;
    while (i < n) {
      int end = i;
      int len = 0;
      while (end < n && len < NodeFormat.FRAME_TARGET) {
        len += buf.recordSize(points ? buf.point(end) : buf.range(end));
        end++;
      }
      byte[] raw = FRAME.take(len);
      int at = 0;
      for (int j = i; j < end; j++) {
        int rec = points ? buf.point(j) : buf.range(j);
        int size = buf.recordSize(rec);
        System.arraycopy(buf.arena(rec), buf.at(rec), raw, at, size);
        at += size;
      }
      frames.add(codec, raw, 0, len, buf.copyKey(points ? buf.point(i) : buf.range(i)));
      i = end;
      if (!firstPays(codec, p, frames)) {
        return false;
      }
    }
    return true;
  }
}
