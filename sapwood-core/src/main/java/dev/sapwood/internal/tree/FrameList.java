package dev.sapwood.internal.tree;

import dev.sapwood.internal.util.Checksums;
import dev.sapwood.internal.util.Compressors;
import dev.sapwood.internal.util.ThreadScratch;
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

  /** Each thread's arena, kept between node writes up to 4 MiB, all threads' up to 1.5 MiB more. */
  private static final ThreadScratch SCRATCH = new ThreadScratch(64 << 10, 4 << 20, 3 << 19);

  /**
   * A frame list writing into this thread's scratch arena (node writes on one thread do not
   * overlap, and the arena is only read until the node's block has been assembled).
   */
  FrameList(int capacityHint) {
    data = SCRATCH.take(Math.max(256, capacityHint));
  }

  /** Keeps this list's arena for the thread's next node write, if it is not too large. */
  void recycle() {
    SCRATCH.keep(data);
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
