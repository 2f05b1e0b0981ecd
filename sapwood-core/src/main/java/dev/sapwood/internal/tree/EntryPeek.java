package dev.sapwood.internal.tree;

import dev.sapwood.internal.cache.FrameCache;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.util.BoundedReader;
import dev.sapwood.internal.util.BoundedReader.FormatException;
import dev.sapwood.internal.util.ThreadScratch;

/**
 * What a get reads of a basement that is neither resident nor worth fetching: the entry of its key
 * alone, found in the one frame that can hold it. The frame is decompressed into the thread's
 * scratch and scanned up to the key; only that entry is copied out, into a basement of at most
 * one entry. A peek used to decompress the frame into a fresh array and index every entry of it
 * (an offset array and an order check per entry) to look one key up, and all of it became
 * garbage at once (docs/benchmarks.md, "readrandom beyond the cache: where a get's CPU goes").
 *
 * <p>Checks: the frame's CRC32C before it is decompressed (or the frame came from the off-heap
 * tier, checked when put), its raw length against what its bytes can decompress to before room is
 * taken for it, and for every entry scanned its bounds, its kind, that the first begins with the
 * frame's indexed first key and that keys strictly ascend. Entries past the key are not scanned.
 * Any failure is a {@link dev.sapwood.CorruptionException} naming the file, block and offset.
 *
 * <p>Thread-safe; the scratch is per thread and never escapes a call.
 */
final class EntryPeek {
  private EntryPeek() {}

  /**
   * Each thread's array for one decompressed frame (about {@link NodeFormat#FRAME_TARGET} bytes;
   * a frame of a large entry past the limit gets a fresh array), read only within one peek.
   */
  private static final ThreadScratch RAW = new ThreadScratch(8 << 10, 256 << 10, 4 << 20);

  private static final byte[] NO_BYTES = new byte[0];
  private static final int[] NO_OFFSETS = new int[0];

  /**
   * The entry of {@code key} in basement {@code i} of the node at {@code block} described by
   * {@code dir}, as a basement of that one entry (none if the key is absent), carrying the
   * basement's max MSN. Not a whole basement: use it for this key's lookup only.
   */
  static Basement peek(BlockFile file, FrameCache tier, long block, PartitionDirectory dir, int i, byte[] key) {
    long maxMsn = dir.maxMsn(i);
    long span = dir.pointFramesFor(i, key, true);
    int f = (int) (span >>> 32);
    if (f == (int) span) {
      return new Basement(NO_BYTES, 0, NO_OFFSETS, 0, maxMsn); // below every frame's first key
    }
    int len = dir.frameRaw(f);
    byte[] raw = PartitionReader.readFrame(file, tier, block, dir, f, RAW, false); // basement frames: not admitted
    BoundedReader r = new BoundedReader(raw, 0, len);
    try {
      int prevOff = -1;
      int prevLen = 0;
      while (r.remaining() > 0) {
        int at = r.arrayPosition();
        int klen = PartitionParsers.entryKey(r);
        int keyOff = r.arrayPosition() - klen;
        if (prevOff < 0) {
          PartitionParsers.checkFrameStart(r, dir, f, raw, keyOff, klen);
        } else if (Keys.compare(raw, prevOff, prevLen, raw, keyOff, klen) >= 0) {
          throw r.error("entries out of order");
        }
        prevOff = keyOff;
        prevLen = klen;
        r.skip(r.length("value length", r.remaining()), "value");
        int c = Keys.compare(raw, keyOff, klen, key);
        if (c == 0) {
          byte[] entry = java.util.Arrays.copyOfRange(raw, at, r.arrayPosition());
          return new Basement(entry, entry.length, new int[] {0}, 1, maxMsn);
        }
        if (c > 0) {
          break;
        }
      }
      return new Basement(NO_BYTES, 0, NO_OFFSETS, 0, maxMsn);
    } catch (FormatException e) {
      throw NodeReader.corrupt(file, block, dir.frameOffset(f), "basement: " + e.getMessage() + " (at " + e.position() + " of frame " + f + ")");
    }
  }
}
