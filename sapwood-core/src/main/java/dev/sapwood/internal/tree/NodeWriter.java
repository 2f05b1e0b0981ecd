package dev.sapwood.internal.tree;

import dev.sapwood.internal.store.Checksums;
import dev.sapwood.internal.store.Codecs;
import dev.sapwood.internal.util.BigEndian;
import java.io.ByteArrayOutputStream;

/**
 * Serializes a node into a block (layout in {@link NodeFormat}): each partition is serialized,
 * compressed and checksummed on its own, so it can later be fetched alone.
 */
final class NodeWriter {
  private NodeWriter() {}

  /** A serialized node: its block bytes and where each partition lies in them. */
  record Result(byte[] block, PartitionDirectory directory) {}

  /** Serializes {@code node}; every partition must be in memory. */
  static Result write(Node node, byte codec) {
    int n = node.n;
    byte[][] parts = new byte[n][];
    int[] raw = new int[n];
    int[] crc = new int[n];
    for (int i = 0; i < n; i++) {
      byte[] r = node.height == 0 ? leafPartition(node.basements[i]) : bufferPartition(node.buffers[i]);
      raw[i] = r.length;
      parts[i] = Codecs.compress(codec, r, 0, r.length);
      crc[i] = Checksums.crc32c(parts[i], 0, parts[i].length);
    }
    int headerLen = NodeFormat.FIXED_HEADER;
    for (int i = 0; i < n - 1; i++) {
      headerLen += 2 + node.pivots[i].length;
    }
    if (node.height > 0) {
      headerLen += 8 * n;
    }
    headerLen += PartitionDirectory.ENTRY_SIZE * n + 4;
    long total = headerLen;
    for (byte[] p : parts) {
      total += p.length;
    }
    if (total > Integer.MAX_VALUE - 64) {
      throw new IllegalStateException("node " + node.key() + " too large to serialize: " + total);
    }
    byte[] out = new byte[(int) total];
    BigEndian.putInt(out, 0, NodeFormat.MAGIC);
    BigEndian.putInt(out, 4, headerLen);
    BigEndian.putU16(out, 8, node.height);
    BigEndian.putInt(out, 10, n);
    BigEndian.putLong(out, 14, node.maxMsn);
    int at = NodeFormat.FIXED_HEADER;
    for (int i = 0; i < n - 1; i++) {
      byte[] p = node.pivots[i];
      BigEndian.putU16(out, at, p.length);
      System.arraycopy(p, 0, out, at + 2, p.length);
      at += 2 + p.length;
    }
    if (node.height > 0) {
      for (int i = 0; i < n; i++) {
        BigEndian.putLong(out, at, node.children[i]);
        at += 8;
      }
    }
    int partAt = headerLen;
    int[] offsets = new int[n];
    int[] lengths = new int[n];
    byte[] codecs = new byte[n];
    for (int i = 0; i < n; i++) {
      offsets[i] = partAt;
      lengths[i] = parts[i].length;
      codecs[i] = codec;
      BigEndian.putInt(out, at, partAt);
      BigEndian.putInt(out, at + 4, parts[i].length);
      BigEndian.putInt(out, at + 8, raw[i]);
      out[at + 12] = codec;
      BigEndian.putInt(out, at + 13, crc[i]);
      at += PartitionDirectory.ENTRY_SIZE;
      System.arraycopy(parts[i], 0, out, partAt, parts[i].length);
      partAt += parts[i].length;
    }
    BigEndian.putInt(out, at, Checksums.crc32c(out, 0, at));
    return new Result(out, new PartitionDirectory(offsets, lengths, raw, codecs, crc));
  }

  private static byte[] leafPartition(Basement b) {
    byte[] r = new byte[12 + b.bytes()];
    BigEndian.putLong(r, 0, b.maxMsn());
    BigEndian.putInt(r, 8, b.count());
    // A basement's arena holds its entries back to back in key order.
    System.arraycopy(b.arena(), 0, r, 12, b.bytes());
    return r;
  }

  private static byte[] bufferPartition(MessageBuffer buf) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(8 + buf.bytes());
    byte[] counts = new byte[8];
    BigEndian.putInt(counts, 0, buf.pointCount());
    BigEndian.putInt(counts, 4, buf.rangeCount());
    out.write(counts, 0, 8);
    for (int i = 0; i < buf.pointCount(); i++) {
      int rec = buf.point(i);
      out.write(buf.arena(), rec, buf.recordSize(rec));
    }
    for (int i = 0; i < buf.rangeCount(); i++) {
      int rec = buf.range(i);
      out.write(buf.arena(), rec, buf.recordSize(rec));
    }
    return out.toByteArray();
  }
}
