package dev.sapwood.internal.tree;

import dev.sapwood.internal.util.BigEndian;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The records under a {@link MessageBuffer}: an append-only arena of message records and the reads
 * of one record by its offset. The buffer on top keeps the records in order; this class knows the
 * layout, {@link ArenaBlocks} where the bytes are.
 *
 * <p>Record layout (also the on-disk layout inside a buffer partition): {@code type u8, msn u64,
 * keyLen u32, key, valueLen u32, value, [fnLen u8, fn name]} — the function name only for UPDATE
 * and UPDATE_RANGE. For DELETE_RANGE, key is the inclusive start and value the exclusive end; for
 * UPDATE_RANGE, key is the inclusive start and value holds the end and the argument ({@link
 * RangeUpdates}).
 *
 * <p>Invariants: every live record is in one of the buffer's lists, every dead one (replaced by a
 * combined record, {@link Combiner}) in neither; {@link #bytes()} is the sum of the live records'
 * sizes. A record is changed in place only by a combine, which keeps its key and size. Its bytes
 * are where {@link ArenaBlocks} keeps them: {@link #arena(int)} at offsets local to that array
 * ({@link #at}, {@link #keyOff}, {@link #valueOff}). Not thread-safe: guarded by the owning node's
 * latch.
 */
abstract sealed class MessageArena extends ArenaBlocks permits MessageIndex {
  static final int HEADER = 1 + 8 + 4;

  MessageArena(int capacity) {
    super(capacity);
  }

  /** Over {@code records} handed over by the node reader: {@link ArenaBlocks#ArenaBlocks(byte[])}. */
  MessageArena(byte[] records) {
    super(records);
  }

  /** Over {@code records[0, used)}: {@link ArenaBlocks#ArenaBlocks(byte[], int)}. */
  MessageArena(byte[] records, int used) {
    super(records, used);
  }

  // ---- record accessors (by record offset) ----

  final byte type(int rec) {
    return arena(rec)[at(rec)];
  }

  final long msn(int rec) {
    return BigEndian.getLong(arena(rec), at(rec) + 1);
  }

  final int keyLen(int rec) {
    return BigEndian.getInt(arena(rec), at(rec) + 9);
  }

  /** Where record {@code rec}'s key starts in {@link #arena(int)}{@code (rec)}. */
  final int keyOff(int rec) {
    return at(rec) + HEADER;
  }

  final int valueLen(int rec) {
    byte[] a = arena(rec);
    int r = at(rec);
    return BigEndian.getInt(a, r + HEADER + BigEndian.getInt(a, r + 9));
  }

  /** Where record {@code rec}'s value starts in {@link #arena(int)}{@code (rec)}. */
  final int valueOff(int rec) {
    return keyOff(rec) + keyLen(rec) + 4;
  }

  final String functionName(int rec) {
    byte[] a = arena(rec);
    int f = valueOff(rec) + valueLen(rec);
    return new String(a, f + 1, a[f] & 0xFF, StandardCharsets.UTF_8);
  }

  final int recordSize(int rec) {
    byte[] a = arena(rec);
    int r = at(rec);
    int v = r + HEADER + BigEndian.getInt(a, r + 9);
    int end = v + 4 + BigEndian.getInt(a, v);
    if (MessageType.hasFunction(a[r])) {
      end += 1 + (a[end] & 0xFF);
    }
    return end - r;
  }

  final byte[] copyKey(int rec) {
    int off = keyOff(rec);
    return Arrays.copyOfRange(arena(rec), off, off + keyLen(rec));
  }

  final byte[] copyValue(int rec) {
    int off = valueOff(rec);
    return Arrays.copyOfRange(arena(rec), off, off + valueLen(rec));
  }

  final int compareKey(int rec, byte[] key) {
    return Keys.compare(arena(rec), keyOff(rec), keyLen(rec), key);
  }

  /** Orders record {@code rec} against record {@code other} by (key, msn). */
  final int compareRecords(int rec, int other) {
    int c = Keys.compare(arena(rec), keyOff(rec), keyLen(rec), arena(other), keyOff(other), keyLen(other));
    return c != 0 ? c : Long.compare(msn(rec), msn(other));
  }

  /** Whether records {@code a} and {@code b} have the same key. */
  final boolean sameKey(int a, int b) {
    return Keys.compare(arena(a), keyOff(a), keyLen(a), arena(b), keyOff(b), keyLen(b)) == 0;
  }

  /** Bytes the keys of records {@code a} and {@code b} share at their start, at most {@code max}. */
  final int commonPrefix(int a, int b, int max) {
    int n = Math.min(max, Math.min(keyLen(a), keyLen(b)));
    int ka = keyOff(a);
    int kb = keyOff(b);
    int m = Arrays.mismatch(arena(a), ka, ka + n, arena(b), kb, kb + n);
    return m < 0 ? n : m;
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
    return Keys.compare(arena(rec), keyOff(rec), keyLen(rec), k, kOff, kLen) <= 0 && endAbove(rec, k, kOff, kLen);
  }

  /** Whether range message {@code rec}'s exclusive end is above the key (always, if it has none). */
  final boolean endAbove(int rec, byte[] k, int kOff, int kLen) {
    byte[] a = arena(rec);
    int v = valueOff(rec);
    if (type(rec) == MessageType.DELETE_RANGE) {
      return Keys.compare(a, v, valueLen(rec), k, kOff, kLen) > 0;
    }
    return !RangeUpdates.bounded(a, v)
        || Keys.compare(a, RangeUpdates.endOff(v), RangeUpdates.endLen(a, v), k, kOff, kLen) > 0;
  }

  /** A copy of range message {@code rec}'s exclusive end, or null if it has none. */
  final byte[] copyRangeEnd(int rec) {
    if (type(rec) == MessageType.DELETE_RANGE) {
      return copyValue(rec);
    }
    byte[] a = arena(rec);
    int v = valueOff(rec);
    return RangeUpdates.bounded(a, v)
        ? Arrays.copyOfRange(a, RangeUpdates.endOff(v), RangeUpdates.endOff(v) + RangeUpdates.endLen(a, v))
        : null;
  }

  /** A copy of the argument of UPDATE_RANGE message {@code rec}. */
  final byte[] copyRangeArgument(int rec) {
    byte[] a = arena(rec);
    int v = valueOff(rec);
    return Arrays.copyOfRange(a, RangeUpdates.argOff(a, v), v + valueLen(rec));
  }

  // ---- changes ----

  /**
   * Marks record {@code rec} dead (the caller has taken it out of its list): the last record of
   * the arena is cut off, any other is counted in {@link #deadBytes()} until a compaction.
   */
  final void markDead(int rec) {
    markDead(rec, recordSize(rec));
  }

  /** Sets the MSN of record {@code rec} in place (a combine: the record takes the newer MSN). */
  final void setMsn(int rec, long msn) {
    diskStamp = 0;
    BigEndian.putLong(arena(rec), at(rec) + 1, msn);
  }

  /** Writes one record at the end of the arena, returning its offset; {@code fn} null but for UPDATE*. */
  final int writeRecord(
      byte type, long msn, byte[] key, int keyOff, int keyLen, byte[] val, int valOff, int valLen, byte[] fn) {
    boolean named = MessageType.hasFunction(type);
    int size = HEADER + keyLen + 4 + valLen + (named ? 1 + fn.length : 0);
    int rec = reserve(size);
    byte[] a = arena(rec);
    int r = at(rec);
    a[r] = type;
    BigEndian.putLong(a, r + 1, msn);
    BigEndian.putInt(a, r + 9, keyLen);
    System.arraycopy(key, keyOff, a, r + HEADER, keyLen);
    int v = r + HEADER + keyLen;
    BigEndian.putInt(a, v, valLen);
    System.arraycopy(val, valOff, a, v + 4, valLen);
    if (named) {
      int f = v + 4 + valLen;
      a[f] = (byte) fn.length;
      System.arraycopy(fn, 0, a, f + 1, fn.length);
    }
    return rec;
  }

  /** Copies record {@code rec} of {@code src} to the end of the arena; returns its offset here. */
  final int copyRecord(MessageArena src, int rec) {
    return appendRecord(src.arena(rec), src.at(rec), src.recordSize(rec));
  }
}
