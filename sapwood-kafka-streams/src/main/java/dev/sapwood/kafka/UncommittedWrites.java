package dev.sapwood.kafka;

import dev.sapwood.Limits;
import dev.sapwood.Tree;
import dev.sapwood.UpdateFunction;
import dev.sapwood.WriteBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * The writes a store has taken since its last commit, held in memory until {@link
 * SapwoodKeyValueStore#commit} writes them, with the changelog offsets they lead up to, as one
 * {@link WriteBatch} (KIP-892's transaction buffer). Nothing here reaches the disk before that
 * batch, so the database on disk only ever holds data that its stored offsets cover.
 *
 * <p>Each key maps to a {@link Pending}: a put, a delete, or blind updates over a value not read
 * yet. Thread-safety: one writer (the stream thread) and any number of readers (interactive
 * queries); the map is a {@link ConcurrentSkipListMap} of immutable entries.
 *
 * <p>Invariants: {@link #bytes()} is the sum of {@link Pending#size} over the entries plus their
 * key lengths; {@link #netPuts()} is the number of entries that put a value less the number that
 * delete; an entry with unknown base has at least one update.
 */
final class UncommittedWrites {
  /** One blind update waiting for its base value. */
  record Update(UpdateFunction fn, byte[] argument) {}

  /**
   * What a key will be when the buffer is written: {@code base} (null: deleted) if {@code known},
   * else the tree's value at that time; then {@code updates} in order.
   */
  record Pending(boolean known, byte[] base, List<Update> updates) {
    static final Pending DELETED = new Pending(true, null, List.of());

    /** +1 for a put, -1 for a delete, 0 for blind updates over a value not read. */
    int countDelta() {
      return !known ? 0 : base == null ? -1 : 1;
    }

    long size() {
      long n = 32 + (base == null ? 0 : base.length);
      for (Update u : updates) {
        n += 16 + u.argument.length;
      }
      return n;
    }

    /** The key's value given the tree's, read through {@code tree} if needed; null if absent. */
    byte[] resolve(byte[] key, UnaryOperator<byte[]> tree) {
      byte[] v = known ? base : tree.apply(key);
      for (Update u : updates) {
        v = apply(u, key, v);
      }
      return v;
    }
  }

  private final ConcurrentSkipListMap<byte[], Pending> map = new ConcurrentSkipListMap<>(Arrays::compareUnsigned);
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong netPuts = new AtomicLong();

  void put(byte[] key, byte[] value) {
    replace(key, new Pending(true, value, List.of()));
  }

  void delete(byte[] key) {
    replace(key, Pending.DELETED);
  }

  /** Records a blind update; applied at once if the key's value is already known here. */
  void update(byte[] key, UpdateFunction fn, byte[] argument) {
    Pending old = map.get(key);
    Update u = new Update(fn, argument);
    Pending next;
    if (old != null && old.known && old.updates.isEmpty()) {
      next = new Pending(true, apply(u, key, old.base), List.of());
    } else {
      List<Update> updates = new ArrayList<>(old == null ? 1 : old.updates.size() + 1);
      if (old != null) {
        updates.addAll(old.updates);
      }
      updates.add(u);
      next = new Pending(old != null && old.known, old == null ? null : old.base, List.copyOf(updates));
    }
    replace(key, next);
  }

  /** The pending entry of {@code key}, or null if the buffer does not touch it. */
  Pending get(byte[] key) {
    return map.get(key);
  }

  /**
   * The key's value, its pending blind updates applied over the tree's ({@code tree} reads it),
   * and folded: the entry becomes a put (or delete) of that value, which the tree's value plus the
   * updates would give at commit, so later updates of the key apply here without a read. The
   * caller holds the store's move lock. A key not here is read from the tree.
   */
  byte[] resolveAndFold(byte[] key, UnaryOperator<byte[]> tree) {
    Pending p = map.get(key);
    if (p == null) {
      return tree.apply(key);
    }
    byte[] v = p.resolve(key, tree);
    if (!p.updates.isEmpty()) {
      replace(key, v == null ? Pending.DELETED : new Pending(true, v, List.of()));
    }
    return v;
  }

  /** The live view of the entries from {@code lo} to {@code hi} (null: unbounded). */
  NavigableMap<byte[], Pending> range(byte[] lo, byte[] hi, boolean hiInclusive) {
    NavigableMap<byte[], Pending> m = map;
    if (lo != null && hi != null) {
      if (Arrays.compareUnsigned(lo, hi) > 0) {
        return new ConcurrentSkipListMap<>(Arrays::compareUnsigned);
      }
      return m.subMap(lo, true, hi, hiInclusive);
    }
    if (lo != null) {
      return m.tailMap(lo, true);
    }
    if (hi != null) {
      return m.headMap(hi, hiInclusive);
    }
    return m;
  }

  /** Adds every pending write to {@code batch}, in key order, against {@code tree}. */
  void writeTo(WriteBatch batch, Tree tree) {
    for (Map.Entry<byte[], Pending> e : map.entrySet()) {
      Pending p = e.getValue();
      if (p.known) {
        if (p.base == null) {
          batch.delete(tree, e.getKey());
        } else {
          batch.put(tree, e.getKey(), p.base);
        }
      }
      for (Update u : p.updates) {
        batch.update(tree, e.getKey(), u.fn, u.argument);
      }
    }
  }

  /** Bytes held, roughly (keys, values, arguments and a fixed overhead per entry). */
  long bytes() {
    return bytes.get();
  }

  /**
   * Entries that put a value less entries that delete one: what the buffer adds to the tree's key
   * count if every put is of a new key and every delete of an existing one.
   */
  long netPuts() {
    return netPuts.get();
  }

  boolean isEmpty() {
    return map.isEmpty();
  }

  int size() {
    return map.size();
  }

  void clear() {
    map.clear();
    bytes.set(0);
    netPuts.set(0);
  }

  private void replace(byte[] key, Pending next) {
    Pending old = map.put(key, next);
    bytes.addAndGet(next.size() - (old == null ? -key.length : old.size()));
    netPuts.addAndGet(next.countDelta() - (old == null ? 0 : old.countDelta()));
  }

  /** Applies one update as the tree would: a throwing function or an oversized result is skipped. */
  static byte[] apply(Update u, byte[] key, byte[] old) {
    byte[] next;
    try {
      next = u.fn.apply(key, old, u.argument);
    } catch (RuntimeException e) {
      return old;
    }
    return next != null && next.length > Limits.MAX_VALUE_SIZE ? old : next;
  }
}
