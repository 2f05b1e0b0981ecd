package dev.sapwood.internal.tree;

import dev.sapwood.CorruptionException;
import dev.sapwood.Limits;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.store.Checksums;
import dev.sapwood.internal.store.Codecs;
import dev.sapwood.internal.util.BoundedReader;
import dev.sapwood.internal.util.BoundedReader.FormatException;
import java.util.Arrays;

/**
 * Reads node blocks (layout in {@link NodeFormat}). Every length and count read from disk is
 * checked before use; every partition's CRC32C is verified before it is decompressed; any failure
 * is a {@link CorruptionException} naming the file, block and offset.
 *
 * <p>A node is read header first (pivots, children, partition directory); its partitions —
 * basements of a leaf, buffers of an internal node — are fetched one at a time on demand
 * ({@link #readBasement}, {@link #readBuffer}): the partial fetch.
 */
final class NodeReader {
  private NodeReader() {}

  /** Reads a node's header: no partition is loaded. */
  static Node read(BlockFile file, long block) {
    int size = file.blockSize(block);
    if (size < NodeFormat.FIXED_HEADER + 4) {
      throw corrupt(file, block, 0, "block of " + size + " bytes is too small for a node");
    }
    byte[] head = new byte[Math.min(size, NodeFormat.HEADER_PROBE)];
    file.readBlock(block, 0, head, 0, head.length);
    BoundedReader r = new BoundedReader(head, 0, head.length);
    try {
      if (r.i32("magic") != NodeFormat.MAGIC) {
        throw corrupt(file, block, 0, "bad node magic");
      }
      int headerLen = r.i32("header length");
      if (headerLen < NodeFormat.FIXED_HEADER + 4 || headerLen > size) {
        throw corrupt(file, block, 4, "header length " + headerLen + " outside block of " + size);
      }
      if (headerLen > head.length) {
        head = Arrays.copyOf(head, headerLen);
        file.readBlock(block, NodeFormat.HEADER_PROBE, head, NodeFormat.HEADER_PROBE, headerLen - NodeFormat.HEADER_PROBE);
      }
      int crc = Checksums.crc32c(head, 0, headerLen - 4);
      if (crc != new BoundedReader(head, headerLen - 4, 4).i32("header crc")) {
        throw corrupt(file, block, headerLen - 4, "node header checksum mismatch");
      }
      return parseHeader(file, block, head, headerLen, size);
    } catch (FormatException e) {
      throw corrupt(file, block, e.position(), e.getMessage());
    }
  }

  private static Node parseHeader(BlockFile file, long block, byte[] head, int headerLen, int size) {
    BoundedReader r = new BoundedReader(head, 8, headerLen - 12);
    int height = r.u16("height");
    int n = r.i32("partition count");
    if (height > NodeFormat.MAX_HEIGHT || n < 1 || n > NodeFormat.MAX_PARTITIONS) {
      throw corrupt(file, block, 8, "height " + height + " / partition count " + n + " out of range");
    }
    long maxMsn = r.i64("max msn");
    byte[][] pivots = new byte[n - 1][];
    for (int i = 0; i < n - 1; i++) {
      int len = r.u16("pivot length");
      if (len > Limits.MAX_KEY_SIZE) {
        throw r.error("pivot of " + len + " bytes");
      }
      pivots[i] = r.bytes(len, "pivot");
      if (i > 0 && Keys.compare(pivots[i - 1], pivots[i]) >= 0) {
        throw r.error("pivots out of order");
      }
    }
    long[] children = null;
    if (height > 0) {
      children = new long[n];
      for (int i = 0; i < n; i++) {
        children[i] = r.i64("child");
        if (children[i] <= 0) {
          throw r.error("bad child block number " + children[i]);
        }
      }
    }
    int[] off = new int[n];
    int[] comp = new int[n];
    int[] raw = new int[n];
    byte[] codec = new byte[n];
    int[] crc = new int[n];
    int expected = headerLen;
    for (int i = 0; i < n; i++) {
      off[i] = r.i32("partition offset");
      comp[i] = r.length("partition length", size);
      raw[i] = r.length("partition raw length", NodeFormat.MAX_RAW_PARTITION);
      codec[i] = (byte) r.u8("codec");
      crc[i] = r.i32("partition crc");
      if (off[i] != expected || (long) off[i] + comp[i] > size) {
        throw r.error("partition " + i + " at " + off[i] + "+" + comp[i] + " does not follow at " + expected + " within " + size);
      }
      expected = off[i] + comp[i];
    }
    if (expected != size) {
      throw r.error("partitions end at " + expected + ", block has " + size + " bytes");
    }
    Node node = new Node(block);
    PartitionDirectory dir = new PartitionDirectory(off, comp, raw, codec, crc);
    node.maxMsn = maxMsn;
    if (height == 0) {
      node.setLeaf(pivots, new Basement[n]);
    } else {
      node.setInternal(height, pivots, children, new MessageBuffer[n]);
    }
    node.disk = dir;
    return node;
  }

  /** Reads, verifies and decodes buffer {@code i} of a clean internal node. */
  static MessageBuffer readBuffer(BlockFile file, long block, PartitionDirectory dir, int i) {
    return parseBuffer(file, block, dir.offset(i), readPartition(file, block, dir, i));
  }

  /** Reads, verifies and decodes basement {@code i} of a clean leaf. */
  static Basement readBasement(BlockFile file, long block, PartitionDirectory dir, int i) {
    byte[] raw = readPartition(file, block, dir, i);
    BoundedReader r = new BoundedReader(raw, 0, raw.length);
    try {
      long maxMsn = r.i64("basement max msn");
      int count = r.length("entry count", r.remaining() / Basement.ENTRY_OVERHEAD);
      int start = r.arrayPosition();
      int[] offsets = new int[count];
      int prevKeyOff = -1;
      int prevKeyLen = 0;
      for (int e = 0; e < count; e++) {
        offsets[e] = r.arrayPosition() - start;
        int kind = r.u8("entry kind");
        if (kind != Basement.KIND_VALUE) {
          throw r.error("unknown entry kind " + kind);
        }
        int klen = r.length("key length", Math.min(Limits.MAX_KEY_SIZE, r.remaining()));
        int keyOff = r.arrayPosition();
        r.skip(klen, "key");
        if (prevKeyOff >= 0 && Keys.compare(raw, prevKeyOff, prevKeyLen, raw, keyOff, klen) >= 0) {
          throw r.error("entries out of order");
        }
        prevKeyOff = keyOff;
        prevKeyLen = klen;
        r.skip(r.length("value length", r.remaining()), "value");
      }
      if (r.remaining() != 0) {
        throw r.error(r.remaining() + " stray bytes after the last entry");
      }
      int used = raw.length - start;
      return new Basement(Arrays.copyOfRange(raw, start, raw.length), used, offsets, count, maxMsn);
    } catch (FormatException e) {
      throw corrupt(file, block, dir.offset(i), "basement " + i + ": " + e.getMessage() + " (at " + e.position() + " of the raw partition)");
    }
  }

  private static MessageBuffer parseBuffer(BlockFile file, long block, int partOffset, byte[] raw) {
    BoundedReader r = new BoundedReader(raw, 0, raw.length);
    try {
      int points = r.length("point count", r.remaining() / NodeFormat.MIN_MESSAGE);
      int ranges = r.length("range count", r.remaining() / NodeFormat.MIN_MESSAGE);
      MessageBuffer buf = new MessageBuffer(raw.length);
      for (int m = 0; m < points + ranges; m++) {
        int start = r.arrayPosition();
        int type = r.u8("message type");
        boolean range = m >= points;
        if (!MessageType.isValid((byte) type) || (type == MessageType.DELETE_RANGE) != range) {
          throw r.error("message type " + type + " in the " + (range ? "range" : "point") + " list");
        }
        r.i64("msn");
        r.skip(r.length("key length", Math.min(Limits.MAX_KEY_SIZE, r.remaining())), "key");
        r.skip(r.length("value length", r.remaining()), "value");
        if (type == MessageType.UPDATE) {
          int fnLen = r.u8("function name length");
          if (fnLen == 0) {
            throw r.error("empty function name");
          }
          r.skip(fnLen, "function name");
        }
        int rec = buf.appendRaw(raw, start, r.arrayPosition() - start);
        if (!range && m > 0 && buf.point(m) != rec) {
          throw r.error("messages out of order");
        }
      }
      if (r.remaining() != 0) {
        throw r.error(r.remaining() + " stray bytes after the last message");
      }
      return buf;
    } catch (FormatException e) {
      throw corrupt(file, block, partOffset, "buffer: " + e.getMessage() + " (at " + e.position() + " of the raw partition)");
    }
  }

  private static byte[] readPartition(BlockFile file, long block, PartitionDirectory dir, int i) {
    int len = dir.compressedLength(i);
    byte[] comp = new byte[len];
    file.readBlock(block, dir.offset(i), comp, 0, len);
    if (Checksums.crc32c(comp, 0, len) != dir.crc(i)) {
      throw corrupt(file, block, dir.offset(i), "partition " + i + " checksum mismatch");
    }
    byte[] raw = new byte[dir.rawLength(i)];
    try {
      Codecs.decompress(dir.codec(i), comp, 0, len, raw, 0, raw.length);
    } catch (IllegalArgumentException e) {
      throw corrupt(file, block, dir.offset(i), "partition " + i + ": " + e.getMessage());
    }
    return raw;
  }

  private static CorruptionException corrupt(BlockFile file, long block, long offsetInBlock, String what) {
    return new CorruptionException(file.name(), file.blockOffset(block) + offsetInBlock, "node block " + block + ": " + what);
  }
}
