package dev.sapwood.kafka;

import dev.sapwood.Tree;
import dev.sapwood.UpdateFunction;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStoreContext;

/**
 * The key-level write path of a {@link SapwoodKeyValueStore}: records puts, deletes and blind
 * updates in its {@link UncommittedWrites} (letting {@link StoreCommits} spill them past the
 * uncommitted-bytes limit), sends the store's own changelog records if it has a {@link
 * StoreChangelog}, and reads a key through those writes, resolving pending blind updates against
 * the tree's value.
 *
 * <p>Invariants: a pending blind update is resolved against the tree only under the store's move
 * lock, so a commit never moves the writes into the tree between the read of the tree and the read
 * of the writes; every key written since the last changelog flush has had its value sent or is
 * dirty in the {@link StoreChangelog}.
 *
 * <p>Thread-safety: written by the one stream thread; {@link #get} may be called by
 * interactive-query threads at the same time.
 */
final class StoreWriter {
  private final UncommittedWrites pending;
  /** The store's move lock (see {@link SapwoodKeyValueStore}). */
  private final Object moveLock;
  private final StoreCommits commits;
  /** The store's own changelog, if it was built changelogged by the updatable builder; else null. */
  private final StoreChangelog changelog;
  private final Runnable checkOpen;
  private Tree data;

  StoreWriter(UncommittedWrites pending, Object moveLock, StoreCommits commits, StoreChangelog changelog,
      Runnable checkOpen) {
    this.pending = pending;
    this.moveLock = moveLock;
    this.commits = commits;
    this.changelog = changelog;
    this.checkOpen = checkOpen;
  }

  /** Binds to the store's opened data tree and, if changelogged, to the task's context. */
  void opened(Tree data, StateStoreContext context, long maxUncommittedBytes) {
    this.data = data;
    if (changelog != null) {
      changelog.opened(context, maxUncommittedBytes / 4);
    }
  }

  /** The key's value: its uncommitted write if any (blind updates applied), else the tree's. */
  byte[] get(byte[] k) {
    UncommittedWrites.Pending p = pending.get(k);
    if (p == null) {
      return data.get(k);
    }
    if (p.known() && p.updates().isEmpty()) {
      return p.base();
    }
    synchronized (moveLock) { // blind updates over the tree's value: not while a commit moves them there
      UncommittedWrites.Pending now = pending.get(k);
      return now != null ? now.resolve(k, data::get) : data.get(k);
    }
  }

  /** Records a put ({@code value} null: a delete) and sends it to the changelog. */
  void put(Bytes key, byte[] value) {
    if (value == null) {
      pending.delete(key.get());
    } else {
      pending.put(key.get(), value);
    }
    commits.afterWrite();
    if (changelog != null) {
      changelog.logWrite(key, value, commits.position());
    }
  }

  /** Records all the entries before a possible spill, so they reach the disk in the same batch. */
  void putAll(List<KeyValue<Bytes, byte[]>> entries) {
    for (KeyValue<Bytes, byte[]> kv : entries) {
      if (kv.value == null) {
        pending.delete(kv.key.get());
      } else {
        pending.put(kv.key.get(), kv.value);
      }
    }
    commits.afterWrite();
    if (changelog != null) {
      for (KeyValue<Bytes, byte[]> kv : entries) {
        changelog.logWrite(kv.key, kv.value, commits.position());
      }
    }
  }

  /** Records a delete and sends it to the changelog. */
  void delete(Bytes key) {
    pending.delete(key.get());
    commits.afterWrite();
    if (changelog != null) {
      changelog.logWrite(key, null, commits.position());
    }
  }

  /**
   * Records a blind update after checking it (see {@link SapwoodKeyValueStore#update}); flushes
   * the changelog's dirty keys if they pass their memory limit.
   */
  void update(Bytes key, UpdateFunction fn, byte[] argument) {
    Objects.requireNonNull(fn, "update function");
    dev.sapwood.Limits.checkKey(key.get());
    dev.sapwood.Limits.checkValue(argument);
    fn.checkArgument(argument);
    pending.update(key.get(), fn, argument);
    commits.afterWrite();
    if (changelog != null && changelog.markUpdated(key)) {
      flushChangelog();
    }
  }

  /**
   * Sends the current value of each key updated blindly since the last flush to the changelog
   * (nothing if the store is not changelogged, or no key is dirty); see {@link
   * SapwoodKeyValueStore#flushCache}.
   */
  void flushChangelog() {
    if (changelog != null && !changelog.isEmpty()) {
      checkOpen.run();
      changelog.flush(this::resolveForChangelog, commits.position());
    }
  }

  /** Drops the uncommitted writes and the changelog's dirty keys (the store is closing). */
  void clear() {
    pending.clear();
    if (changelog != null) {
      changelog.clear();
    }
  }

  /** Changelog records sent for blindly updated keys (0 if not changelogged). */
  long changelogSentAfterUpdates() {
    return changelog == null ? 0 : changelog.sentAfterUpdates();
  }

  /** The key's current value, its pending blind updates folded into a pending put (see flushCache). */
  private byte[] resolveForChangelog(Bytes key) {
    synchronized (moveLock) { // resolves over the tree's value: not while a commit moves the writes there
      return pending.resolveAndFold(key.get(), data::get);
    }
  }
}
