package dev.sapwood.internal.tree;

import java.util.Arrays;

/**
 * The live entries of one key range of a tree, read atomically (one basement's range, with every
 * buffered message above it applied): what a cursor steps through. {@code next} is where the
 * following chunk starts in the direction of the read (inclusive lower bound going forward,
 * exclusive upper bound going backward); null means the read reached the end of the tree.
 *
 * <p>The entries' bytes lie in one array, each key followed by its value, indexed by {@code
 * (start, key length, value length)} triples in key order; {@link #key} and {@link #value} return
 * copies. A cursor keeps its chunks and reads into them again ({@link #reset}), so stepping
 * through a tree allocates the copies it returns and not, besides them, an array per key and per
 * value of every chunk it reads (docs/benchmarks.md, "Reads that allocate what they return").
 *
 * <p>Invariants: {@code 0 <= used <= data.length}; entry {@code i < size} has {@code start + keyLen
 * + valueLen <= used}; keys ascend (a chunk is ascending, whichever way it was read). Not
 * thread-safe: one reader fills it, then one cursor reads it.
 */
public final class Chunk implements MessageApplier.Sink {
  /** Bytes of entries a chunk read into again keeps room for; a larger array is let go at reset. */
  static final int KEEP_BYTES = 1 << 20;
  /** Entries a chunk read into again keeps index room for. */
  static final int KEEP_ENTRIES = 1 << 14;

  private static final byte[] NO_BYTES = new byte[0];
  private static final int[] NO_ENTRIES = new int[0];

  private byte[] data = NO_BYTES;
  private int used;
  /** Per entry: start in {@code data}, key length, value length. */
  private int[] index = NO_ENTRIES;
  private int size;
  private int limit;
  byte[] next;
  boolean atEnd;

  /** A chunk without a limit on its entries. */
  public Chunk() {
    this(Integer.MAX_VALUE);
  }

  /** A chunk that stops taking entries once it holds {@code limit}. */
  public Chunk(int limit) {
    reset(limit);
  }

  /**
   * Empties the chunk for another read that stops taking entries at {@code limit}, keeping its
   * arrays unless they grew past {@link #KEEP_BYTES} / {@link #KEEP_ENTRIES}.
   */
  public void reset(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("chunk limit " + limit);
    }
    this.limit = limit;
    if (data.length > KEEP_BYTES) {
      data = NO_BYTES;
    }
    if (index.length > 3 * KEEP_ENTRIES) {
      index = NO_ENTRIES;
    }
    used = 0;
    size = 0;
    next = null;
    atEnd = false;
  }

  /**
   * Makes room for about {@code bytes} more bytes of keys and values and {@code entries} more
   * entries at once (a hint: what the read expects to emit), so a chunk read into a fresh chunk
   * grows its arrays once instead of doubling them up to its size.
   */
  void reserve(long bytes, int entries) {
    long end = used + Math.max(0, bytes);
    if (end > data.length) {
      data = Arrays.copyOf(data, grown(0, end));
    }
    long slots = 3L * size + 3L * Math.max(0, entries);
    if (slots > index.length) {
      index = Arrays.copyOf(index, grown(0, slots));
    }
  }

  @Override
  public boolean full() {
    return size >= limit;
  }

  @Override
  public void emit(byte[] k, int kOff, int kLen, byte[] v, int vOff, int vLen) {
    int at = append(k, kOff, kLen, v, vOff, vLen);
    roomForOneMore();
    set(size++, at, kLen, vLen);
  }

  /**
   * Makes the chunk say {@code value} for {@code key} (null: absent), keeping key order: a snapshot
   * read puts the versions kept for it over what the leaf says. A replaced entry's old bytes stay
   * in the array unused until the chunk is reset.
   */
  void overlay(byte[] key, byte[] value) {
    int lo = 0;
    int hi = size - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = compareKey(mid, key);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        if (value == null) {
          System.arraycopy(index, 3 * mid + 3, index, 3 * mid, 3 * (size - mid - 1));
          size--;
        } else {
          set(mid, append(key, 0, key.length, value, 0, value.length), key.length, value.length);
        }
        return;
      }
    }
    if (value != null) {
      int at = append(key, 0, key.length, value, 0, value.length);
      roomForOneMore();
      System.arraycopy(index, 3 * lo, index, 3 * lo + 3, 3 * (size - lo));
      size++;
      set(lo, at, key.length, value.length);
    }
  }

  public int size() {
    return size;
  }

  /** Entry {@code i}'s key (a copy). */
  public byte[] key(int i) {
    int s = index[3 * checked(i)];
    return Arrays.copyOfRange(data, s, s + index[3 * i + 1]);
  }

  /** Entry {@code i}'s value (a copy). */
  public byte[] value(int i) {
    int s = index[3 * checked(i)] + index[3 * i + 1];
    return Arrays.copyOfRange(data, s, s + index[3 * i + 2]);
  }

  /** The successor of entry {@code i}'s key (the key with a zero byte appended): where a read after it starts. */
  public byte[] keySuccessor(int i) {
    int s = index[3 * checked(i)];
    byte[] k = new byte[index[3 * i + 1] + 1];
    System.arraycopy(data, s, k, 0, k.length - 1);
    return k;
  }

  /** Compares entry {@code i}'s key with {@code key}, unsigned byte order. */
  public int compareKey(int i, byte[] key) {
    int s = index[3 * checked(i)];
    return Arrays.compareUnsigned(data, s, s + index[3 * i + 1], key, 0, key.length);
  }

  /** Where the next chunk in the same direction begins; meaningless when {@link #atEnd()}. */
  public byte[] next() {
    return next;
  }

  /** Whether no keys lie beyond this chunk in the direction it was read. */
  public boolean atEnd() {
    return atEnd;
  }

  /** Bytes of the array the entries are kept in (for tests: what a reset lets go of). */
  int bytesHeld() {
    return data.length;
  }

  private int checked(int i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException("entry " + i + " of a chunk of " + size);
    }
    return i;
  }

  /** Grows the index, if it must, to hold one more entry. */
  private void roomForOneMore() {
    if (3 * size + 3 > index.length) {
      index = Arrays.copyOf(index, grown(index.length, 3 * size + 3));
    }
  }

  private void set(int i, int start, int kLen, int vLen) {
    index[3 * i] = start;
    index[3 * i + 1] = kLen;
    index[3 * i + 2] = vLen;
  }

  /** Copies a key and its value to the end of the entries' bytes; returns where they start. */
  private int append(byte[] k, int kOff, int kLen, byte[] v, int vOff, int vLen) {
    int at = used;
    long end = (long) at + kLen + vLen;
    if (end > data.length) {
      data = Arrays.copyOf(data, grown(data.length, end));
    }
    System.arraycopy(k, kOff, data, at, kLen);
    System.arraycopy(v, vOff, data, at + kLen, vLen);
    used = (int) end;
    return at;
  }

  /** An array length of at least {@code need}, doubling {@code length} where it can. */
  private static int grown(int length, long need) {
    long max = Integer.MAX_VALUE - 8;
    if (need > max) {
      throw new IllegalStateException("a chunk's entries over " + max + " bytes");
    }
    return (int) Math.min(max, Math.max(need, 2L * length));
  }
}
