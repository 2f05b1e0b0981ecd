package dev.sapwood.kafka;

import dev.sapwood.Database;
import dev.sapwood.Durability;
import dev.sapwood.Tree;
import dev.sapwood.WriteBatch;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;

/**
 * The write side of a {@link SapwoodKeyValueStore}: moves its {@link UncommittedWrites} into the
 * tree, together with the changelog offsets and the IQv2 position, and keeps what was last
 * committed. A commit is one atomic {@link WriteBatch} of data, offsets and position; a spill
 * (uncommitted writes past the limit) writes the data early and deletes the stored offsets in the
 * same batch; restored changelog records go in unlogged batches that the next commit checkpoints.
 *
 * <p>Invariants: after any crash the data on disk is exactly the data its stored offsets cover (or
 * there are no stored offsets); {@code committedPosition} is the position last written to the meta
 * tree.
 *
 * <p>Thread-safety: written by the one stream thread; {@link #position} and {@link #committedOffset}
 * may be read by interactive-query threads. The moves into the tree hold the store's move lock.
 */
final class StoreCommits {
  private final String name;
  private final UncommittedWrites pending;
  /** The store's move lock (see {@link SapwoodKeyValueStore}). */
  private final Object moveLock;
  private final Runnable checkOpen;
  private final Map<TopicPartition, Long> committed = new ConcurrentHashMap<>();
  private final AtomicLong commits = new AtomicLong();
  private final AtomicLong restored = new AtomicLong();
  private Database db;
  private Tree data;
  private Tree meta;
  private Path dir;
  private StateStoreContext context;
  private volatile Position position = Position.emptyPosition();
  /** The position last written to the meta tree. */
  private Position committedPosition = Position.emptyPosition();
  private long maxUncommittedBytes;
  /** Restored batches were written unlogged since the last checkpoint: the next commit checkpoints. */
  private boolean unloggedSinceCheckpoint;

  StoreCommits(String name, UncommittedWrites pending, Object moveLock, Runnable checkOpen) {
    this.name = name;
    this.pending = pending;
    this.moveLock = moveLock;
    this.checkOpen = checkOpen;
  }

  /** Binds to the store's opened database and reads the stored offsets and position. */
  void opened(Database db, Tree data, Tree meta, Path dir, StateStoreContext context,
      long maxUncommittedBytes) {
    this.db = db;
    this.data = data;
    this.meta = meta;
    this.dir = dir;
    this.context = context;
    this.maxUncommittedBytes = maxUncommittedBytes;
    committed.putAll(StoreMeta.readOffsets(meta, dir.toString()));
    position = StoreMeta.readPosition(meta, dir.toString());
    committedPosition = position;
  }

  Position position() {
    return position;
  }

  Long committedOffset(TopicPartition partition) {
    return committed.get(partition);
  }

  long commitCount() {
    return commits.get();
  }

  long restoredCount() {
    return restored.get();
  }

  /**
   * Writes the uncommitted data, the changelog offsets and the position as one atomic batch, with
   * the durability of the store's {@link dev.sapwood.Options} (after restored, unlogged batches:
   * unlogged, then a checkpoint).
   */
  void commit(Map<TopicPartition, Long> changelogOffsets) {
    if (pending.isEmpty() && !unloggedSinceCheckpoint && position.equals(committedPosition)
        && committed.entrySet().containsAll(changelogOffsets.entrySet())) {
      return; // nothing new: the stored data, offsets and position are already these
    }
    Position positionNow = position;
    WriteBatch batch = new WriteBatch();
    synchronized (moveLock) {
      pending.writeTo(batch, data);
      StoreMeta.putOffsets(batch, meta, changelogOffsets);
      StoreMeta.putPosition(batch, meta, positionNow);
      writeBatch(batch);
      pending.clear();
    }
    committedPosition = positionNow;
    for (Map.Entry<TopicPartition, Long> e : changelogOffsets.entrySet()) {
      if (e.getValue() != null) {
        committed.put(e.getKey(), e.getValue());
      }
    }
    commits.incrementAndGet();
  }

  /** Restores changelog records: one unlogged batch per call; the next commit checkpoints. */
  void restoreAll(Collection<KeyValue<byte[], byte[]>> records) {
    checkOpen.run();
    WriteBatch batch = new WriteBatch();
    for (KeyValue<byte[], byte[]> kv : records) {
      if (batch.byteSize() > (64 << 20)) {
        db.write(batch, Durability.NONE);
        batch = new WriteBatch();
      }
      if (kv.value == null) {
        batch.delete(data, kv.key);
      } else {
        batch.put(data, kv.key, kv.value);
      }
    }
    unloggedSinceCheckpoint = true;
    db.write(batch, Durability.NONE);
    restored.addAndGet(records.size());
  }

  /** After each write: advances the position to the record being processed; spills past the limit. */
  void afterWrite() {
    context.recordMetadata().ifPresent(m -> {
      if (m.offset() >= 0 && m.topic() != null) {
        position = position.withComponent(m.topic(), m.partition(), m.offset());
      }
    });
    if (pending.bytes() > maxUncommittedBytes) {
      spill();
    }
  }

  /**
   * Writes the uncommitted data before its commit, deleting the stored offsets in the same batch:
   * from now to the next commit the store on disk claims no offsets, so a crash cannot leave data
   * that offsets do not describe.
   */
  private void spill() {
    WriteBatch batch = new WriteBatch();
    synchronized (moveLock) {
      pending.writeTo(batch, data);
      for (TopicPartition tp : committed.keySet()) {
        batch.delete(meta, StoreMeta.offsetKey(tp));
      }
      writeBatch(batch);
      committed.clear();
      pending.clear();
    }
  }

  private void writeBatch(WriteBatch batch) {
    try {
      if (unloggedSinceCheckpoint) {
        db.write(batch, Durability.NONE);
        db.checkpoint();
        unloggedSinceCheckpoint = false;
      } else {
        db.write(batch);
      }
    } catch (dev.sapwood.SapwoodException e) {
      throw new ProcessorStateException("writing to Sapwood store " + name + " in " + dir + " failed", e);
    }
  }
}
