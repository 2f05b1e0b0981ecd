package dev.sapwood.internal.tree;

import dev.sapwood.internal.store.Checksums;
import dev.sapwood.internal.store.Codecs;
import java.util.Arrays;

/** The compressed frames of one partition being written, in order, with their first keys. */
final class FrameList {
  int size;
  byte[][] compressed = new byte[4][];
  int[] raw = new int[4];
  int[] crc = new int[4];
  byte[][] firstKeys = new byte[4][];

  /** Compresses {@code src[off, off + len)} as the next frame. */
  void add(byte codec, byte[] src, int off, int len, byte[] firstKey) {
    if (size == raw.length) {
      int cap = size * 2;
      compressed = Arrays.copyOf(compressed, cap);
      raw = Arrays.copyOf(raw, cap);
      crc = Arrays.copyOf(crc, cap);
      firstKeys = Arrays.copyOf(firstKeys, cap);
    }
    byte[] c = Codecs.compress(codec, src, off, len);
    compressed[size] = c;
    raw[size] = len;
    crc[size] = Checksums.crc32c(c, 0, c.length);
    firstKeys[size] = firstKey;
    size++;
  }

  /** Bytes of the frame entries in the node header. */
  long headerBytes() {
    long total = 0;
    for (int i = 0; i < size; i++) {
      total += NodeFormat.FRAME_ENTRY_FIXED + firstKeys[i].length;
    }
    return total;
  }

  long compressedBytes() {
    long total = 0;
    for (int i = 0; i < size; i++) {
      total += compressed[i].length;
    }
    return total;
  }
}
