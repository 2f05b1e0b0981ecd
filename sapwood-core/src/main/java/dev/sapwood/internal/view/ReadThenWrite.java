package dev.sapwood.internal.view;

import dev.sapwood.Codec;
import dev.sapwood.ConflictException;
import dev.sapwood.Database;
import dev.sapwood.Transaction;
import dev.sapwood.Tree;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Function;

/**
 * The read-then-write operations of a {@link MapView} ({@code put} returning the old value, {@code
 * remove}, {@code putIfAbsent}, {@code replace}, {@code remove(key, value)}, {@code poll*}); the
 * {@code ConcurrentMap} defaults ({@code compute}, {@code merge}, ...) are built on these. Each
 * reads the current value and writes in one {@link Transaction}, run again on a {@link
 * ConflictException}, so it is atomic against every writer: a write to the key by anyone after the
 * read makes the commit fail and the operation start over. Views of the same tree also share one
 * lock, so they retry only against writers outside the views. {@code poll*} find the range's edge
 * outside the transaction: a key inserted before the edge meanwhile may be passed over (the entry
 * polled is still removed atomically, with the value it had).
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
  private static final Raw GONE = new Raw(new byte[0], new byte[0]);

  private final Database db;
  private final Tree tree;
  private final Codec<V> values;
  private final Object lock;

  /** The operations on {@code tree} of {@code db}, locking with every other instance for the same tree. */
  ReadThenWrite(Database db, Tree tree, Codec<V> values) {
    this.db = db;
    this.tree = tree;
    this.values = values;
    synchronized (LOCKS) {
      this.lock = LOCKS.computeIfAbsent(tree, t -> new Object());
    }
  }

  /** Runs {@code body} in a transaction and commits it, again and again until no conflict stops it. */
  private <T> T atomically(Function<Transaction, T> body) {
    synchronized (lock) {
      while (true) {
        try (Transaction tx = db.begin()) {
          T result = body.apply(tx);
          tx.commit();
          return result;
        } catch (ConflictException e) {
          Thread.yield(); // another writer changed the key after the read: read again
        }
      }
    }
  }

  private V decode(byte[] v) {
    return v == null ? null : values.decode(v);
  }

  /** Writes {@code v} at {@code k}; the previous value, or null if none. */
  V put(byte[] k, byte[] v) {
    return atomically(tx -> {
      byte[] old = tx.get(tree, k);
      tx.put(tree, k, v);
      return decode(old);
    });
  }

  /** Deletes {@code k}; the previous value, or null (and no write) if none. */
  V remove(byte[] k) {
    return atomically(tx -> {
      byte[] old = tx.get(tree, k);
      if (old == null) {
        return null;
      }
      tx.delete(tree, k);
      return values.decode(old);
    });
  }

  /** Writes {@code v} at {@code k} if it has no value; the present value, or null if written. */
  V putIfAbsent(byte[] k, byte[] v) {
    return atomically(tx -> {
      byte[] old = tx.get(tree, k);
      if (old != null) {
        return values.decode(old);
      }
      tx.put(tree, k, v);
      return null;
    });
  }

  /** Deletes {@code k} if its value equals {@code value}; whether it did. */
  boolean remove(byte[] k, Object value) {
    return atomically(tx -> {
      byte[] old = tx.get(tree, k);
      if (old == null || !values.decode(old).equals(value)) {
        return false;
      }
      tx.delete(tree, k);
      return true;
    });
  }

  /** Writes {@code v} at {@code k} if its value equals {@code oldValue}; whether it did. */
  boolean replace(byte[] k, V oldValue, byte[] v) {
    return atomically(tx -> {
      byte[] old = tx.get(tree, k);
      if (old == null || !values.decode(old).equals(oldValue)) {
        return false;
      }
      tx.put(tree, k, v);
      return true;
    });
  }

  /** Writes {@code v} at {@code k} if it has a value; the previous value, or null if none. */
  V replace(byte[] k, byte[] v) {
    return atomically(tx -> {
      byte[] old = tx.get(tree, k);
      if (old == null) {
        return null;
      }
      tx.put(tree, k, v);
      return values.decode(old);
    });
  }

  /**
   * Deletes the first ({@code ascending}) or last entry of {@code nav}'s range; that entry, or null
   * if the range is empty.
   */
  Raw poll(RangeNavigator nav, boolean ascending) {
    while (true) {
      Raw polled = atomically(tx -> {
        Raw r = nav.edge(ascending);
        if (r == null) {
          return null;
        }
        byte[] now = tx.get(tree, r.key()); // the value the delete removes, read in the transaction
        if (now == null) {
          return GONE; // deleted between the two reads: look for the edge again
        }
        tx.delete(tree, r.key());
        return new Raw(r.key(), now);
      });
      if (polled != GONE) {
        return polled;
      }
    }
  }
}
