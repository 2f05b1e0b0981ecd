package dev.sapwood.internal.tree;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The old values of one tree that live snapshots still need: for a key, a chain of versions
 * {@code (m, value)} meaning "the key's value just before the message with MSN {@code m} was
 * applied to its leaf" (null value: the key was absent). Fed by flushes into leaves while a
 * snapshot is open ({@link MessageApplier}); read by snapshot reads; in memory only (a restart
 * ends every snapshot).
 *
 * <p>How a snapshot at {@code s} reads a key: the version with the smallest {@code m > s}, if
 * there is one, is the key's value at {@code s}; otherwise the leaf's entry is, with the buffered
 * messages at or below {@code s} applied. A reader takes the leaf's basement first and consults
 * the chain after, and a flush records versions before it installs the basements it built: so a
 * basement that holds a message above {@code s} for a key is always matched by a version.
 *
 * <p>Invariants: a chain's MSNs ascend; a version {@code m} is kept while some live snapshot is
 * below {@code m} (it is recorded only if some live snapshot lies between the key's previous
 * version, or its previous message in the same flush, and {@code m}); chains are replaced whole
 * (copy on write), never changed in place, so readers need no lock. Thread-safe.
 */
final class Versions {
  /** What {@link #at} returns when no version answers: read the leaf. Compared by identity. */
  static final byte[] LEAF = new byte[0];

  /** A key's versions: {@code msns} ascending; {@code values[i]} is null for "absent". Immutable. */
  private record Chain(long[] msns, byte[][] values) {}

  private final ConcurrentSkipListMap<byte[], Chain> chains = new ConcurrentSkipListMap<>(Arrays::compareUnsigned);
  private final SnapshotRegistry registry;

  Versions(SnapshotRegistry registry) {
    this.registry = registry;
  }

  /**
   * Records that {@code key}'s value just before message {@code msn} was {@code value} (null:
   * absent), if a live snapshot in {@code live} needs it: one at or above both {@code prevMsn} (the
   * key's previous message in this flush, 0 if none) and the chain's last version, and below
   * {@code msn}. Versions no live snapshot needs are dropped on the way.
   */
  void record(byte[] key, byte[] value, long msn, long prevMsn, long[] live) {
    long oldest = live[0];
    // The skip list may run the function more than once: its effects on the counters are taken
    // from the run that won, after compute returns.
    int[] effect = new int[2]; // versions dropped, versions added
    chains.compute(key, (k, c) -> {
      effect[0] = 0;
      effect[1] = 0;
      long from = prevMsn;
      int keep = 0;
      if (c != null) {
        from = Math.max(from, c.msns[c.msns.length - 1]);
        while (keep < c.msns.length && c.msns[keep] <= oldest) {
          keep++;
        }
      }
      int dropped = keep;
      effect[0] = dropped;
      boolean needed = SnapshotRegistry.anyIn(live, from, msn);
      int n = c == null ? 0 : c.msns.length - dropped;
      if (!needed) {
        return n == 0 ? null : dropped == 0 ? c : new Chain(Arrays.copyOfRange(c.msns, dropped, c.msns.length),
            Arrays.copyOfRange(c.values, dropped, c.values.length));
      }
      long[] msns = new long[n + 1];
      byte[][] values = new byte[n + 1][];
      if (n > 0) {
        System.arraycopy(c.msns, dropped, msns, 0, n);
        System.arraycopy(c.values, dropped, values, 0, n);
      }
      msns[n] = msn;
      values[n] = value;
      effect[1] = 1;
      return new Chain(msns, values);
    });
    registry.retained.add(effect[1] - effect[0]);
    registry.collected.add(effect[0]);
    registry.recorded.add(effect[1]);
  }

  /**
   * The value of {@code key} at snapshot {@code s} if a version answers it (null: absent), else
   * {@link #LEAF}.
   */
  byte[] at(byte[] key, long s) {
    if (chains.isEmpty()) {
      return LEAF;
    }
    Chain c = chains.get(key);
    return c == null ? LEAF : at(c, s);
  }

  private static byte[] at(Chain c, long s) {
    for (int i = 0; i < c.msns.length; i++) {
      if (c.msns[i] > s) {
        return c.values[i];
      }
    }
    return LEAF;
  }

  /** Calls {@code out} with each key in [lo, hi) (null: unbounded) that a version answers at {@code s}. */
  void forEachAt(byte[] lo, byte[] hi, long s, java.util.function.BiConsumer<byte[], byte[]> out) {
    if (chains.isEmpty()) {
      return;
    }
    ConcurrentNavigableMap<byte[], Chain> m = chains;
    if (lo != null && hi != null) {
      m = m.subMap(lo, true, hi, false);
    } else if (lo != null) {
      m = m.tailMap(lo, true);
    } else if (hi != null) {
      m = m.headMap(hi, false);
    }
    for (Map.Entry<byte[], Chain> e : m.entrySet()) {
      byte[] v = at(e.getValue(), s);
      if (v != LEAF) {
        out.accept(e.getKey(), v);
      }
    }
  }

  /** Drops every version at or below {@code oldest} (every one when no snapshot is open). */
  void collect(long oldest) {
    int[] dropped = new int[1];
    for (byte[] key : chains.keySet()) {
      dropped[0] = 0;
      chains.compute(key, (k, c) -> { // compute, not computeIfPresent: see record
        if (c == null) {
          dropped[0] = 0;
          return null;
        }
        int drop = 0;
        while (drop < c.msns.length && c.msns[drop] <= oldest) {
          drop++;
        }
        dropped[0] = drop;
        if (drop == 0) {
          return c;
        }
        return drop == c.msns.length ? null : new Chain(Arrays.copyOfRange(c.msns, drop, c.msns.length),
            Arrays.copyOfRange(c.values, drop, c.values.length));
      });
      registry.retained.add(-dropped[0]);
      registry.collected.add(dropped[0]);
    }
  }

  /** Drops every version (the tree is gone). */
  void clear() {
    collect(Long.MAX_VALUE);
  }

  /** Versions kept (for tests). */
  int size() {
    int n = 0;
    for (Chain c : chains.values()) {
      n += c.msns.length;
    }
    return n;
  }
}
