package dev.sapwood.kafka;

import dev.sapwood.Database;
import dev.sapwood.Tree;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * Opens a {@link SapwoodKeyValueStore}'s iterators and keeps the open ones, so closing the store
 * closes them (and their snapshots). Each iterator takes a Sapwood {@link dev.sapwood.Snapshot}
 * and copies the in-memory writes in its range under the store's move lock, so it sees each write
 * once, in memory or in the tree; see {@link MergedIterator}.
 *
 * <p>Thread-safety: safe for the stream thread and interactive-query threads at once.
 */
final class StoreIterators {
  private final String name;
  /** The store's move lock (see {@link SapwoodKeyValueStore}). */
  private final Object moveLock;
  private final BooleanSupplier isOpen;
  private final Runnable checkOpen;
  private final Set<MergedIterator> openIterators = ConcurrentHashMap.newKeySet();
  private Database db;
  private Tree data;

  StoreIterators(String name, Object moveLock, BooleanSupplier isOpen, Runnable checkOpen) {
    this.name = name;
    this.moveLock = moveLock;
    this.isOpen = isOpen;
    this.checkOpen = checkOpen;
  }

  /** Binds to the store's opened database. */
  void opened(Database db, Tree data) {
    this.db = db;
    this.data = data;
  }

  /** An iterator over a snapshot taken now, with {@code writes} (null: none) as of now. */
  KeyValueIterator<Bytes, byte[]> open(Bytes from, Bytes to, boolean toInclusive, boolean reverse,
      UncommittedWrites writes) {
    checkOpen.run();
    byte[] lo = from == null ? null : from.get();
    byte[] hi = to == null ? null : to.get();
    dev.sapwood.Snapshot snapshot;
    List<Map.Entry<byte[], UncommittedWrites.Pending>> copied;
    try {
      synchronized (moveLock) {
        snapshot = db.snapshot();
        copied = writes == null ? List.of() : MergedIterator.pendingIn(writes, lo, hi, toInclusive, reverse);
      }
    } catch (IllegalStateException e) { // the database closed under us: the store is closing
      throw new InvalidStateStoreException("Sapwood store " + name + " is not open");
    }
    MergedIterator it = new MergedIterator(snapshot, data, copied, lo, hi, toInclusive, reverse, openIterators::remove);
    openIterators.add(it);
    if (!isOpen.getAsBoolean()) { // close() ran meanwhile and may have missed it
      it.close();
      checkOpen.run();
    }
    return it;
  }

  /** Closes every open iterator (the store is closing). */
  void closeAll() {
    for (MergedIterator it : openIterators) {
      it.close();
    }
  }

  int openCount() {
    return openIterators.size();
  }
}
