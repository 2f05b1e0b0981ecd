package dev.sapwood.internal.tree;

import java.util.Arrays;

/**
 * Collects a node's partitions and frames, in block order, into a {@link PartitionDirectory}: the
 * writer as it lays a block out, the reader as it parses a header.
 */
final class DirectoryBuilder {
  private final int n;
  private final int[] offset;
  private final int[] rawLength;
  private final byte[] codec;
  private final long[] maxMsn;
  private final int[] count;
  private final int[] rangeCount;
  private final int[] pointFrames;
  private final int[] frameStart;
  private int[] frameOffset;
  private int[] frameCompressed;
  private int[] frameRaw;
  private int[] frameCrc;
  private int[] frameKeyOff;
  private byte[] keys;
  private int keysUsed;
  private int partitions;
  private int frames;
  private KeyFilter[] filters;

  /** For {@code n} partitions and about {@code frameCount} frames (more may be added). */
  DirectoryBuilder(int n, int frameCount) {
    this.n = n;
    offset = new int[n];
    rawLength = new int[n];
    codec = new byte[n];
    maxMsn = new long[n];
    count = new int[n];
    rangeCount = new int[n];
    pointFrames = new int[n];
    frameStart = new int[n + 1];
    frameOffset = new int[frameCount];
    frameCompressed = new int[frameCount];
    frameRaw = new int[frameCount];
    frameCrc = new int[frameCount];
    frameKeyOff = new int[frameCount + 1];
    keys = new byte[Math.max(16, frameCount * 16)];
  }

  /** Starts the next partition; its frames follow with {@link #frame}. */
  void partition(int off, int raw, byte c, long msn, int entries, int ranges, int points) {
    offset[partitions] = off;
    rawLength[partitions] = raw;
    codec[partitions] = c;
    maxMsn[partitions] = msn;
    count[partitions] = entries;
    rangeCount[partitions] = ranges;
    pointFrames[partitions] = points;
    frameStart[partitions] = frames;
    partitions++;
    frameStart[partitions] = frames;
  }

  /** Adds a frame to the current partition. */
  void frame(int off, int compressed, int raw, int crc, byte[] firstKey) {
    frame(off, compressed, raw, crc, firstKey, 0, firstKey.length);
  }

  /** Adds a frame whose first key is {@code key[keyOff, keyOff + keyLen)}. */
  void frame(int off, int compressed, int raw, int crc, byte[] key, int keyOff, int keyLen) {
    if (frames == frameOffset.length) {
      int cap = Math.max(8, frames * 2);
      frameOffset = Arrays.copyOf(frameOffset, cap);
      frameCompressed = Arrays.copyOf(frameCompressed, cap);
      frameRaw = Arrays.copyOf(frameRaw, cap);
      frameCrc = Arrays.copyOf(frameCrc, cap);
      frameKeyOff = Arrays.copyOf(frameKeyOff, cap + 1);
    }
    frameOffset[frames] = off;
    frameCompressed[frames] = compressed;
    frameRaw[frames] = raw;
    frameCrc[frames] = crc;
    if (keysUsed + keyLen > keys.length) {
      keys = Arrays.copyOf(keys, Math.max(keys.length * 2, keysUsed + keyLen));
    }
    System.arraycopy(key, keyOff, keys, keysUsed, keyLen);
    keysUsed += keyLen;
    frames++;
    frameKeyOff[frames] = keysUsed;
    frameStart[partitions] = frames;
  }

  /** Point messages (or entries) of partition {@code i}, already added. */
  int count(int i) {
    return count[i];
  }

  /** The buffers' key filters ({@link BufferFilters}); null, or an entry null: that buffer has none. */
  void filters(KeyFilter[] f) {
    filters = f;
  }

  PartitionDirectory build() {
    if (partitions != n) {
      throw new IllegalStateException(partitions + " of " + n + " partitions");
    }
    return new PartitionDirectory(offset, rawLength, codec, maxMsn, count, rangeCount, pointFrames,
        frameStart, Arrays.copyOf(frameOffset, frames), Arrays.copyOf(frameCompressed, frames),
        Arrays.copyOf(frameRaw, frames), Arrays.copyOf(frameCrc, frames),
        Arrays.copyOf(frameKeyOff, frames + 1), Arrays.copyOf(keys, keysUsed), filters);
  }
}
