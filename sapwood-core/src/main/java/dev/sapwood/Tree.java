package dev.sapwood;

import java.util.concurrent.ConcurrentNavigableMap;

/**
 * A named, ordered keyspace of a {@link Database}. Keys are compared as unsigned bytes
 * (lexicographic); keys are at most {@link Limits#MAX_KEY_SIZE} bytes and values at most
 * {@link Limits#MAX_VALUE_SIZE}; empty keys and values are legal. Null keys or values, and larger
 * ones, are {@link IllegalArgumentException}s.
 *
 * <p>Thread-safe: any number of threads may call any method at once; each single change is atomic.
 * Arrays passed in are copied (changing them afterwards does not change the tree); arrays returned
 * are the caller's. A single change is durable as {@link Options#durability()} says when the call
 * returns; for another durability, use a {@link WriteBatch} with {@link Database#write(WriteBatch,
 * Durability)}. A failed write or fsync is a {@link StorageException}, after which the database
 * refuses writes. An interrupt is not a failure: a change on an interrupted thread is made, and the
 * flag kept; only a change that waits for its fsync ({@link Durability#SYNC}) gives up the wait,
 * with a {@link SyncInterruptedException} (the change is made; see {@link Database}).
 *
 * <p>Using a tree of a closed database, or a dropped tree, is an {@link IllegalStateException}.
 *
 * <p>Implemented by Sapwood only: trees come from {@link Database#tree}; not for implementing by callers.
 */
public interface Tree {
  /** The tree's name. */
  String name();

  /** The value of {@code key}, or null if absent. */
  byte[] get(byte[] key);

  /**
   * Sets {@code key} to {@code value}.
   *
   * @throws IllegalArgumentException if the key or value is null or over its {@link Limits}
   */
  void put(byte[] key, byte[] value);

  /** Removes {@code key} if present. */
  void delete(byte[] key);

  /**
   * Removes every key {@code k} with {@code fromInclusive <= k < toExclusive}, as one message
   * (cost independent of how many keys it removes). An empty or inverted range removes nothing.
   */
  void deleteRange(byte[] fromInclusive, byte[] toExclusive);

  /**
   * Blind read-modify-write: records that {@code fn} is to be applied to the key's value with
   * {@code argument}, without reading the old value now. {@code fn} must be a built-in or registered
   * with {@link Options#register}; otherwise {@link IllegalArgumentException}. The argument is at
   * most {@link Limits#MAX_VALUE_SIZE}, and so is the value the function makes: an update whose
   * result would be longer is skipped when it is applied (see {@link UpdateFunction}).
   *
   * @throws IllegalArgumentException if the key or argument is null or over its {@link Limits},
   *     or {@code fn} refuses the argument ({@link UpdateFunction#checkArgument})
   */
  void update(byte[] key, UpdateFunction fn, byte[] argument);

  /**
   * Range update: records that {@code fn} is to be applied, with {@code argument}, to every key
   * {@code k} with {@code fromInclusive <= k < toExclusive} that exists when the update reaches it,
   * as one message (cost independent of how many keys it touches: TokuFT's broadcast message).
   * The message is applied lazily as it flushes down the tree, and every read and cursor sees its
   * effect at once (a read meeting it on the way down applies it). Unlike {@link #update}, keys
   * that are absent stay absent: the function never sees a null old value here. It may return
   * null to delete the key (expiry) or a new value (migration); a result over the value limit, or
   * an exception, skips that key (see {@link UpdateFunction}). It orders with every other change
   * to the same keys as they were made: a put after it is not touched by it, a put before it is.
   * An empty or inverted range changes nothing. Durable and atomic as a single change.
   *
   * <p>The function runs once per key per place the message is applied (every read that meets it
   * before it reaches a leaf, and the flush that applies it), so it must be pure: see {@link
   * UpdateFunction}.
   *
   * @throws IllegalArgumentException if a bound or the argument is null or over its {@link
   *     Limits}, {@code fn} is not registered, or refuses the argument
   */
  void updateRange(byte[] fromInclusive, byte[] toExclusive, UpdateFunction fn, byte[] argument);

  /**
   * {@link #updateRange} over the whole key space (no end): {@code fn} applies to every key the
   * tree holds as of this call; keys written after it are not touched. One message; see {@link
   * #updateRange} for when it applies and what the function may do.
   *
   * @throws IllegalArgumentException if the argument is null or over its {@link Limits}, {@code
   *     fn} is not registered, or refuses the argument
   */
  void updateAll(UpdateFunction fn, byte[] argument);

  /**
   * About how many keys the tree holds, answered at once from a count kept as changes reach the
   * leaves (TokuFT's logical rows), without reading the tree. It is exact for the entries in the
   * leaves: a flush into a leaf knows which keys existed before and after it. Changes still
   * buffered above the leaves are not in it yet (a buffered put of a new key, or delete of an
   * existing one, is off by one until it is flushed), so it may lag the tree by up to the
   * messages buffered; after {@link Database#compact} drains the buffers it is exact. Kept across
   * restarts (in the catalog at each checkpoint, then brought up to date by log replay's
   * flushes). A database last written by format version 3 counts from 0 for its existing trees.
   */
  long approximateSize();

  /**
   * Drains this tree's buffers down to its leaves online (PerconaFT's hot optimize), so later
   * reads find every change applied and range updates ({@link #updateRange}) are done. It walks
   * the tree in key order, one root-to-leaf path per step, each step under the database lock's
   * shared side like a write: readers and writers of other trees never wait for it, and those of
   * this tree wait at most one step (one path's flushes; the {@code optimize.step_micros_max}
   * counter says how long the longest was). Changes written after a step passed their keys stay
   * buffered. Its progress is recorded at every checkpoint: calling it again after a restart
   * resumes from there. One optimize per tree runs at a time; a second call waits for the first.
   * Nothing is made durable by it beyond what the next checkpoint writes.
   *
   * @throws StorageException if a write failed, as any write does
   */
  void optimize();

  /**
   * A {@link BulkLoader} for this tree, which must be empty: it builds the tree bottom-up from
   * entries added in strictly ascending key order, with full leaves (see {@link #bulkLoader(double)}
   * for another fill), and installs them atomically and durably when {@link BulkLoader#finish}
   * returns. Much cheaper than puts for a sorted load: each entry is written once, in full nodes,
   * and not logged.
   *
   * @throws IllegalStateException if the tree is not empty (a key, a buffered change, or old values
   *     an open snapshot still sees), another bulk load of it is open, or the database is closed or
   *     read-only
   */
  default BulkLoader bulkLoader() {
    return bulkLoader(1.0);
  }

  /**
   * Like {@link #bulkLoader()}, filling each leaf to {@code leafFill} of the node size: 1.0 packs
   * leaves full (the smallest tree, for data that is mostly read); a lower fill leaves room for
   * later inserts between the loaded keys before leaves split.
   *
   * @throws IllegalArgumentException if {@code leafFill} is not in (0, 1]
   * @throws IllegalStateException as {@link #bulkLoader()}
   */
  BulkLoader bulkLoader(double leafFill);

  /**
   * Loads {@code sortedEntries} (keys strictly ascending) into this empty tree with a {@link
   * #bulkLoader()}, finishing it, and returns how many entries were loaded. On any exception
   * (including one the iterator throws) nothing is applied; the contract is {@link BulkLoader}'s.
   *
   * @throws IllegalArgumentException if the keys are not strictly ascending
   * @throws IllegalStateException as {@link #bulkLoader()} and {@link BulkLoader#finish}
   */
  default long bulkLoad(java.util.Iterator<Entry> sortedEntries) {
    java.util.Objects.requireNonNull(sortedEntries, "sortedEntries");
    try (BulkLoader loader = bulkLoader()) {
      while (sortedEntries.hasNext()) {
        Entry e = sortedEntries.next();
        loader.add(e.key(), e.value());
      }
      return loader.finish();
    }
  }

  /** A new, unpositioned cursor; close it when done. */
  Cursor cursor();

  /**
   * A new, unpositioned cursor that sees only the keys of {@code range}, in the range's order; close
   * it when done. It keeps the {@link Cursor} contract with "the tree" read as "the range" and
   * "larger" as "later in the range's order": {@code first()} positions at the range's first key
   * (its largest if the range is {@link KeyRange#reversed() reversed}), {@code last()} at its last,
   * {@code next()} moves one key on in the range's order and {@code prev()} one back, each false
   * (unpositioned) when it would leave the range; {@code seek(key)} positions at the first key of
   * the range at or after {@code key} in the range's order (for a reversed range: the largest key
   * {@code <= key}), false if there is none. A key before the range seeks to its first key; a key
   * past it finds nothing. A read that reaches the range's end stops there: nothing past it is
   * read, so a small range costs about its own keys, not the basements around it. A null range is
   * an {@link IllegalArgumentException}.
   */
  Cursor cursor(KeyRange range);

  /**
   * The entries of {@code range}, in its order, as a closeable {@link Scan} (iterate it, or {@link
   * Scan#stream()} it; close it when done). For example, every key with a prefix, largest first:
   * {@code try (Scan s = tree.scan(KeyRange.prefix(p).reversed())) { for (Entry e : s) ... }}.
   */
  Scan scan(KeyRange range);

  /**
   * This tree as a {@link ConcurrentNavigableMap} of {@code K} to {@code V}: a view, not a copy, in
   * the byte order of the encoded keys (numeric order for {@link Codec#LONG} and {@link
   * Codec#INT}). Null keys and values are refused, as by every concurrent map. Iterators are weakly
   * consistent (like {@code ConcurrentSkipListMap}'s), never throw {@code
   * ConcurrentModificationException}, and support {@code remove()}. The read-then-write methods
   * ({@code put}'s old value, {@code putIfAbsent}, {@code replace}, {@code remove}, ...) are atomic
   * against each other across every view of this tree, not against writes through this {@code Tree}
   * itself. An entry whose bytes the codecs cannot decode makes the call that meets it fail with
   * the codec's {@link IllegalArgumentException}.
   */
  <K, V> ConcurrentNavigableMap<K, V> asMap(Codec<K> keys, Codec<V> values);
}
