package dev.sapwood.internal.engine;

import dev.sapwood.internal.tree.MessageType;
import dev.sapwood.internal.tree.RangeUpdates;
import dev.sapwood.internal.tree.SnapshotRegistry;
import dev.sapwood.internal.util.BigEndian;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What commit validation needs to know about the changes made after a transaction's snapshot.
 *
 * <ul>
 *   <li>For every change (plain writes, batches, commits): a fixed table from a hash of (tree,
 *       key) to the highest MSN written there. A transaction's key conflicts if its slot holds an
 *       MSN above the snapshot; two keys sharing a slot can only cause a spurious conflict, never
 *       hide one. One CAS per change, no allocation.</li>
 *   <li>Only while a snapshot is live (every transaction holds one): the range writes — range
 *       deletes and range updates, each a write to every key of its range — so that a
 *       transaction's writes, reads and scanned ranges under them can be checked. A range write
 *       noted while no snapshot is live is not kept (every snapshot opened later is at or above
 *       it); those below the oldest live snapshot are dropped as new ones are noted.</li>
 *   <li>Only while a SERIALIZABLE transaction is live: the keys changed (per tree, key to MSN),
 *       so that scanned ranges can be checked. Dropped when the last SERIALIZABLE transaction
 *       ends, and pruned below the oldest one's snapshot as they grow.</li>
 * </ul>
 *
 * <p>Invariants: a change is noted after its MSN is assigned and its message is in the tree, and
 * validation runs where no change can be noted concurrently (the commit's critical section); a
 * change noted with {@code serializableLive() == 0} has an MSN at or below the snapshot of every
 * SERIALIZABLE transaction that begins later (it counts itself in before taking its snapshot);
 * a range write not kept because no snapshot was live has an MSN at or below every snapshot opened
 * later (the live set is read under the registry's monitor, which orders it with snapshots
 * opening, after the write's MSN was made visible). Range writes are kept in ascending MSN order
 * (they are noted in the sequencer's critical section).
 *
 * <p>Invariants (skipping notes): the sequencer notes a change only while {@link #anyLive()}; a
 * change it skips has an MSN at or below the snapshot of every transaction that begins later, so
 * no validation can miss it. Dekker-style, all four accesses volatile (sequentially consistent):
 * a transaction first counts itself in ({@link #transactionBegins}, a volatile increment), then
 * reads the visible MSN for its snapshot; a writer first publishes its MSN as visible (a volatile
 * write), then reads the count. If the writer read 0, its read came before the increment in the
 * synchronization order, so its publication came before the snapshot's read of the visible MSN:
 * the snapshot is at or above the change. Otherwise the change is noted. Transactions live before
 * the change are counted already, so they see it noted. The table is a running maximum never
 * pruned, so a skipped note only leaves a slot lower than it would be, and only by MSNs no live or
 * future snapshot lies below; the SERIALIZABLE key and range lists are kept only while {@link
 * #serializable} is non-zero, which implies a non-zero count here (counted in first, out last).
 * Thread-safe.
 */
final class Conflicts {
  private static final int SLOTS = 1 << 17;

  private final AtomicLongArray lastMsn = new AtomicLongArray(SLOTS);
  private final AtomicInteger serializable = new AtomicInteger();
  /** Transactions begun and not finished, of both isolations (see the invariants). */
  private final AtomicInteger live = new AtomicInteger();
  /** Live SERIALIZABLE snapshots: MSN to count (for pruning). */
  private final ConcurrentSkipListMap<Long, AtomicInteger> serializableSnapshots = new ConcurrentSkipListMap<>();
  private final Map<Integer, ConcurrentSkipListMap<byte[], Long>> recentKeys = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<RangeWrite> recentRanges = new ConcurrentLinkedQueue<>();
  private final AtomicInteger notedSincePrune = new AtomicInteger();
  /** The MSN of the last range write kept (0: none): validation skips the list below it. */
  private volatile long lastRangeMsn;

  /** A range write of [from, to) ({@code to} null: no end) at {@code msn}. */
  private record RangeWrite(int tree, byte[] from, byte[] to, long msn) {
    boolean covers(int t, byte[] key) {
      return tree == t && Arrays.compareUnsigned(from, key) <= 0 && (to == null || Arrays.compareUnsigned(key, to) < 0);
    }
  }

  /**
   * The slot of (tree, key): the key's bytes eight at a time through a multiply-xorshift, then
   * SplitMix64's finalizer. Not {@code Arrays.hashCode}: its polynomial maps keys that differ in
   * their last bytes (sequential big-endian numbers) onto few values, and 100,000 such keys shared
   * some 8,600 slots, a dozen to a slot, each a spurious conflict waiting to happen.
   */
  static int slot(int tree, byte[] key) {
    long h = 0x9E3779B97F4A7C15L * (tree + 1) ^ key.length;
    int i = 0;
    for (; i + 8 <= key.length; i += 8) {
      h = (h ^ BigEndian.getLong(key, i)) * 0xBF58476D1CE4E5B9L;
      h ^= h >>> 31;
    }
    long tail = 0;
    for (; i < key.length; i++) {
      tail = tail << 8 | (key[i] & 0xFF);
    }
    h = (h ^ tail) * 0x94D049BB133111EBL;
    h ^= h >>> 29;
    h *= 0xBF58476D1CE4E5B9L;
    h ^= h >>> 32;
    return (int) h & (SLOTS - 1);
  }

  /** Notes that {@code key} of {@code tree} changed at {@code msn}. */
  void note(int tree, byte[] key, long msn) {
    int s = slot(tree, key);
    long cur = lastMsn.get(s);
    while (cur < msn && !lastMsn.compareAndSet(s, cur, msn)) {
      cur = lastMsn.get(s);
    }
    if (serializable.get() > 0) {
      recentKeys.computeIfAbsent(tree, t -> new ConcurrentSkipListMap<>(Arrays::compareUnsigned))
          .merge(key.clone(), msn, Math::max); // a copy: the caller may reuse its array
      maybePrune();
    }
  }

  /**
   * Notes range write {@code type} (DELETE_RANGE or UPDATE_RANGE) of {@code tree} from {@code
   * from}, with its stored value (the end; for a range update the end and argument), at {@code
   * msn}: kept while some snapshot is live.
   */
  void noteRange(int tree, byte type, byte[] from, byte[] value, long msn, SnapshotRegistry snapshots) {
    long[] live = snapshots.live(); // under the registry's monitor: see the invariants
    if (live.length == 0) {
      if (lastRangeMsn != 0) {
        recentRanges.clear();
        lastRangeMsn = 0;
      }
      return;
    }
    for (RangeWrite r = recentRanges.peek(); r != null && r.msn <= live[0]; r = recentRanges.peek()) {
      recentRanges.poll(); // ascending MSN: every one no live snapshot is below
    }
    byte[] to = type == MessageType.DELETE_RANGE ? value.clone() : RangeUpdates.end(value);
    recentRanges.add(new RangeWrite(tree, from.clone(), to, msn));
    lastRangeMsn = msn;
  }

  /** Whether {@code key} of {@code tree} may have changed after {@code snapshot} (false positives possible). */
  boolean writtenAfter(int tree, byte[] key, long snapshot) {
    return lastMsn.get(slot(tree, key)) > snapshot;
  }

  /**
   * Whether {@code key} of {@code tree} was changed after {@code snapshot}, range writes included
   * (false positives possible): for a transaction's point writes and SERIALIZABLE reads.
   */
  boolean changedAfter(int tree, byte[] key, long snapshot) {
    if (writtenAfter(tree, key, snapshot)) {
      return true;
    }
    if (lastRangeMsn <= snapshot) {
      return false;
    }
    for (RangeWrite r : recentRanges) {
      if (r.msn > snapshot && r.covers(tree, key)) {
        return true;
      }
    }
    return false;
  }

  /** Whether a key in [lo, hi) (null: unbounded) of {@code tree} changed after {@code snapshot}. */
  boolean rangeChanged(int tree, byte[] lo, byte[] hi, long snapshot) {
    ConcurrentSkipListMap<byte[], Long> keys = recentKeys.get(tree);
    if (keys != null) {
      Map<byte[], Long> m = lo == null && hi == null ? keys
          : lo == null ? keys.headMap(hi, false) : hi == null ? keys.tailMap(lo, true) : keys.subMap(lo, true, hi, false);
      for (Long msn : m.values()) {
        if (msn > snapshot) {
          return true;
        }
      }
    }
    if (lastRangeMsn <= snapshot) {
      return false;
    }
    for (RangeWrite r : recentRanges) {
      if (r.tree == tree && r.msn > snapshot && (hi == null || Arrays.compareUnsigned(r.from, hi) < 0)
          && (lo == null || r.to == null || Arrays.compareUnsigned(lo, r.to) < 0)) {
        return true;
      }
    }
    return false;
  }

  /**
   * A transaction (any isolation) begins: counted in before it takes its snapshot, so that every
   * change after its snapshot is noted (see the invariants).
   */
  void transactionBegins() {
    live.incrementAndGet();
  }

  /** A transaction counted in by {@link #transactionBegins} finished (or failed to begin). */
  void transactionEnds() {
    live.decrementAndGet();
  }

  /**
   * Whether some transaction is live, so changes must be noted. Read by the sequencer after it
   * publishes the change's MSN as visible (see the invariants).
   */
  boolean anyLive() {
    return live.get() != 0;
  }

  /** A SERIALIZABLE transaction begins: counted in before it takes its snapshot (see the invariants). */
  void serializableBegins() {
    // Held at MSN 0 until its snapshot is known, so no pruning meanwhile drops what it may need.
    hold(0L, 1);
    serializable.incrementAndGet();
  }

  /** A SERIALIZABLE transaction took its snapshot at {@code s}. */
  void serializableSnapshot(long s) {
    hold(s, 1);
    hold(0L, -1);
  }

  private void hold(long s, int delta) {
    serializableSnapshots.compute(s, (k, n) -> {
      int v = (n == null ? 0 : n.get()) + delta;
      return v <= 0 ? null : new AtomicInteger(v);
    });
  }

  /** A SERIALIZABLE transaction with snapshot {@code s} ended. */
  void serializableEnds(long s) {
    hold(s, -1);
    if (serializable.decrementAndGet() == 0) {
      recentKeys.clear();
    }
  }

  private void maybePrune() {
    if (notedSincePrune.incrementAndGet() < 4096) {
      return;
    }
    notedSincePrune.set(0);
    Map.Entry<Long, AtomicInteger> oldest = serializableSnapshots.firstEntry();
    if (oldest == null) {
      return;
    }
    long below = oldest.getKey();
    for (ConcurrentSkipListMap<byte[], Long> keys : recentKeys.values()) {
      keys.values().removeIf(msn -> msn <= below);
    }
  }
}
