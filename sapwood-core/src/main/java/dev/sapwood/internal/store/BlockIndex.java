package dev.sapwood.internal.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The block table's mapping from block number to {@link BlockTable.Entry}, read without a lock: an
 * open-addressing hash table of primitive keys (no boxing) that one writer at a time changes (the
 * block file's lock) while readers look blocks up beside it. So a read of a block never queues
 * behind whole-table work held under the block file's lock (a checkpoint's encoding, a tail
 * relocation's scans, the free-space searches).
 *
 * <p>Invariants: a key slot is 0 (empty) or a block number, and once set it keeps that number until
 * the table is rebuilt; a slot whose value is null is a removed block (a tombstone); at most half
 * of the slots are used (live or tombstone), so every probe meets an empty slot; a block number is
 * in at most one slot. The arrays of {@link #table} are never changed again once a rebuild replaced
 * them.
 *
 * <p>Memory ordering: every store a reader may see and every load a reader makes is volatile, so
 * they fall in one total order with the other volatile accesses of the block file. That is what the
 * read protocol needs ({@link ExtentReclaimer}): a reader counts itself in (a volatile increment)
 * before it looks its block up, and a writer looks at that count after it changed the mapping, so
 * either the reader sees the new entry or the writer sees the reader and keeps the old extent in
 * limbo until it leaves. A new slot's value is stored before its key, so a reader that finds the
 * key finds the value (or a later one). A reader still on a table a rebuild replaced sees the
 * mapping as it was just before that rebuild, which is an answer the lookup could have given under
 * the lock an instant earlier.
 *
 * <p>Locking: {@link #put} and {@link #remove} REQUIRE the caller's exclusion of other writers;
 * {@link #get} takes no lock and may run at any time.
 */
final class BlockIndex {
  private static final VarHandle KEYS = MethodHandles.arrayElementVarHandle(long[].class);
  private static final VarHandle VALUES = MethodHandles.arrayElementVarHandle(BlockTable.Entry[].class);
  private static final int MIN_CAPACITY = 16;

  /** The keys and values of one capacity; replaced whole by a rebuild. */
  private record Table(long[] keys, BlockTable.Entry[] values) {
    int mask() {
      return keys.length - 1;
    }
  }

  private volatile Table table = new Table(new long[MIN_CAPACITY], new BlockTable.Entry[MIN_CAPACITY]);
  // Guarded by the writers' exclusion:
  private int live;
  private int used; // live + tombstones

  /** The entry of {@code blockNumber}, or null if it is not mapped. Lock-free. */
  BlockTable.Entry get(long blockNumber) {
    if (blockNumber <= 0) {
      return null;
    }
    Table t = table;
    int mask = t.mask();
    for (int i = slot(blockNumber, mask); ; i = (i + 1) & mask) {
      long k = (long) KEYS.getVolatile(t.keys, i);
      if (k == 0) {
        return null;
      }
      if (k == blockNumber) {
        return (BlockTable.Entry) VALUES.getVolatile(t.values, i);
      }
    }
  }

  /** Maps {@code blockNumber} (> 0) to {@code e} (non-null). REQUIRES: no other writer. */
  void put(long blockNumber, BlockTable.Entry e) {
    if (blockNumber <= 0 || e == null) {
      throw new IllegalArgumentException("block " + blockNumber + " -> " + e);
    }
    Table t = table;
    int mask = t.mask();
    int i = slot(blockNumber, mask);
    for (long k; (k = t.keys[i]) != 0; i = (i + 1) & mask) {
      if (k == blockNumber) {
        if (t.values[i] == null) {
          live++;
        }
        VALUES.setVolatile(t.values, i, e);
        return;
      }
    }
    if (used + 1 > t.keys.length / 2) {
      rebuild(live + 1);
      put(blockNumber, e);
      return;
    }
    VALUES.setVolatile(t.values, i, e); // the value before the key: a reader finding the key finds it
    KEYS.setVolatile(t.keys, i, blockNumber);
    live++;
    used++;
  }

  /** Unmaps {@code blockNumber}, if mapped. REQUIRES: no other writer. */
  void remove(long blockNumber) {
    Table t = table;
    int mask = t.mask();
    for (int i = slot(blockNumber, mask); t.keys[i] != 0; i = (i + 1) & mask) {
      if (t.keys[i] == blockNumber) {
        if (t.values[i] != null) {
          VALUES.setVolatile(t.values, i, null);
          live--;
        }
        return;
      }
    }
  }

  /** The blocks mapped. */
  int size() {
    return live;
  }

  /**
   * Replaces the table with one holding only the live entries, sized so that {@code need} entries
   * fill at most a quarter of it; published with one volatile store after it is filled.
   */
  private void rebuild(int need) {
    int capacity = MIN_CAPACITY;
    while (capacity < 4L * need) {
      capacity <<= 1;
    }
    Table old = table;
    Table fresh = new Table(new long[capacity], new BlockTable.Entry[capacity]);
    int mask = fresh.mask();
    int n = 0;
    for (int j = 0; j < old.keys.length; j++) {
      BlockTable.Entry e = old.values[j];
      if (old.keys[j] != 0 && e != null) {
        int i = slot(old.keys[j], mask);
        while (fresh.keys[i] != 0) {
          i = (i + 1) & mask;
        }
        fresh.keys[i] = old.keys[j];
        fresh.values[i] = e;
        n++;
      }
    }
    live = n;
    used = n;
    table = fresh;
  }

  private static int slot(long blockNumber, int mask) {
    long h = blockNumber * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32)) & mask;
  }
}
