package dev.sapwood.internal.view;

import dev.sapwood.Codec;
import dev.sapwood.Tree;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The read-then-write operations of a {@link MapView} ({@code put} returning the old value, {@code
 * remove}, {@code putIfAbsent}, {@code replace}, {@code remove(key, value)}, {@code poll*}); the
 * {@code ConcurrentMap} defaults ({@code compute}, {@code merge}, ...) are built on these. Each
 * reads the current value and writes under one lock shared by every view of the same tree, so they
 * are atomic against each other, but not against writes made through the {@link Tree} directly.
 *
 * <p>Keys arrive encoded and already checked against the caller's range; new values arrive
 * encoded. Old values are decoded with the view's value codec, for returning and for comparing
 * with {@code equals}.
 *
 * <p>Thread-safety: safe for concurrent use; one instance is shared by a map view and all the
 * views derived from it.
 *
 * <p>Invariants: every instance made for the same tree (while that tree is reachable) holds the
 * same lock object, so views obtained by separate {@code asMap} calls exclude each other too.
 *
 * @param <V> value type
 */
final class ReadThenWrite<V> {
  // One lock object per tree, held weakly so a closed and dropped tree does not stay reachable.
  private static final Map<Tree, Object> LOCKS = new WeakHashMap<>();

  private final Tree tree;
  private final Codec<V> values;
  private final Object lock;

  /** The operations on {@code tree}, locking with every other instance for the same tree. */
  ReadThenWrite(Tree tree, Codec<V> values) {
    this.tree = tree;
    this.values = values;
    synchronized (LOCKS) {
      this.lock = LOCKS.computeIfAbsent(tree, t -> new Object());
    }
  }

  private V decode(byte[] v) {
    return v == null ? null : values.decode(v);
  }

  /** Writes {@code v} at {@code k}; the previous value, or null if none. */
  V put(byte[] k, byte[] v) {
    synchronized (lock) {
      byte[] old = tree.get(k);
      tree.put(k, v);
      return decode(old);
    }
  }

  /** Deletes {@code k}; the previous value, or null (and no write) if none. */
  V remove(byte[] k) {
    synchronized (lock) {
      byte[] old = tree.get(k);
      if (old == null) {
        return null;
      }
      tree.delete(k);
      return values.decode(old);
    }
  }

  /** Writes {@code v} at {@code k} if it has no value; the present value, or null if written. */
  V putIfAbsent(byte[] k, byte[] v) {
    synchronized (lock) {
      byte[] old = tree.get(k);
      if (old != null) {
        return values.decode(old);
      }
      tree.put(k, v);
      return null;
    }
  }

  /** Deletes {@code k} if its value equals {@code value}; whether it did. */
  boolean remove(byte[] k, Object value) {
    synchronized (lock) {
      byte[] old = tree.get(k);
      if (old == null || !values.decode(old).equals(value)) {
        return false;
      }
      tree.delete(k);
      return true;
    }
  }

  /** Writes {@code v} at {@code k} if its value equals {@code oldValue}; whether it did. */
  boolean replace(byte[] k, V oldValue, byte[] v) {
    synchronized (lock) {
      byte[] old = tree.get(k);
      if (old == null || !values.decode(old).equals(oldValue)) {
        return false;
      }
      tree.put(k, v);
      return true;
    }
  }

  /** Writes {@code v} at {@code k} if it has a value; the previous value, or null if none. */
  V replace(byte[] k, byte[] v) {
    synchronized (lock) {
      byte[] old = tree.get(k);
      if (old == null) {
        return null;
      }
      tree.put(k, v);
      return values.decode(old);
    }
  }

  /**
   * Deletes the first ({@code ascending}) or last entry of {@code nav}'s range; that entry, or null
   * if the range is empty.
   */
  Raw poll(RangeNavigator nav, boolean ascending) {
    synchronized (lock) {
      Raw r = nav.edge(ascending);
      if (r != null) {
        tree.delete(r.key());
      }
      return r;
    }
  }
}
