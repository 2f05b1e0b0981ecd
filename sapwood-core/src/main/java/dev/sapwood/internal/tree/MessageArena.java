package dev.sapwood.internal.tree;

import dev.sapwood.internal.util.BigEndian;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The record storage under a {@link MessageBuffer}: one append-only byte arena of message records
 * and the reads of one record by its offset. The buffer on top keeps the records in order; this
 * class knows only the layout.
 *
 * <p>Record layout (also the on-disk layout inside a buffer partition): {@code type u8, msn u64,
 * keyLen u32, key, valueLen u32, value, [fnLen u8, fn name]} — the function name only for UPDATE
 * and UPDATE_RANGE. For DELETE_RANGE, key is the inclusive start and value the exclusive end; for
 * UPDATE_RANGE, key is the inclusive start and value holds the end and the argument ({@link
 * RangeUpdates}).
 *
 * <p>Invariants: {@code [0, used)} of the arena is whole records back to back, each live (in one of
 * the buffer's lists) or dead (replaced by a combined record, {@link Combiner}: in no list, its
 * bytes counted in {@code dead}); {@link #bytes()} is the sum of the live records' sizes. A record
 * is changed in place only by a combine, which keeps its key and size. Not thread-safe: guarded by
 * the owning node's latch.
 */
abstract sealed class MessageArena permits MessageIndex {
  static final int HEADER = 1 + 8 + 4;

  private byte[] arena;
  private int used;
  /** Bytes of dead records in {@code [0, used)}. */
  private int dead;
  /**
   * The stamp of the last node image (a node write or read, {@link PartitionStamps}) that held
   * these records unchanged; every change of the records sets it back to 0.
   */
  long diskStamp;

  MessageArena(int capacity) {
    arena = new byte[Math.max(16, capacity)];
  }

  /**
   * An arena over {@code records}, which the caller hands over (it keeps no reference) and which
   * holds whole records back to back in {@code [0, records.length)}: the node reader's decompressed
   * frames, so a fetched buffer is not copied once more. Until the owner has put every record in
   * a list the invariant above does not hold; the reader discards the buffer if parsing fails.
   */
  MessageArena(byte[] records) {
    arena = records;
    used = records.length;
  }

  // ---- record accessors (by record offset) ----

  final byte type(int rec) {
    return arena[rec];
  }

  final long msn(int rec) {
    return BigEndian.getLong(arena, rec + 1);
  }

  final int keyLen(int rec) {
    return BigEndian.getInt(arena, rec + 9);
  }

  final int keyOff(int rec) {
    return rec + HEADER;
  }

  final int valueLen(int rec) {
    return BigEndian.getInt(arena, rec + HEADER + keyLen(rec));
  }

  final int valueOff(int rec) {
    return rec + HEADER + keyLen(rec) + 4;
  }

  final String functionName(int rec) {
    int at = valueOff(rec) + valueLen(rec);
    return new String(arena, at + 1, arena[at] & 0xFF, StandardCharsets.UTF_8);
  }

  final int recordSize(int rec) {
    int end = valueOff(rec) + valueLen(rec);
    if (MessageType.hasFunction(type(rec))) {
      end += 1 + (arena[end] & 0xFF);
    }
    return end - rec;
  }

  final byte[] arena() {
    return arena;
  }

  final byte[] copyKey(int rec) {
    int off = keyOff(rec);
    return Arrays.copyOfRange(arena, off, off + keyLen(rec));
  }

  final byte[] copyValue(int rec) {
    int off = valueOff(rec);
    return Arrays.copyOfRange(arena, off, off + valueLen(rec));
  }

  final int compareKey(int rec, byte[] key) {
    return Keys.compare(arena, keyOff(rec), keyLen(rec), key);
  }

  /** Orders record {@code rec} against the key at {@code arena[kOff..kOff+kLen)} and {@code msn}. */
  final int compareRecords(int rec, int kOff, int kLen, long msn) {
    int c = Keys.compare(arena, keyOff(rec), keyLen(rec), arena, kOff, kLen);
    return c != 0 ? c : Long.compare(msn(rec), msn);
  }

  // ---- range records ----

  /** Whether range message {@code rec} covers some key of [lo, hi) (null bounds are infinite). */
  final boolean rangeOverlaps(int rec, byte[] lo, byte[] hi) {
    // range [s, e) overlaps [lo, hi) iff s < hi and e > lo
    if (hi != null && compareKey(rec, hi) >= 0) {
      return false;
    }
    return lo == null || endAbove(rec, lo, 0, lo.length);
  }

  /** Whether range message {@code rec} covers the key in {@code k[kOff..kOff+kLen)}. */
  final boolean rangeCovers(int rec, byte[] k, int kOff, int kLen) {
    return Keys.compare(arena, keyOff(rec), keyLen(rec), k, kOff, kLen) <= 0 && endAbove(rec, k, kOff, kLen);
  }

  /** Whether range message {@code rec}'s exclusive end is above the key (always, if it has none). */
  final boolean endAbove(int rec, byte[] k, int kOff, int kLen) {
    int v = valueOff(rec);
    if (type(rec) == MessageType.DELETE_RANGE) {
      return Keys.compare(arena, v, valueLen(rec), k, kOff, kLen) > 0;
    }
    return !RangeUpdates.bounded(arena, v)
        || Keys.compare(arena, RangeUpdates.endOff(v), RangeUpdates.endLen(arena, v), k, kOff, kLen) > 0;
  }

  /** A copy of range message {@code rec}'s exclusive end, or null if it has none. */
  final byte[] copyRangeEnd(int rec) {
    if (type(rec) == MessageType.DELETE_RANGE) {
      return copyValue(rec);
    }
    int v = valueOff(rec);
    return RangeUpdates.bounded(arena, v)
        ? Arrays.copyOfRange(arena, RangeUpdates.endOff(v), RangeUpdates.endOff(v) + RangeUpdates.endLen(arena, v))
        : null;
  }

  /** A copy of the argument of UPDATE_RANGE message {@code rec}. */
  final byte[] copyRangeArgument(int rec) {
    int v = valueOff(rec);
    return Arrays.copyOfRange(arena, RangeUpdates.argOff(arena, v), v + valueLen(rec));
  }

  // ---- storage ----

  /** Bytes of live message records held. */
  final int bytes() {
    return used - dead;
  }

  /** Bytes of dead records still in the arena (a compaction drops them). */
  final int deadBytes() {
    return dead;
  }

  /** Whether {@code more} bytes would not fit without growing the arena while half of it is dead. */
  final boolean wastefulFor(int more) {
    return dead > 0 && (long) used + more > arena.length && dead >= used / 2;
  }

  /** Forgets every record; a large arena is dropped for a small one. */
  final void clearArena() {
    diskStamp = 0;
    if (arena.length > 4096) {
      arena = new byte[64];
    }
    used = 0;
    dead = 0;
  }

  /**
   * Marks record {@code rec} dead (the caller has taken it out of its list): the last record of
   * the arena is cut off, any other is counted in {@link #deadBytes()} until a compaction.
   */
  final void markDead(int rec) {
    diskStamp = 0;
    int size = recordSize(rec);
    if (rec + size == used) {
      used = rec;
    } else {
      dead += size;
    }
  }

  /** Sets the MSN of record {@code rec} in place (a combine: the record takes the newer MSN). */
  final void setMsn(int rec, long msn) {
    diskStamp = 0;
    BigEndian.putLong(arena, rec + 1, msn);
  }

  /** Installs a compacted arena holding {@code used} bytes of live records and no dead ones. */
  final void replaceArena(byte[] a, int usedBytes) {
    diskStamp = 0;
    arena = a;
    used = usedBytes;
    dead = 0;
  }

  /** Writes one record at the end of the arena, returning its offset; {@code fn} null but for UPDATE*. */
  final int writeRecord(
      byte type, long msn, byte[] key, int keyOff, int keyLen, byte[] val, int valOff, int valLen, byte[] fn) {
    boolean named = MessageType.hasFunction(type);
    int size = HEADER + keyLen + 4 + valLen + (named ? 1 + fn.length : 0);
    int rec = reserve(size);
    arena[rec] = type;
    BigEndian.putLong(arena, rec + 1, msn);
    BigEndian.putInt(arena, rec + 9, keyLen);
    System.arraycopy(key, keyOff, arena, rec + HEADER, keyLen);
    int v = rec + HEADER + keyLen;
    BigEndian.putInt(arena, v, valLen);
    System.arraycopy(val, valOff, arena, v + 4, valLen);
    if (named) {
      int f = v + 4 + valLen;
      arena[f] = (byte) fn.length;
      System.arraycopy(fn, 0, arena, f + 1, fn.length);
    }
    return rec;
  }

  /** Copies record {@code rec} of {@code src} to the end of the arena; returns its offset here. */
  final int copyRecord(MessageArena src, int rec) {
    return appendRecord(src.arena, rec, src.recordSize(rec));
  }

  /** Copies {@code size} bytes of {@code src[off..)} (one whole record) to the end of the arena. */
  final int appendRecord(byte[] src, int off, int size) {
    int at = reserve(size);
    System.arraycopy(src, off, arena, at, size);
    return at;
  }

  /** Grows the arena once so that {@code bytes} more fit (a batch add copies the arena once). */
  final void reserveCapacity(int bytes) {
    if (used + bytes > arena.length) {
      long want = Math.max(arena.length + (long) (arena.length >> 1), (long) used + bytes);
      arena = Arrays.copyOf(arena, (int) Math.min(Integer.MAX_VALUE - 16, want));
    }
  }

  private int reserve(int size) {
    diskStamp = 0;
    if (used + size > arena.length) {
      long want = Math.max((long) arena.length * 2, (long) used + size);
      arena = Arrays.copyOf(arena, (int) Math.min(Integer.MAX_VALUE - 16, want));
    }
    int at = used;
    used += size;
    return at;
  }
}
