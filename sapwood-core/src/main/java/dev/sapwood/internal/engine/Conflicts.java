package dev.sapwood.internal.engine;

import dev.sapwood.internal.tree.MessageType;
import dev.sapwood.internal.tree.RangeUpdates;
import dev.sapwood.internal.tree.SnapshotRegistry;
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
 * (they are noted in the sequencer's critical section). Thread-safe.
 */
final class Conflicts {
  private static final int SLOTS = 1 << 17;

  private final AtomicLongArray lastMsn = new AtomicLongArray(SLOTS);
  private final AtomicInteger serializable = new AtomicInteger();
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

  static int slot(int tree, byte[] key) {
    int h = Arrays.hashCode(key) * 0x9E3779B1 + tree * 0x85EBCA6B;
    h ^= h >>> 16;
    return h & (SLOTS - 1);
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
