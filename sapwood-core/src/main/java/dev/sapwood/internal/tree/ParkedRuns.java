package dev.sapwood.internal.tree;

import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.util.BigEndian;
import dev.sapwood.internal.util.ArrayPool;
import dev.sapwood.internal.util.Checksums;
import java.util.Arrays;

/**
 * Parked images with runs (docs/design.md, "A park encodes only what came in since the unpark"):
 * a node decoded from its parked image keeps that image ({@link Base}), and while its structure
 * (pivots, children) is unchanged it is parked again as that image plus one more <em>run</em> —
 * a node image of the same shape whose buffer i holds only the messages appended to buffer i since
 * the unpark (APPEND), or buffer i whole where it changed otherwise (WHOLE: emptied by a cascade,
 * a fold into an old message, a compaction). So a park after a flush encodes the ~175 KB the flush
 * brought instead of the whole ~915 KB node.
 *
 * <p>Layout, in parked memory only (a spill or a checkpoint consolidates: {@link ParkedNodes}):
 * the base, a node image without filters as {@link NodeWriter#writeSharedUnfiltered} makes it, at
 * offset 0; the runs back to back after it, each a node image without filters ({@link
 * NodeWriter#writeRun}); then the trailer: per run {@code u32 length, n bytes of modes (0 APPEND,
 * 1 WHOLE)}, then {@code u16 runs, u16 n, u32 magic "SWRN", u32 CRC32C} of the trailer before it.
 * Decoding reads the base, then merges each run into it in order: a run's messages are newer than
 * everything before it (a node takes messages in MSN order), so merging by (key, MSN) rebuilds the
 * buffers' lists exactly.
 *
 * <p>Invariants: a base is used only by the node decoded from it and only under its write latch;
 * a buffer's records below its {@code runMark} are the base and runs' records of that buffer while
 * its {@code runStamp} is the node's {@code parkStamp} ({@link ArenaBlocks#runStamp}); the raw bytes
 * an image with runs holds are at most {@link #MAX_HELD_NUM}/{@link #MAX_HELD_DEN} of the node's,
 * and it has at most {@link #MAX_RUNS} runs, else the node is parked whole.
 */
final class ParkedRuns {
  private ParkedRuns() {}

  static final int MAGIC = 0x5357524e; // "SWRN"
  static final byte APPEND = 0;
  static final byte WHOLE = 1;
  static final int MAX_RUNS = 8;
  static final int MAX_HELD_NUM = 3;
  static final int MAX_HELD_DEN = 2;
  private static final int TRAILER_FIXED = 2 + 2 + 4 + 4;

  /** What a node decoded from a parked image keeps of it: the image's bytes and shape, its runs so far. */
  static final class Base {
    byte[] bytes;
    final int end;
    final int[] runLengths;
    final byte[][] modes;
    final int n;
    final byte[][] pivots;
    final long[] children;
    final long heldRaw;

    Base(byte[] bytes, int end, int[] runLengths, byte[][] modes, Node node, long heldRaw) {
      this.bytes = bytes;
      this.end = end;
      this.runLengths = runLengths;
      this.modes = modes;
      this.n = node.n;
      this.pivots = node.pivots.clone();
      this.children = node.children.clone();
      this.heldRaw = heldRaw;
    }
  }

  /** A parked image's runs as its trailer gives them: the base's length, each run's offset, length and modes. */
  record Trailer(int baseLength, int[] offsets, int[] lengths, byte[][] modes, int end) {}

  /** Reads and checks the trailer of image-with-runs {@code image[0, length)} of block {@code block}. */
  static Trailer trailer(BlockFile file, long block, byte[] image, int length) {
    if (length < TRAILER_FIXED || BigEndian.getInt(image, length - 8) != MAGIC) {
      throw NodeReader.corrupt(file, block, Math.max(0, length - 8), "no trailer of an image with runs");
    }
    int runs = BigEndian.getU16(image, length - 12);
    int n = BigEndian.getU16(image, length - 10);
    long size = TRAILER_FIXED + (long) runs * (4 + n);
    if (runs < 1 || runs > MAX_RUNS || n < 1 || size > length) {
      throw NodeReader.corrupt(file, block, length - 12, runs + " runs of " + n + " buffers in " + length + " bytes");
    }
    int start = length - (int) size;
    if (Checksums.crc32c(image, start, (int) size - 4) != BigEndian.getInt(image, length - 4)) {
      throw NodeReader.corrupt(file, block, start, "image trailer checksum mismatch");
    }
    int[] lengths = new int[runs];
    byte[][] modes = new byte[runs][];
    long sum = 0;
    for (int r = 0, at = start; r < runs; r++, at += 4 + n) {
      lengths[r] = BigEndian.getInt(image, at);
      modes[r] = Arrays.copyOfRange(image, at + 4, at + 4 + n);
      sum += lengths[r];
      if (lengths[r] <= 0 || sum >= start) {
        throw NodeReader.corrupt(file, block, at, "run " + r + " of " + lengths[r] + " bytes does not fit");
      }
    }
    int baseLength = start - (int) sum;
    int[] offsets = new int[runs];
    for (int r = 0, at = baseLength; r < runs; at += lengths[r], r++) {
      offsets[r] = at;
    }
    return new Trailer(baseLength, offsets, lengths, modes, start);
  }

  /**
   * Per buffer of {@code node}, the arena offset its appended records start at, or -1 to encode it
   * whole; null if the node cannot be parked with a run (no base, changed shape, too many runs, or
   * the image would hold too much beside the node).
   */
  static int[] marks(Node node) {
    Base b = node.parkBase;
    if (b == null || b.runLengths.length >= MAX_RUNS || b.n != node.n || !Arrays.equals(b.children, node.children)) {
      return null;
    }
    for (int i = 0; i < node.n - 1; i++) {
      if (!Arrays.equals(b.pivots[i], node.pivots[i])) {
        return null;
      }
    }
    int[] marks = new int[node.n];
    long added = 0;
    for (int i = 0; i < node.n; i++) {
      MessageBuffer buf = node.buffers[i];
      if (buf == null) {
        return null;
      }
      if (buf.runStamp == node.parkStamp && node.parkStamp != 0) {
        marks[i] = buf.runMark;
        added += buf.usedBytes() - buf.runMark; // live appended bytes, or a little more
      } else {
        marks[i] = -1;
        added += buf.bytes();
      }
    }
    if ((b.heldRaw + added) * MAX_HELD_DEN > node.bufferBytes() * MAX_HELD_NUM) {
      return null;
    }
    return marks;
  }

  /**
   * Lays out {@code node}'s base, the run {@code run[0, runLength)} with its {@code marks}, and the
   * trailer into the base's array (grown if it must be: the bytes before its end stay as they are);
   * returns the image's length, in {@code node.parkBase.bytes}.
   */
  static int compose(Node node, byte[] run, int runLength, int[] marks) {
    Base b = node.parkBase;
    int runs = b.runLengths.length + 1;
    int n = node.n;
    int total = b.end + runLength + TRAILER_FIXED + runs * (4 + n);
    if (b.bytes.length < total) {
      b.bytes = Arrays.copyOf(b.bytes, total + (total >> 3));
    }
    byte[] out = b.bytes;
    System.arraycopy(run, 0, out, b.end, runLength);
    int at = b.end + runLength;
    int start = at;
    for (int r = 0; r < runs; r++) {
      boolean last = r == runs - 1;
      BigEndian.putInt(out, at, last ? runLength : b.runLengths[r]);
      for (int i = 0; i < n; i++) {
        out[at + 4 + i] = last ? (marks[i] < 0 ? WHOLE : APPEND) : b.modes[r][i];
      }
      at += 4 + n;
    }
    BigEndian.putU16(out, at, runs);
    BigEndian.putU16(out, at + 2, n);
    BigEndian.putInt(out, at + 4, MAGIC);
    BigEndian.putInt(out, at + 8, Checksums.crc32c(out, start, at + 8 - start));
    return at + 12;
  }

  /** A node decoded from a parked image, and what it keeps of the image to be parked again with a run. */
  record Decoded(Node node, int end, int[] runLengths, byte[][] modes, long heldRaw) {}

  /** Runs copied out of an image to be decoded (a node image starts at offset 0): two kept, 2 MiB at most. */
  private static final ArrayPool RUN = new ArrayPool(64 << 10, 2 << 20, 2, 2 << 20);

  /**
   * Decodes parked image {@code image[0, length)} of internal node {@code block} (with runs if
   * {@code withRuns}) into a whole node: its base's buffers, then each run's merged in, every
   * frame's and the trailer's checksum verified first.
   */
  static Decoded decode(BlockFile file, long block, byte[] image, int length, boolean withRuns) {
    Trailer t = withRuns ? trailer(file, block, image, length) : null;
    Node node = NodeReader.readImage(file, block, image, t == null ? length : t.baseLength());
    if (node.height == 0) {
      throw NodeReader.corrupt(file, block, 0, "the image of a leaf");
    }
    int n = node.n;
    for (int i = 0; i < n; i++) {
      node.buffers[i] = PartitionReader.decodeBuffer(file, block, node.disk, i, image);
    }
    long held = rawBytes(node.disk, n);
    if (t != null) {
      for (int r = 0; r < t.lengths().length; r++) {
        held += mergeRun(file, block, node, image, t.offsets()[r], t.lengths()[r], t.modes()[r], r);
      }
    }
    node.disk = null; // its extent in the file is older than the image
    return t == null
        ? new Decoded(node, length, new int[0], new byte[0][], held)
        : new Decoded(node, t.end(), t.lengths(), t.modes(), held);
  }

  /** Merges run {@code r} at {@code image[off, off + len)} into {@code node}; returns its raw bytes. */
  private static long mergeRun(BlockFile file, long block, Node node, byte[] image, int off, int len, byte[] modes,
      int r) {
    byte[] run = RUN.take(len);
    try {
      System.arraycopy(image, off, run, 0, len);
      Node rn = NodeReader.readImage(file, block, run, len);
      if (rn.height != node.height || rn.n != node.n || !Arrays.equals(rn.children, node.children)
          || !Arrays.deepEquals(rn.pivots, node.pivots)) {
        throw NodeReader.corrupt(file, block, off, "run " + r + " is not of its base's shape");
      }
      for (int i = 0; i < node.n; i++) {
        if (modes[i] != APPEND && modes[i] != WHOLE) {
          throw NodeReader.corrupt(file, block, off, "run " + r + ": mode " + modes[i] + " of buffer " + i);
        }
        MessageBuffer add = PartitionReader.decodeBuffer(file, block, rn.disk, i, run);
        if (modes[i] == WHOLE) {
          node.buffers[i].clear();
          node.buffers[i] = add;
        } else {
          MessageBuffer into = node.buffers[i];
          for (int j = 0; j < add.rangeCount(); j++) {
            into.addCopy(add, add.range(j));
          }
          into.addSortedRun(add, 0, add.pointCount());
          add.clear();
        }
      }
      node.maxMsn = Math.max(node.maxMsn, rn.maxMsn);
      return rawBytes(rn.disk, rn.n);
    } finally {
      RUN.give(run);
    }
  }

  /** Raw bytes of the buffers {@code dir} lays out. */
  static long rawBytes(PartitionDirectory dir, int n) {
    long raw = 0;
    for (int i = 0; i < n; i++) {
      raw += dir.rawLength(i);
    }
    return raw;
  }
}
