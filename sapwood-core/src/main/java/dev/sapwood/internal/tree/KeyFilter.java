package dev.sapwood.internal.tree;

/**
 * A Bloom filter over the point keys of one leaf-delta segment ({@link DeltaSegment}) or of one
 * buffer partition of an internal node ({@link BufferFilters}): a get asks it before reading the
 * segment's or the buffer's frame, and skips it when the answer is "absent". The bytes are stored
 * in the leaf's delta index block (docs/format/node.md, "Delta segments") or the internal node's
 * header ("Buffer filters"), so the
 * hash is part of the format: FNV-1a 64 over the key's bytes, then MurmurHash3's 64-bit finalizer;
 * {@code h1} is its low 32 bits, {@code h2} its high 32 bits with the lowest bit set, and probe
 * {@code i} (0 ≤ i &lt; hashes) tests bit {@code (h1 + i·h2) mod (8·bytes)} (unsigned 32-bit
 * arithmetic), bit {@code b} being {@code (byte[b >>> 3] >>> (b & 7)) & 1}.
 *
 * <p>Invariants: a key added is always reported present (no false negatives); {@code hashes} is in
 * 1..{@link #MAX_HASHES} and the filter holds at least one byte. Immutable once built; thread-safe.
 */
final class KeyFilter {
  /** Bits per key the writer spends (about 1% false positives with {@link #HASHES} probes). */
  static final int BITS_PER_KEY = 10;
  /** Probes per key the writer uses. */
  static final int HASHES = 6;
  /** Most probes a reader accepts from disk. */
  static final int MAX_HASHES = 16;
  /** Largest filter a reader accepts from disk: 1 MiB (a segment of a 256 MiB node's keys needs less). */
  static final int MAX_BYTES = 1 << 20;

  private final byte[] bits;
  private final int hashes;

  KeyFilter(byte[] bits, int hashes) {
    if (bits.length == 0 || hashes < 1 || hashes > MAX_HASHES) {
      throw new IllegalArgumentException("filter of " + bits.length + " bytes, " + hashes + " hashes");
    }
    this.bits = bits;
    this.hashes = hashes;
  }

  /** A filter over the point keys of {@code buf} (its range messages are not in it). */
  static KeyFilter of(MessageBuffer buf) {
    return of(buf, BITS_PER_KEY);
  }

  /**
   * A filter over the point keys of {@code buf} with {@code bitsPerKey} bits per key (at least 64
   * bits in all) and the number of probes that suits it: {@link #HASHES} at {@link #BITS_PER_KEY},
   * about 0.69 per bit per key below.
   */
  static KeyFilter of(MessageBuffer buf, int bitsPerKey) {
    int keys = buf.pointCount();
    byte[] bits = bitsFor(keys, bitsPerKey);
    int hashes = hashesFor(bitsPerKey);
    for (int i = 0; i < keys; i++) {
      int rec = buf.point(i);
      add(bits, hashes, buf.arena(rec), buf.keyOff(rec), buf.keyLen(rec));
    }
    return new KeyFilter(bits, hashes);
  }

  /** Probes per key at {@code bitsPerKey}: {@link #HASHES} at {@link #BITS_PER_KEY}, about 0.69 per bit per key below. */
  static int hashesFor(int bitsPerKey) {
    return bitsPerKey >= BITS_PER_KEY ? HASHES : Math.max(1, (bitsPerKey * 69 + 50) / 100);
  }

  /** The empty bits of a filter over {@code keys} keys at {@code bitsPerKey} (at least 64 bits in all). */
  static byte[] bitsFor(int keys, int bitsPerKey) {
    long nbits = Math.max(64, (long) keys * bitsPerKey);
    return new byte[(int) Math.min(MAX_BYTES, (nbits + 7) / 8)];
  }

  /** Adds the key {@code a[off, off+len)} to the filter bits {@code bits} with {@code hashes} probes. */
  static void add(byte[] bits, int hashes, byte[] a, int off, int len) {
    long m = 8L * bits.length;
    long h = hash(a, off, len);
    int h1 = (int) h;
    int h2 = (int) (h >>> 32) | 1;
    for (int i = 0; i < hashes; i++) {
      long b = Integer.toUnsignedLong(h1 + i * h2) % m;
      bits[(int) (b >>> 3)] |= (byte) (1 << (b & 7));
    }
  }

  /** Whether {@code key} may be among the keys the filter was built over (false: certainly not). */
  boolean mayContain(byte[] key) {
    long h = hash(key, 0, key.length);
    long m = 8L * bits.length;
    int h1 = (int) h;
    int h2 = (int) (h >>> 32) | 1;
    for (int i = 0; i < hashes; i++) {
      long b = Integer.toUnsignedLong(h1 + i * h2) % m;
      if ((bits[(int) (b >>> 3)] & (1 << (b & 7))) == 0) {
        return false;
      }
    }
    return true;
  }

  /** FNV-1a 64 over {@code a[off, off+len)}, then MurmurHash3's fmix64. */
  static long hash(byte[] a, int off, int len) {
    long h = 0xcbf29ce484222325L;
    for (int i = off; i < off + len; i++) {
      h ^= a[i] & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  /** Heap bytes of this filter (object, array header and bits). */
  long memoryBytes() {
    return 32L + bits.length;
  }

  byte[] bytes() {
    return bits;
  }

  int hashes() {
    return hashes;
  }
}
