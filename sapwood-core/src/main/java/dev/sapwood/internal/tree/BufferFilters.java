package dev.sapwood.internal.tree;

import dev.sapwood.internal.util.BigEndian;
import dev.sapwood.internal.util.BoundedReader;

/**
 * The key filters of an internal node's buffer partitions (format 9; docs/format/node.md, "Buffer
 * filters"): one {@link KeyFilter} per buffer over its point keys, written in the node's header
 * after the directory so that they stay in memory with the node's skeleton ({@link
 * PartitionDirectory}), and a point get skips a non-resident buffer whose filter rules its key out
 * instead of reading one of its frames. A buffer on disk is immutable, so its filter describes
 * exactly what was written; a buffer changed in memory is resident and never asks its filter.
 *
 * <pre>
 * BufferFilters := FilterEntry{n}          (after the last DirEntry, before headerCrc)
 * FilterEntry   := hashes u8, filterLength u32, filter bytes   (hashes 0, length 0: no filter)
 * </pre>
 *
 * <p>Sizing: {@link KeyFilter#BITS_PER_KEY} bits per point message (about 1% false positives),
 * fewer when a node's filters would pass {@link #MAX_NODE_BYTES}, none below {@link
 * #MIN_BITS_PER_KEY}; a buffer with no point message has no filter. Stateless; thread-safe.
 */
final class BufferFilters {
  private BufferFilters() {}

  /**
   * Most filter bytes one node's header carries: 64 KiB, about 52,000 point messages at 10 bits
   * each (a default 1 MiB node of 100-byte values holds about 8,000, so about 10 KiB).
   */
  static final int MAX_NODE_BYTES = 64 << 10;
  /** Fewest bits per key worth a filter (about 15% false positives with 3 probes). */
  static final int MIN_BITS_PER_KEY = 4;
  /** FilterEntry bytes before the filter. */
  static final int ENTRY_FIXED = 1 + 4;

  /**
   * Filters for the buffers of an internal node about to be written (each must be in memory), or
   * null when none is worth writing (no point message, or too many for {@link #MAX_NODE_BYTES}).
   * Entry i is null for a buffer without point messages.
   */
  static KeyFilter[] build(MessageBuffer[] buffers, int n) {
    long keys = 0;
    int withKeys = 0;
    for (int i = 0; i < n; i++) {
      int c = buffers[i].pointCount();
      keys += c;
      withKeys += c > 0 ? 1 : 0;
    }
    int bitsPerKey = bitsPerKey(keys, withKeys);
    if (bitsPerKey == 0) {
      return null;
    }
    KeyFilter[] out = new KeyFilter[n];
    for (int i = 0; i < n; i++) {
      if (buffers[i].pointCount() > 0) {
        out[i] = KeyFilter.of(buffers[i], bitsPerKey);
      }
    }
    return out;
  }

  /**
   * Bits per key of a node's filters over {@code keys} point messages in {@code withKeys} buffers:
   * {@link KeyFilter#BITS_PER_KEY}, fewer where they would pass {@link #MAX_NODE_BYTES}; 0 for no
   * filters (no point message, or fewer than {@link #MIN_BITS_PER_KEY} bits per key would fit).
   */
  static int bitsPerKey(long keys, int withKeys) {
    if (keys == 0) {
      return 0;
    }
    long room = 8L * (MAX_NODE_BYTES - 9L * withKeys); // a filter is at least 64 bits, rounded up to bytes
    int bitsPerKey = (int) Math.min(KeyFilter.BITS_PER_KEY, Math.max(0, room) / keys);
    return bitsPerKey < MIN_BITS_PER_KEY ? 0 : bitsPerKey;
  }

  /** Header bytes of {@code filters} (n entries). */
  static long headerBytes(KeyFilter[] filters) {
    long total = 0;
    for (KeyFilter f : filters) {
      total += ENTRY_FIXED + (f == null ? 0 : f.bytes().length);
    }
    return total;
  }

  /** Writes {@code filters} at {@code at}; returns the offset after them. */
  static int write(byte[] out, int at, KeyFilter[] filters) {
    for (KeyFilter f : filters) {
      if (f == null) {
        out[at] = 0;
        BigEndian.putInt(out, at + 1, 0);
        at += ENTRY_FIXED;
      } else {
        byte[] bits = f.bytes();
        out[at] = (byte) f.hashes();
        BigEndian.putInt(out, at + 1, bits.length);
        System.arraycopy(bits, 0, out, at + ENTRY_FIXED, bits.length);
        at += ENTRY_FIXED + bits.length;
      }
    }
    return at;
  }

  /**
   * Reads the {@code n} filter entries of a header whose directory {@code dir} was just parsed;
   * they must end exactly where the header's CRC begins (the reader's end). A filter must have 1 to
   * {@link KeyFilter#MAX_HASHES} probes and 1 to {@link KeyFilter#MAX_BYTES} bytes, within the
   * header, and belong to a buffer with point messages; hashes 0 must have length 0.
   */
  static KeyFilter[] read(BoundedReader r, int n, DirectoryBuilder dir) {
    KeyFilter[] out = new KeyFilter[n];
    for (int i = 0; i < n; i++) {
      int hashes = r.u8("filter hashes");
      int len = r.length("filter length", Math.min(KeyFilter.MAX_BYTES, r.remaining()));
      if (hashes == 0 && len == 0) {
        continue;
      }
      if (hashes < 1 || hashes > KeyFilter.MAX_HASHES || len == 0 || dir.count(i) == 0) {
        throw r.error("buffer " + i + ": filter of " + len + " bytes with " + hashes + " hashes over "
            + dir.count(i) + " point messages");
      }
      out[i] = new KeyFilter(r.bytes(len, "filter"), hashes);
    }
    if (r.remaining() != 0) {
      throw r.error(r.remaining() + " bytes after the buffer filters");
    }
    return out;
  }
}
