package dev.sapwood.kafka;

import dev.sapwood.Database;
import dev.sapwood.Options;
import dev.sapwood.Stats;
import dev.sapwood.Tree;
import dev.sapwood.UpdateFunction;
import dev.sapwood.WriteBatch;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.processor.BatchingStateRestoreCallback;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A persistent Kafka Streams key-value store on a Sapwood database: {@code stateDir/<name>}, with a
 * {@code data} tree for the entries and a {@code meta} tree for the committed changelog offsets,
 * the IQv2 position and the store's format ({@link StoreMeta}).
 *
 * <p><b>Offsets and atomicity</b> (KIP-1035, KIP-892). The store manages its own changelog offsets
 * ({@link #managesOffsets()} is true). Writes since the last commit are held in memory ({@link
 * UncommittedWrites}); {@link #commit} writes them together with the changelog offsets Kafka
 * Streams passes, and the position, as one {@link WriteBatch}: one log record, applied whole or not
 * at all, so after any crash the data on disk is exactly the data its stored offsets cover, and
 * {@link #committedOffset} tells Kafka Streams where to resume restoring. Writes that pass the
 * uncommitted-bytes limit before a commit are written early in one batch that also deletes the
 * stored offsets: until the next commit, a crash leaves the store without offsets, which Kafka
 * Streams treats as "restore from the changelog's start" (or, under exactly-once, wipes the
 * store): never data that its offsets do not describe. Changelog records restored through the
 * {@link BatchingStateRestoreCallback} are written in large unlogged batches and made durable by
 * one checkpoint at the next commit.
 *
 * <p><b>Reads</b> see the uncommitted writes (read-your-writes), except through {@link
 * #readOnly}{@code (READ_COMMITTED)} and IQv2 queries with that isolation level. Iterators are
 * snapshots: each takes a Sapwood {@link dev.sapwood.Snapshot} and copies the in-memory writes in
 * its range at the same moment (no commit between), and never sees a write made after; the
 * snapshot is closed with the iterator. See {@link MergedIterator}.
 *
 * <p><b>Blind updates</b>: {@link #update} records a Sapwood {@link UpdateFunction} to apply to a
 * key's value without reading it, for use from the Processor API (see {@link
 * SapwoodStores#updatableStoreBuilder}). Such a store has no Kafka layers in front of it: when
 * changelogged it sends its own changelog records ({@link StoreChangelog}), a put at once and a
 * blindly updated key once per commit, read at the cache flush Kafka Streams runs before committing
 * (the reason the store is a {@link CachedStateStore}).
 *
 * <p>Thread-safety: one stream thread writes (as Kafka Streams guarantees); interactive-query
 * threads may read at the same time. Using a store that is not open is an {@link
 * InvalidStateStoreException}; a Sapwood failure underneath is a {@link ProcessorStateException}
 * with the {@link dev.sapwood.SapwoodException} as its cause.
 */
public class SapwoodKeyValueStore implements KeyValueStore<Bytes, byte[]>, CachedStateStore<byte[], byte[]> {
  private final String name;
  private final Options options;
  private final String metricsScope;
  private final StoreFormat format;
  private final UncommittedWrites pending = new UncommittedWrites();
  /**
   * Held while a commit or spill moves the uncommitted writes into the tree (write, then clear),
   * and while a reader takes a snapshot with a copy of those writes, or resolves a pending blind
   * update against the tree: a reader sees each write once, in memory or in the tree.
   */
  private final Object moveLock = new Object();
  /** The write side: commits, spills, restores, offsets and position. */
  private final StoreCommits writes;
  /** The key-level write path: puts, deletes, blind updates and their changelog records. */
  private final StoreWriter writer;
  /** The read side's iterators: opened over snapshots, closed with the store. */
  private final StoreIterators iterators;
  /** False when Kafka Streams' layers (cache, changelog, metering) sit in front: no blind updates. */
  private boolean bare;
  private volatile boolean open;
  /** The database and trees under the store: opened by init, closed by close. */
  private final StoreLifecycle lifecycle;
  private StoreMetrics metrics;

  SapwoodKeyValueStore(String name, Options options, String metricsScope, StoreFormat format) {
    this(name, options, metricsScope, format, false);
  }

  /** {@code logged}: the store sends its own changelog records (the updatable builder's stores). */
  SapwoodKeyValueStore(String name, Options options, String metricsScope, StoreFormat format, boolean logged) {
    this.name = Objects.requireNonNull(name, "name");
    this.options = Objects.requireNonNull(options, "options");
    this.metricsScope = metricsScope;
    this.format = format;
    this.writes = new StoreCommits(name, pending, moveLock, this::checkOpen);
    this.iterators = new StoreIterators(name, moveLock, this::isOpen, this::checkOpen);
    this.writer = new StoreWriter(pending, moveLock, writes, logged ? new StoreChangelog(name) : null, this::checkOpen);
    this.lifecycle = new StoreLifecycle(name, options, format, writes, iterators, writer);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    if (open) {
      throw new IllegalStateException("store " + name + " is already open");
    }
    lifecycle.open(context);
    bare = root == this;
    open = true;
    metrics = StoreMetrics.register(context, metricsScope, this);
    context.register(root, (BatchingStateRestoreCallback) writes::restoreAll);
  }

  @Override
  public boolean persistent() {
    return true;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  /**
   * True: the store keeps its changelog offsets itself. Kafka 4.4 deprecates the method only to say
   * that every store will be assumed to return true (nothing replaces it); a store that returns
   * false is wrapped in Kafka's legacy {@code .checkpoint}-file layer instead.
   */
  @SuppressWarnings("deprecation") // see above: overriding is what 4.4 asks of a store that manages its offsets
  @Override
  public boolean managesOffsets() {
    return true;
  }

  @Override
  public byte[] get(Bytes key) {
    checkOpen();
    return writer.get(key.get());
  }

  @Override
  public void put(Bytes key, byte[] value) {
    checkOpen();
    Objects.requireNonNull(key, "key");
    writer.put(key, value);
  }

  @Override
  public byte[] putIfAbsent(Bytes key, byte[] value) {
    byte[] old = get(key);
    if (old == null) {
      put(key, value);
    }
    return old;
  }

  /** All the entries become one unit: they reach the disk in the same commit batch. */
  @Override
  public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
    checkOpen();
    writer.putAll(entries);
  }

  @Override
  public byte[] delete(Bytes key) {
    byte[] old = get(key);
    writer.delete(key);
    return old;
  }

  /**
   * Blind read-modify-write: records that {@code fn} is to be applied to the key's value with
   * {@code argument}, without reading the value (Sapwood applies it where it finds the value, in a
   * flush or a read). {@code fn} must be one of {@link dev.sapwood.UpdateFunctions} or registered
   * in the store's {@link Options}. Committed with the other writes. If the store is changelogged,
   * the key's resulting value is read and sent to the changelog once, at the next commit (or
   * earlier, when many keys wait), however many updates it takes meanwhile.
   *
   * @throws IllegalArgumentException if {@code fn} refuses the argument or is not registered
   * @throws IllegalStateException if Kafka Streams' store layers sit in front of this store (a DSL
   *     or {@code Stores} store: its cache would go stale, its changelog would miss the update);
   *     build the store with {@link SapwoodStores#updatableStoreBuilder} instead
   */
  public void update(Bytes key, UpdateFunction fn, byte[] argument) {
    checkOpen();
    if (!bare) {
      throw new IllegalStateException("store " + name + " is wrapped by Kafka Streams' caching/logging layers, "
          + "which a blind update would bypass: build it with SapwoodStores.updatableStoreBuilder");
    }
    writer.update(key, fn, argument);
  }

  /**
   * Sends the current value of each key updated blindly since the last flush to the changelog
   * (nothing if the store is not changelogged). Kafka Streams calls it before it flushes the
   * producer and commits (the caching layer's hook); {@link #update} calls it when the dirty keys
   * pass their memory limit. One read per key, whose result replaces the key's pending updates
   * (so later updates of it until the commit apply in memory, and the commit writes a put).
   */
  @Override
  public void flushCache() {
    writer.flushChangelog();
  }

  /** Not a record cache: there is nothing to forward, so no listener is kept. */
  @Override
  public boolean setFlushListener(CacheFlushListener<byte[], byte[]> listener, boolean sendOldValues) {
    return false;
  }

  /**
   * Kafka Streams calls it when an active task's stores become a standby's, after a commit (which
   * flushed the dirty keys): nothing is cached to drop.
   */
  @Override
  public void clearCache() {}

  /**
   * The {@link SapwoodKeyValueStore} under the store a processor gets from {@code
   * context.getStateStore(name)}: Kafka Streams hands processors its stores inside a read-write
   * decorator (one of its {@code WrappedStateStore}s), which does not expose {@link #update}.
   *
   * @throws IllegalArgumentException if there is no Sapwood store under {@code store}
   */
  public static SapwoodKeyValueStore unwrap(StateStore store) {
    StateStore s = store;
    while (!(s instanceof SapwoodKeyValueStore)) {
      if (s instanceof org.apache.kafka.streams.state.internals.WrappedStateStore<?, ?, ?> w) {
        s = w.wrapped();
      } else {
        throw new IllegalArgumentException("no Sapwood store under " + store);
      }
    }
    return (SapwoodKeyValueStore) s;
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
    return iterator(from, to, true, false);
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
    return iterator(from, to, true, true);
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> all() {
    return iterator(null, null, true, false);
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> reverseAll() {
    return iterator(null, null, true, true);
  }

  @Override
  public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(P prefix, PS serializer) {
    byte[] from = serializer.serialize(null, prefix);
    byte[] to = PrefixRange.end(from);
    return iterator(Bytes.wrap(from), to == null ? null : Bytes.wrap(to), to == null, false);
  }

  /**
   * About how many entries the store holds, in O(1) without reading: the data tree's key count
   * ({@link Tree#approximateSize}, kept by Sapwood as changes reach its leaves) plus the puts less
   * the deletes among the writes not yet committed. Exact when nothing is uncommitted and the tree's
   * buffers are drained (a small tree, whose root is a leaf, has none; {@link Database#compact}
   * drains a large one). Otherwise it may be off by the number of uncommitted writes (a put over an
   * existing key counts one more, a delete of an absent key one less) plus the number of changes
   * still buffered above the tree's leaves. Never negative. As RocksDB's store's
   * ({@code rocksdb.estimate-num-keys}), it is an estimate, which is what Kafka's contract asks.
   */
  @Override
  public long approximateNumEntries() {
    checkOpen();
    return Math.max(0, lifecycle.data().approximateSize() + pending.netPuts());
  }

  @Override
  public long approximateNumUncommittedBytes() {
    return pending.bytes();
  }

  @Override
  public ReadOnlyKeyValueStore<Bytes, byte[]> readOnly(IsolationLevel level) {
    return level == IsolationLevel.READ_COMMITTED ? new CommittedView(this) : this;
  }

  /**
   * Writes the uncommitted data, the changelog offsets and the position as one atomic batch, with
   * the durability of the store's {@link Options} (after restored, unlogged batches: unlogged, then
   * a checkpoint). See {@link StoreCommits#commit}.
   */
  @Override
  public void commit(Map<TopicPartition, Long> changelogOffsets) {
    checkOpen();
    flushCache(); // empty under Kafka Streams, which flushes before it commits; kept for other callers
    writes.commit(changelogOffsets);
  }

  @Override
  public Long committedOffset(TopicPartition partition) {
    checkOpen();
    return writes.committedOffset(partition);
  }

  @Override
  public Position getPosition() {
    return writes.position();
  }

  @Override
  public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
    checkOpen();
    return StoreQueries.run(this, query, positionBound, config, writes.position().copy());
  }

  /**
   * Closes the database (which checkpoints) and every open iterator. Writes not committed are
   * dropped: Kafka Streams commits before a clean close. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (!open) {
      return;
    }
    open = false;
    iterators.closeAll();
    if (metrics != null) {
      metrics.remove();
    }
    lifecycle.close();
  }

  @Override
  public String toString() {
    return "SapwoodKeyValueStore(" + name + ", " + format + ")";
  }

  Stats stats() {
    return lifecycle.db().stats();
  }

  long commitCount() {
    return writes.commitCount();
  }

  int openIteratorCount() {
    return iterators.openCount();
  }

  long restoredCount() {
    return writes.restoredCount();
  }

  Tree dataTree() {
    return lifecycle.data();
  }

  Database database() {
    return lifecycle.db();
  }

  /** Changelog records sent for blindly updated keys (0 if not changelogged). */
  long changelogSentAfterUpdates() {
    return writer.changelogSentAfterUpdates();
  }

  void checkOpen() {
    if (!open) {
      throw new InvalidStateStoreException("Sapwood store " + name + " is not open");
    }
  }

  KeyValueIterator<Bytes, byte[]> iterator(Bytes from, Bytes to, boolean toInclusive, boolean reverse) {
    return iterators.open(from, to, toInclusive, reverse, pending);
  }

  /** Tree-only iterator for {@link CommittedView}: a snapshot of the tree, without the writes in memory. */
  KeyValueIterator<Bytes, byte[]> committedIterator(Bytes from, Bytes to, boolean reverse) {
    return iterators.open(from, to, true, reverse, null);
  }
}
