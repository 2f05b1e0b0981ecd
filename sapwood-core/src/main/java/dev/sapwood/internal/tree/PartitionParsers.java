package dev.sapwood.internal.tree;

import dev.sapwood.Limits;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.util.BoundedReader.FormatException;
import dev.sapwood.internal.util.BoundedReader;

/**
 * Parses the decompressed bytes of a partition's frames ({@link PartitionReader} reads and checks
 * them): a basement's entries and a buffer's messages, checking every length before use, that
 * each frame begins with its indexed first key and that keys strictly ascend; any failure is a
 * {@link dev.sapwood.CorruptionException} naming the file, block and offset. Stateless.
 */
final class PartitionParsers {
  private PartitionParsers() {}

  /**
   * Parses the entries of consecutive frames starting at {@code frame}, checking that each frame
   * begins with its indexed first key and that keys strictly ascend.
   */
  static Basement parseEntries(BlockFile file, long block, PartitionDirectory dir, int frame, byte[] raw, long maxMsn) {
    return parseEntries(file, block, dir, frame, raw, raw.length, maxMsn);
  }

  /** As {@link #parseEntries(BlockFile, long, PartitionDirectory, int, byte[], long)}, over {@code raw[0, len)}. */
  static Basement parseEntries(BlockFile file, long block, PartitionDirectory dir, int frame, byte[] raw, int len, long maxMsn) {
    return parseEntries(file, block, dir, frame, raw, len, maxMsn, new int[Math.max(4, len / 64)]);
  }

  /**
   * As {@link #parseEntries(BlockFile, long, PartitionDirectory, int, byte[], int, long)}, the
   * entries' offsets put in {@code offsets} (non-empty; a peek's, lent for one read) until they
   * outgrow it.
   */
  static Basement parseEntries(BlockFile file, long block, PartitionDirectory dir, int frame, byte[] raw, int len, long maxMsn, int[] offsets) {
    BoundedReader r = new BoundedReader(raw, 0, len);
    try {
      int count = 0;
      int prevKeyOff = -1;
      int prevKeyLen = 0;
      int frameEnd = 0;
      while (r.remaining() > 0) {
        int at = r.arrayPosition();
        int klen = entryKey(r);
        int keyOff = r.arrayPosition() - klen;
        if (at == frameEnd) {
          checkFrameStart(r, dir, frame, raw, keyOff, klen);
          frameEnd += dir.frameRaw(frame++);
        }
        if (prevKeyOff >= 0 && Keys.compare(raw, prevKeyOff, prevKeyLen, raw, keyOff, klen) >= 0) {
          throw r.error("entries out of order");
        }
        prevKeyOff = keyOff;
        prevKeyLen = klen;
        r.skip(r.length("value length", r.remaining()), "value");
        if (r.arrayPosition() > frameEnd) {
          throw r.error("entry crosses a frame boundary");
        }
        if (count == offsets.length) {
          offsets = java.util.Arrays.copyOf(offsets, count * 2);
        }
        offsets[count++] = at;
      }
      return new Basement(raw, len, offsets, count, maxMsn);
    } catch (FormatException e) {
      throw NodeReader.corrupt(file, block, dir.frameOffset(frame - 1 < 0 ? 0 : frame - 1), "basement: " + e.getMessage() + " (at " + e.position() + " of the raw frames)");
    }
  }

  /**
   * Parses messages of {@code raw[from, to)} (frames from {@code frame} on) into {@code buf}:
   * indexed where they are if {@code inPlace} ({@code raw} is the arena of a buffer made {@link
   * MessageBuffer#over} it), else copied.
   */
  static void parseMessages(BlockFile file, long block, PartitionDirectory dir, int frame,
      byte[] raw, int from, int to, boolean ranges, MessageBuffer buf, boolean inPlace) {
    BoundedReader r = new BoundedReader(raw, from, to - from);
    int frameEnd = from;
    try {
      while (r.remaining() > 0) {
        int start = r.arrayPosition();
        int type = r.u8("message type");
        if (!MessageType.isValid((byte) type) || MessageType.isRange((byte) type) != ranges) {
          throw r.error("message type " + type + " in the " + (ranges ? "range" : "point") + " frames");
        }
        r.i64("msn");
        int klen = r.length("key length", Math.min(Limits.MAX_KEY_SIZE, r.remaining()));
        int keyOff = r.arrayPosition();
        r.skip(klen, "key");
        if (start == frameEnd) {
          checkFrameStart(r, dir, frame, raw, keyOff, klen);
          frameEnd += dir.frameRaw(frame++);
        }
        int vlen = r.length("value length", r.remaining());
        int valueOff = r.arrayPosition();
        r.skip(vlen, "value");
        if (type == MessageType.UPDATE_RANGE) {
          String wrong = RangeUpdates.check(raw, keyOff, klen, raw, valueOff, vlen);
          if (wrong != null) {
            throw r.error(wrong);
          }
        }
        if (MessageType.hasFunction((byte) type)) {
          int fnLen = r.u8("function name length");
          if (fnLen == 0) {
            throw r.error("empty function name");
          }
          r.skip(fnLen, "function name");
        }
        if (r.arrayPosition() > frameEnd) {
          throw r.error("message crosses a frame boundary");
        }
        int points = buf.pointCount();
        int rec = inPlace ? start : buf.appendRaw(raw, start, r.arrayPosition() - start);
        if (inPlace) {
          buf.indexInPlace(start);
        }
        if (!ranges && buf.point(points) != rec) {
          throw r.error("messages out of order");
        }
      }
    } catch (FormatException e) {
      throw NodeReader.corrupt(file, block, dir.frameOffset(Math.max(0, frame - 1)), "buffer: " + e.getMessage() + " (at " + e.position() + " of the raw frames)");
    }
  }

  /**
   * Reads a basement entry's kind and key at {@code r} (the entry grammar of docs/format/node.md),
   * checking both; returns the key's length (the key ends at {@code r}'s position, its value next).
   */
  static int entryKey(BoundedReader r) throws FormatException {
    int kind = r.u8("entry kind");
    if (kind != Basement.KIND_VALUE) {
      throw r.error("unknown entry kind " + kind);
    }
    int klen = r.length("key length", Math.min(Limits.MAX_KEY_SIZE, r.remaining()));
    r.skip(klen, "key");
    return klen;
  }

  /** Checks that the key at {@code raw[keyOff, keyOff + klen)}, which begins frame {@code frame}, is its indexed first key. */
  static void checkFrameStart(BoundedReader r, PartitionDirectory dir, int frame, byte[] raw, int keyOff, int klen) {
    if (frame >= dir.frameEnd(PartitionReader.partitionOf(dir, frame)) || dir.compareFirstKey(frame, raw, keyOff, klen) != 0) {
      throw r.error("frame " + frame + " does not begin with its indexed first key");
    }
  }
}
