package dev.sapwood.internal.tree;

import dev.sapwood.Limits;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.util.BigEndian;
import dev.sapwood.internal.util.BoundedReader.FormatException;
import dev.sapwood.internal.util.BoundedReader;
import dev.sapwood.internal.util.Checksums;
import dev.sapwood.internal.util.ThreadScratch;
import java.util.Arrays;

/**
 * Adds an internal node's buffer filters ({@link BufferFilters}) to its parked image on the way to
 * the file (docs/design.md, "Buffer filters only for images that reach the file"). A dirty internal
 * node is parked without them ({@link NodeWriter#writeSharedUnfiltered}): most parked images are
 * loaded back and decoded whole, and a node in memory never asks its filters. When a spill or a
 * checkpoint writes a parked image, this builds the filters from the image's point frames (each
 * frame's checksum checked, decompressed into a per-thread array, every point key hashed) and
 * splices them into its header: the height field gets {@link NodeFormat#HEIGHT_FILTER_FLAG}, the
 * header length and every partition's offset grow by the filter entries' bytes, the entries go
 * after the directory, the header's CRC32C is summed again, and the frames move up unchanged.
 *
 * <p>Invariant: the result is byte for byte what {@link NodeWriter#write(Node, byte)} makes of the
 * node the image holds — the same sizing ({@link BufferFilters#bitsPerKey} over the directory's
 * point counts), the same keys, the same layout — so what reaches the file is the file format, and
 * the parked image itself stays a decodable node image (a header without filters is one). Stateless
 * but for the per-thread frame array; thread-safe.
 */
final class ParkedFilters {
  private ParkedFilters() {}

  /** Decompressed frames, one at a time (a frame is about 4 KiB; one large record makes a larger one). */
  private static final ThreadScratch FRAME = new ThreadScratch(8 << 10, 1 << 20, 1 << 20);

  /**
   * Bytes beyond an image's length that let its filters be added in place: a node's most filter
   * bytes, and an entry for each of up to 1,024 buffers (a larger need copies the image once).
   */
  static final int ROOM = BufferFilters.MAX_NODE_BYTES + 1_024 * BufferFilters.ENTRY_FIXED;

  /**
   * An image ready for the file: {@code bytes[0, length)} (the image's own array when the filters
   * were added in place, or none were), with {@code built} filters of {@code filterBytes} bits'
   * bytes over {@code keys} point keys.
   */
  record Filtered(byte[] bytes, int length, int built, long keys, long filterBytes) {}

  /**
   * The parked image {@code image[0, length)} of internal node {@code block} with its buffers'
   * filters added, built in {@code image} itself when it has room; the image unchanged if it needs
   * none (no point message, too many keys) or has them already.
   *
   * @throws dev.sapwood.CorruptionException if the image does not decode (its header's or a
   *     frame's checksum, a length, a record)
   */
  static Filtered add(BlockFile file, long block, byte[] image, int length) {
    try {
      return addTo(file, block, image, length);
    } catch (BlockCorruption e) {
      throw e.inParkedImage(); // the bytes are in memory: the block's extent, if any, is not damaged
    }
  }

  private static Filtered addTo(BlockFile file, long block, byte[] image, int length) {
    Node head = NodeReader.readImage(file, block, image, length);
    if (head.height == 0) {
      throw NodeReader.corrupt(file, block, 0, "the image of a leaf");
    }
    int heightField = BigEndian.getU16(image, 8);
    PartitionDirectory dir = head.disk;
    int n = head.n;
    long keys = 0;
    int withKeys = 0;
    for (int i = 0; i < n; i++) {
      keys += dir.count(i);
      withKeys += dir.count(i) > 0 ? 1 : 0;
    }
    int bitsPerKey = BufferFilters.bitsPerKey(keys, withKeys);
    if (bitsPerKey == 0 || (heightField & NodeFormat.HEIGHT_FILTER_FLAG) != 0) {
      return new Filtered(image, length, 0, 0, dir.filterBytes());
    }
    KeyFilter[] filters = new KeyFilter[n];
    long filterBytes = 0;
    for (int i = 0; i < n; i++) {
      if (dir.count(i) > 0) {
        filters[i] = filter(file, block, dir, i, image, bitsPerKey);
        filterBytes += filters[i].bytes().length;
      }
    }
    int added = (int) BufferFilters.headerBytes(filters);
    int headerLen = BigEndian.getInt(image, 4);
    int out = length + added;
    byte[] dst = image.length >= out ? image : Arrays.copyOf(image, out);
    System.arraycopy(dst, headerLen, dst, headerLen + added, length - headerLen);
    BigEndian.putInt(dst, 4, headerLen + added);
    BigEndian.putU16(dst, 8, heightField | NodeFormat.HEIGHT_FILTER_FLAG);
    shiftOffsets(dst, n, added, headerLen - 4);
    int end = BufferFilters.write(dst, headerLen - 4, filters);
    BigEndian.putInt(dst, end, Checksums.crc32c(dst, 0, end));
    return new Filtered(dst, out, withKeys, keys, filterBytes);
  }

  /** Buffer {@code i}'s filter over the point keys of its frames in {@code image}. */
  private static KeyFilter filter(BlockFile file, long block, PartitionDirectory dir, int i, byte[] image, int bitsPerKey) {
    byte[] bits = KeyFilter.bitsFor(dir.count(i), bitsPerKey);
    int hashes = KeyFilter.hashesFor(bitsPerKey);
    int seen = 0;
    for (int f = dir.firstFrame(i); f < dir.pointFrameEnd(i); f++) {
      byte[] raw = PartitionReader.imageFrame(file, block, dir, f, image, FRAME);
      BoundedReader r = new BoundedReader(raw, 0, dir.frameRaw(f));
      try {
        while (r.remaining() > 0) {
          int type = r.u8("message type");
          if (!MessageType.isValid((byte) type) || MessageType.isRange((byte) type)) {
            throw r.error("message type " + type + " in the point frames");
          }
          r.i64("msn");
          int klen = r.length("key length", Math.min(Limits.MAX_KEY_SIZE, r.remaining()));
          int keyOff = r.arrayPosition();
          r.skip(klen, "key");
          r.skip(r.length("value length", r.remaining()), "value");
          if (MessageType.hasFunction((byte) type)) {
            r.skip(r.u8("function name length"), "function name");
          }
          KeyFilter.add(bits, hashes, raw, keyOff, klen);
          seen++;
        }
      } catch (FormatException e) {
        throw NodeReader.corrupt(file, block, dir.frameOffset(f), "buffer " + i + ": " + e.getMessage());
      }
    }
    if (seen != dir.count(i)) {
      throw NodeReader.corrupt(file, block, dir.offset(i), "buffer " + i + " holds " + seen
          + " point messages, its directory says " + dir.count(i));
    }
    return new KeyFilter(bits, hashes);
  }

  /**
   * Adds {@code by} to the offset of each of the {@code n} partitions in the directory of the
   * internal node header in {@code b} (already checked whole by {@link NodeReader#readImage}), which
   * must end at {@code dirEnd}.
   */
  private static void shiftOffsets(byte[] b, int n, int by, int dirEnd) {
    int at = NodeFormat.FIXED_HEADER;
    for (int i = 0; i < n - 1; i++) {
      at += 2 + BigEndian.getU16(b, at);
    }
    at += 8 * n; // the children
    for (int i = 0; i < n; i++) {
      BigEndian.putInt(b, at, BigEndian.getInt(b, at) + by);
      int frames = BigEndian.getInt(b, at + 25);
      at += NodeFormat.DIR_ENTRY_FIXED;
      for (int f = 0; f < frames; f++) {
        at += NodeFormat.FRAME_ENTRY_FIXED + BigEndian.getU16(b, at + 12);
      }
    }
    if (at != dirEnd) {
      throw new IllegalStateException("directory ends at " + at + ", the header's at " + dirEnd);
    }
  }
}
