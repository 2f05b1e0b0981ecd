package dev.sapwood.internal.tree;

import dev.sapwood.internal.util.ArrayPool;
import dev.sapwood.internal.util.Checksums;
import dev.sapwood.internal.util.Compressors;
import java.util.Arrays;

/**
 * The compressed frames of a node being written, in order, with their first keys: compressed
 * bytes back to back in one arena (no array per frame), lengths and CRCs in int arrays.
 */
final class FrameList {
  int size;
  private byte[] data;
  private int used;
  int[] offset = new int[16];
  int[] compressed = new int[16];
  int[] raw = new int[16];
  int[] crc = new int[16];
  byte[][] firstKeys = new byte[16][];

  /** Arenas lent to node writes in progress: two kept, 2 MiB at most. */
  private static final ArrayPool ARENAS = new ArrayPool(64 << 10, 4 << 20, 2, 2 << 20);

  /**
   * A frame list writing into an arena lent by the pool (read only until the node's block has
   * been assembled, then given back by {@link #recycle}).
   */
  FrameList(int capacityHint) {
    data = ARENAS.take(Math.max(256, capacityHint));
  }

  /** Gives this list's arena back for the next node write; the list is not used after. */
  void recycle() {
    ARENAS.give(data);
    data = null;
  }

  /** Compresses {@code src[off, off + len)} as the next frame. */
  void add(byte codec, byte[] src, int off, int len, byte[] firstKey) {
    if (size == raw.length) {
      int cap = size * 2;
      offset = Arrays.copyOf(offset, cap);
      compressed = Arrays.copyOf(compressed, cap);
      raw = Arrays.copyOf(raw, cap);
      crc = Arrays.copyOf(crc, cap);
      firstKeys = Arrays.copyOf(firstKeys, cap);
    }
    int max = Compressors.maxCompressedLength(codec, len);
    if (used + max > data.length) {
      data = Arrays.copyOf(data, Math.max(data.length + (data.length >> 1), used + max));
    }
    int n = Compressors.compress(codec, src, off, len, data, used);
    offset[size] = used;
    compressed[size] = n;
    raw[size] = len;
    crc[size] = Checksums.crc32c(data, used, n);
    firstKeys[size] = firstKey;
    used += n;
    size++;
  }

  /** Drops the frames from {@code first} on: the next frame's bytes take their place. */
  void truncate(int first) {
    if (first < size) {
      used = offset[first];
      size = first;
    }
  }

  /**
   * Whether compressing the frames from {@code first} on saved at least an eighth of their raw
   * bytes (RocksDB's rule for a block): else the partition they frame is worth writing as it is.
   */
  boolean paysSince(int first) {
    long rawBytes = 0;
    for (int i = first; i < size; i++) {
      rawBytes += raw[i];
    }
    long stored = first < size ? used - offset[first] : 0;
    return stored <= rawBytes - (rawBytes >> 3);
  }

  /** Copies frame {@code f}'s compressed bytes to {@code dst[at..)}. */
  void copyTo(int f, byte[] dst, int at) {
    System.arraycopy(data, offset[f], dst, at, compressed[f]);
  }

  /** Bytes of the frame entries {@code [from, to)} in the node header. */
  long headerBytes(int from, int to) {
    long total = 0;
    for (int i = from; i < to; i++) {
      total += NodeFormat.FRAME_ENTRY_FIXED + firstKeys[i].length;
    }
    return total;
  }

  /** Compressed bytes of every frame. */
  int compressedBytes() {
    return used;
  }
}
