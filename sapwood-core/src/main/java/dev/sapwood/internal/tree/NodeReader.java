package dev.sapwood.internal.tree;

import dev.sapwood.CorruptionException;
import dev.sapwood.Limits;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.util.BoundedReader.FormatException;
import dev.sapwood.internal.util.BoundedReader;
import dev.sapwood.internal.util.Checksums;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Reads node blocks (layout in {@link NodeFormat}). Every length and count read from disk is
 * checked before use; every partition's CRC32C is verified before it is decompressed; any failure
 * is a {@link CorruptionException} naming the file, block and offset.
 *
 * <p>A node is read header first (pivots, children, partition directory); its partitions —
 * basements of a leaf, buffers of an internal node — are fetched one at a time on demand
 * by {@link PartitionReader}: the partial fetch.
 */
final class NodeReader {
  private NodeReader() {}

  /** Reads a node's header: no partition is loaded. */
  static Node read(BlockFile file, long block) {
    return read(file, block, 0);
  }

  /**
   * Reads the header of delta block {@code block} of leaf {@code leaf} (docs/format/node.md,
   * "Delta blocks"): the directory of its one buffer partition. A block that is not a delta block,
   * or is the delta of another leaf, is corruption.
   */
  static PartitionDirectory readDelta(BlockFile file, long block, long leaf) {
    return read(file, block, leaf).disk;
  }

  /** {@code deltaOf}: 0 to read a node, else the leaf whose delta block this must be. */
  private static Node read(BlockFile file, long block, long deltaOf) {
    int size = file.storedBlockSize(block, "a child pointer or a tree's root");
    if (size < NodeFormat.FIXED_HEADER + 4) {
      throw corrupt(file, block, 0, "block of " + size + " bytes is too small for a node");
    }
    // The probe is parsed, never kept (the node copies its pivots, keys and filters): within a
    // read's scope it is an array lent for the read (PeekArrays), longer than the probe.
    int probe = Math.min(size, NodeFormat.HEADER_PROBE);
    byte[] head = PeekArrays.take(probe);
    file.readBlock(block, 0, head, 0, probe);
    try {
      int headerLen = headerLength(file, block, head, size, deltaOf);
      if (headerLen > probe) {
        checkLongHeader(file, block, head, probe, headerLen);
        head = Arrays.copyOf(head, headerLen);
        file.readBlock(block, NodeFormat.HEADER_PROBE, head, NodeFormat.HEADER_PROBE, headerLen - NodeFormat.HEADER_PROBE);
      }
      return checkedHeader(file, block, head, headerLen, size, deltaOf);
    } catch (FormatException e) {
      throw corrupt(file, block, e.position(), e.getMessage());
    }
  }

  /**
   * Reads the header of a node image held in memory, {@code image[0, size)} (a parked dirty node's:
   * {@code NodeStore}), checked as a block's: no partition is loaded; the directory's offsets are
   * into the image.
   */
  static Node readImage(BlockFile file, long block, byte[] image, int size) {
    try {
      return checkedHeader(file, block, image, headerLength(file, block, image, size, 0), size, 0);
    } catch (FormatException e) {
      throw corrupt(file, block, e.position(), e.getMessage());
    }
  }

  /** Checks the magic and returns the header length of a block of {@code size} bytes whose start is {@code head}. */
  private static int headerLength(BlockFile file, long block, byte[] head, int size, long deltaOf) {
    BoundedReader r = new BoundedReader(head, 0, Math.min(head.length, size));
    if (r.i32("magic") != (deltaOf == 0 ? NodeFormat.MAGIC : NodeFormat.DELTA_MAGIC)) {
      throw corrupt(file, block, 0, deltaOf == 0 ? "bad node magic" : "bad delta block magic (the delta of leaf " + deltaOf + ")");
    }
    int headerLen = r.i32("header length");
    if (headerLen < NodeFormat.FIXED_HEADER + 4 || headerLen > size) {
      throw corrupt(file, block, 4, "header length " + headerLen + " outside block of " + size);
    }
    return headerLen;
  }

  /** Verifies the header's checksum ({@code head} holds the whole header), then parses it. */
  private static Node checkedHeader(BlockFile file, long block, byte[] head, int headerLen, int size, long deltaOf) {
    int crc = Checksums.crc32c(head, 0, headerLen - 4);
    if (crc != new BoundedReader(head, headerLen - 4, 4).i32("header crc")) {
      throw corrupt(file, block, headerLen - 4, "node header checksum mismatch");
    }
    return parseHeader(file, block, head, headerLen, size, deltaOf);
  }

  /**
   * A header longer than the probe is checked against its CRC32C by streaming the rest of it
   * through a small buffer before the header is read whole: its length is not trusted before
   * the checksum vouches for it. A header that ends one to three bytes past the probe has part of
   * its CRC in the probe: only the bytes before the CRC are summed (summing the whole probe asked
   * for a checksum of a negative length, and a sound node read as corrupt).
   */
  private static void checkLongHeader(BlockFile file, long block, byte[] probe, int probeLen, int headerLen) {
    CRC32C crc = new CRC32C();
    int summed = Math.min(probeLen, headerLen - 4);
    crc.update(probe, 0, summed);
    int rest = headerLen - 4 - summed;
    int computed = rest > 0 ? file.checksumBlock(block, summed, rest, crc) : (int) crc.getValue();
    byte[] stored = new byte[4];
    file.readBlock(block, headerLen - 4, stored, 0, 4);
    if (computed != new BoundedReader(stored, 0, 4).i32("header crc")) {
      throw corrupt(file, block, headerLen - 4, "node header checksum mismatch (header length " + headerLen + ")");
    }
  }

  private static Node parseHeader(BlockFile file, long block, byte[] head, int headerLen, int size, long deltaOf) {
    BoundedReader r = new BoundedReader(head, 8, headerLen - 12);
    int height = r.u16("height");
    boolean hasFilters = (height & NodeFormat.HEIGHT_FILTER_FLAG) != 0;
    if (hasFilters) {
      height &= ~NodeFormat.HEIGHT_FILTER_FLAG;
      if (height == 0 || (height & NodeFormat.HEIGHT_DELTA_FLAG) != 0 || deltaOf != 0) {
        throw corrupt(file, block, 8, "buffer filter flag on a block of height field " + Integer.toHexString(height)
            + (deltaOf != 0 ? " (a delta block)" : ""));
      }
    }
    boolean hasDelta = (height & NodeFormat.HEIGHT_DELTA_FLAG) != 0;
    if (hasDelta) {
      height &= ~NodeFormat.HEIGHT_DELTA_FLAG;
      if (height != 0 || deltaOf != 0) {
        throw corrupt(file, block, 8, "delta flag on a block of height " + height + (deltaOf != 0 ? " (a delta block)" : ""));
      }
    }
    int n = r.i32("partition count");
    if (deltaOf != 0 && (height != 0 || n != 1)) {
      throw corrupt(file, block, 8, "delta block of height " + height + " with " + n + " partitions (not 0 and 1)");
    }
    // Every partition has a directory entry in the header, so the header's own length (vouched
    // for by its CRC) bounds n, and with it everything sized by n below.
    int maxN = Math.min(NodeFormat.MAX_PARTITIONS, (headerLen - NodeFormat.FIXED_HEADER - 4) / NodeFormat.DIR_ENTRY_FIXED);
    if (height > NodeFormat.MAX_HEIGHT || n < 1 || n > maxN) {
      throw corrupt(file, block, 8, "height " + height + " / partition count " + n + " out of range");
    }
    long maxMsn = r.i64("max msn");
    byte[][] pivots = new byte[n - 1][];
    byte[] prev = null; // not pivots[i - 1] behind i > 0: C2 hoists that read's range check and it fails at i = 0
    for (int i = 0; i < n - 1; i++) {
      int len = r.u16("pivot length");
      if (len > Limits.MAX_KEY_SIZE) {
        throw r.error("pivot of " + len + " bytes");
      }
      byte[] pivot = r.bytes(len, "pivot");
      if (prev != null && Keys.compare(prev, pivot) >= 0) {
        throw r.error("pivots out of order");
      }
      pivots[i] = pivot;
      prev = pivot;
    }
    long[] children = null;
    long deltaBlock = 0;
    if (hasDelta) {
      deltaBlock = r.i64("delta block");
      if (deltaBlock <= 0 || deltaBlock == block) {
        throw r.error("bad delta block number " + deltaBlock);
      }
    }
    if (deltaOf != 0) {
      long owner = r.i64("leaf of the delta");
      if (owner != deltaOf) {
        throw r.error("delta block of leaf " + owner + ", reached from leaf " + deltaOf);
      }
    }
    if (height > 0) {
      children = new long[n];
      for (int i = 0; i < n; i++) {
        children[i] = r.i64("child");
        if (children[i] <= 0) {
          throw r.error("bad child block number " + children[i]);
        }
      }
    }
    DirectoryBuilder dir = new DirectoryBuilder(n, Math.min(n * 8, r.remaining() / NodeFormat.FRAME_ENTRY_FIXED + 1));
    int expected = headerLen;
    for (int i = 0; i < n; i++) {
      int off = r.i32("partition offset");
      int raw = r.length("partition raw length", NodeFormat.MAX_RAW_PARTITION);
      byte codec = (byte) r.u8("codec");
      long partMsn = r.i64("partition max msn");
      int count = r.length("record count", raw / Basement.ENTRY_OVERHEAD);
      int ranges = r.length("range count", raw / NodeFormat.MIN_MESSAGE);
      int frames = r.length("frame count", r.remaining() / NodeFormat.FRAME_ENTRY_FIXED);
      int points = r.length("point frame count", frames);
      if (off != expected) {
        throw r.error("partition " + i + " at " + off + " does not follow at " + expected);
      }
      boolean basement = height == 0 && deltaOf == 0;
      if (basement ? ranges != 0 || points != frames : partMsn != 0) {
        throw r.error("partition " + i + ": fields of the wrong kind of partition");
      }
      dir.partition(off, raw, codec, partMsn, count, ranges, points);
      long rawSum = 0;
      int prevKeyAt = 0;
      int prevKeyLen = 0;
      for (int f = 0; f < frames; f++) {
        int comp = r.length("frame length", size - expected);
        int frameRaw = r.length("frame raw length", raw);
        int crc = r.i32("frame crc");
        int keyLen = r.u16("frame first key length");
        if (keyLen > Limits.MAX_KEY_SIZE || frameRaw == 0) {
          throw r.error("frame " + f + " of partition " + i + ": first key of " + keyLen + " bytes, " + frameRaw + " raw bytes");
        }
        String bad = NodeFormat.frameLengthProblem(codec, comp, frameRaw);
        if (bad != null) {
          throw r.error("frame " + f + " of partition " + i + ": " + bad);
        }
        int keyAt = r.arrayPosition();
        r.skip(keyLen, "frame first key");
        if (f > 0 && f < points && Keys.compare(head, prevKeyAt, prevKeyLen, head, keyAt, keyLen) > 0) {
          throw r.error("frame " + f + " of partition " + i + ": first keys out of order");
        }
        prevKeyAt = keyAt;
        prevKeyLen = keyLen;
        dir.frame(expected, comp, frameRaw, crc, head, keyAt, keyLen);
        expected += comp;
        rawSum += frameRaw;
      }
      if (rawSum != raw) {
        throw r.error("partition " + i + ": frames hold " + rawSum + " raw bytes, not " + raw);
      }
    }
    if (expected != size) {
      throw r.error("partitions end at " + expected + ", block has " + size + " bytes");
    }
    if (hasFilters) {
      dir.filters(BufferFilters.read(r, n, dir));
    } else if (r.remaining() != 0) {
      throw r.error(r.remaining() + " bytes between the directory and the header checksum");
    }
    Node node = new Node(block);
    node.maxMsn = maxMsn;
    if (deltaOf != 0) {
      node.setInternal(1, pivots, new long[] {deltaOf}, new MessageBuffer[n]); // a holder for the directory
    } else if (height == 0) {
      node.setLeaf(pivots, new Basement[n]);
      node.deltaBlock = deltaBlock;
    } else {
      node.setInternal(height, pivots, children, new MessageBuffer[n]);
    }
    node.disk = dir.build();
    return node;
  }

  /**
   * Damage at byte {@code offsetInBlock} of block {@code block}'s image, named by its file offset
   * (the block's extent plus that byte). A reader of a parked image, whose bytes are not the file's,
   * reports it as such instead ({@link BlockCorruption#inParkedImage}).
   */
  static BlockCorruption corrupt(BlockFile file, long block, long offsetInBlock, String what) {
    long extent = file.blockOffsetOrNone(block); // none: an image whose block the file never held
    long at = extent < 0 ? -1 : extent + offsetInBlock;
    String where = at >= 0 ? "" : " (an image not in the file, its byte " + offsetInBlock + ")";
    return new BlockCorruption(file.name(), at, block, offsetInBlock, what, "node block " + block + where + ": " + what);
  }
}
