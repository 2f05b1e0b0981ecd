package dev.sapwood.internal.tree;

import dev.sapwood.internal.util.BigEndian;
import java.util.Arrays;

/**
 * One partition of a leaf: sorted entries in a byte arena, with an int array of entry offsets.
 * Immutable once built (a flush builds a new basement with {@link BasementBuilder}), so readers
 * holding a reference never see it change. The one exception is append-only and invisible to them:
 * {@link #appended} (TokuFT's sequential-insert heuristic, {@link RightEdge}) writes a new entry
 * past this basement's {@code used} bytes and {@code count} offsets, into spare room of the same
 * arrays, and returns a new basement that sees one entry more; this one still sees exactly what it
 * saw.
 *
 * <p>Entry layout (also on disk): {@code kind u8, keyLen u32, key, valueLen u32, value}. Kind
 * {@link #KIND_VALUE} is a plain committed value; other kinds are reserved for MVCC stacks.
 *
 * <p>Invariants: entries are sorted by key, strictly ascending (no duplicates); {@link #maxMsn()}
 * is the highest MSN of any message applied to this basement, and every message for a key of the
 * basement's range that is not applied yet (still buffered above) has a higher MSN — which is what
 * lets readers and flushes skip messages at or below it. A basement's range therefore grows only
 * over a range whose pending messages are all above its max MSN ({@link LeafMerge#dropEmpty}).
 * Of the basements sharing one arena, only the newest (the one whose count is {@code tip[0]}) is
 * ever appended to, so no two appends write the same bytes.
 */
final class Basement {
  /** Entry kind: a plain value. On disk — never renumber. */
  static final byte KIND_VALUE = 0;
  static final int ENTRY_OVERHEAD = 1 + 4 + 4;

  private static final Basement EMPTY = new Basement(new byte[0], 0, new int[0], 0, 0);

  private final byte[] arena;
  private final int used;
  private final int[] offsets;
  private final int count;
  private final long maxMsn;
  /**
   * Bookkeeping, not content: the stamp of the last node image (a node write or read,
   * {@link PartitionStamps}) that held this basement; 0 if none. Written under the owning node's
   * write latch (or its {@code fetchLock} when fetched), read only under the write latch.
   */
  long diskStamp;
  /**
   * Shared by the basements {@link #appended} made on one arena: {@code tip[0]} is the count of
   * the newest of them, the only one with room it may write into. Null: never appended to.
   */
  private final int[] tip;

  Basement(byte[] arena, int used, int[] offsets, int count, long maxMsn) {
    this(arena, used, offsets, count, maxMsn, null);
  }

  private Basement(byte[] arena, int used, int[] offsets, int count, long maxMsn, int[] tip) {
    this.arena = arena;
    this.used = used;
    this.offsets = offsets;
    this.count = count;
    this.maxMsn = maxMsn;
    this.tip = tip;
  }

  /**
   * This basement with the value entry {@code (k, v)} added at its end, and max MSN {@code msn}
   * (at least its own). The entry goes into spare room of this basement's arrays when this is the
   * newest basement on them; otherwise (or when they are full) into copies with room for at least
   * {@code room} bytes of entries (or twice these), so a run of appends copies each byte O(1)
   * times. Either way this basement is unchanged.
   *
   * <p>REQUIRES: {@code k} is above every key of this basement; the caller holds the write latch
   * of the leaf holding it.
   */
  Basement appended(byte[] k, byte[] v, long msn, int room) {
    int size = ENTRY_OVERHEAD + k.length + v.length;
    byte[] a = arena;
    int[] offs = offsets;
    int[] t = tip;
    if (t == null || t[0] != count || used + size > a.length) {
      a = Arrays.copyOf(arena, Math.max(used + size, Math.max(2 * used, room)));
      offs = Arrays.copyOf(offsets, offsetsFor(count, a.length, size));
      t = new int[1];
    } else if (count == offs.length) {
      // Only the offsets are full: the arena is shared on (its spare room is still this tip's).
      offs = Arrays.copyOf(offsets, offsetsFor(count, a.length, size));
    }
    putValueEntry(a, used, k, 0, k.length, v, 0, v.length);
    offs[count] = used;
    t[0] = count + 1;
    return new Basement(a, used + size, offs, count + 1, Math.max(maxMsn, msn), t);
  }

  /**
   * Offsets for a basement of {@code count} entries appended to: room for as many entries of
   * {@code size} bytes as an arena of {@code arenaLength} bytes holds (so a run of appends copies
   * its offsets O(1) times and its arena never for them), at least one more and at least twice
   * {@code count}.
   */
  private static int offsetsFor(int count, int arenaLength, int size) {
    return Math.max(count + 1, Math.max(2 * count, Math.max(16, arenaLength / Math.max(size, ENTRY_OVERHEAD))));
  }

  /**
   * Writes one value entry at {@code arena[at]}: kind, key length, key, value length, value
   * ({@link #ENTRY_OVERHEAD} + {@code kLen} + {@code vLen} bytes; the caller made the room).
   */
  static void putValueEntry(byte[] arena, int at, byte[] k, int kOff, int kLen, byte[] v, int vOff, int vLen) {
    arena[at] = KIND_VALUE;
    BigEndian.putInt(arena, at + 1, kLen);
    System.arraycopy(k, kOff, arena, at + 5, kLen);
    BigEndian.putInt(arena, at + 5 + kLen, vLen);
    System.arraycopy(v, vOff, arena, at + 9 + kLen, vLen);
  }

  static Basement empty() {
    return EMPTY;
  }

  int count() {
    return count;
  }

  long maxMsn() {
    return maxMsn;
  }

  /** Bytes of entries. */
  int bytes() {
    return used;
  }

  long memoryBytes() {
    return 40L + arena.length + 4L * offsets.length;
  }

  byte[] arena() {
    return arena;
  }

  int entryOffset(int i) {
    return offsets[i];
  }

  int keyLen(int i) {
    return BigEndian.getInt(arena, offsets[i] + 1);
  }

  int keyOff(int i) {
    return offsets[i] + 5;
  }

  int valueLen(int i) {
    int e = offsets[i];
    return BigEndian.getInt(arena, e + 5 + BigEndian.getInt(arena, e + 1));
  }

  int valueOff(int i) {
    int e = offsets[i];
    return e + 9 + BigEndian.getInt(arena, e + 1);
  }

  byte[] key(int i) {
    int off = keyOff(i);
    return Arrays.copyOfRange(arena, off, off + keyLen(i));
  }

  byte[] value(int i) {
    int off = valueOff(i);
    return Arrays.copyOfRange(arena, off, off + valueLen(i));
  }

  /** Index of {@code key} if present, else {@code -(insertion point) - 1}. */
  int find(byte[] key) {
    int lo = 0;
    int hi = count - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = Keys.compare(arena, keyOff(mid), keyLen(mid), key);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -(lo + 1);
  }

  /** Index of the first entry with key {@code >= key}; 0 for null. */
  int lowerBound(byte[] key) {
    if (key == null) {
      return 0;
    }
    int i = find(key);
    return i >= 0 ? i : -i - 1;
  }

  /** Index of the first entry with key {@code >= key}; count for null (plus infinity). */
  int lowerBoundOrEnd(byte[] key) {
    return key == null ? count : lowerBound(key);
  }
}
