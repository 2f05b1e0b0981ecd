package dev.sapwood;

/**
 * An iterator over a tree's entries in unsigned-lexicographic key order, in both directions.
 *
 * <p>A new cursor is unpositioned. {@link #first()}, {@link #last()} and {@link #seek} position it
 * and return whether an entry was found; {@link #next()} and {@link #prev()} move it and return
 * false (leaving it unpositioned) when they run off the end. {@link #key()} and {@link #value()} of
 * an unpositioned cursor, and {@code next()}/{@code prev()} of one that was never positioned, throw
 * {@link IllegalStateException}; once a cursor has run off an end, {@code next()} and
 * {@code prev()} return false until it is positioned again.
 *
 * <p>Consistency: the cursor reads the tree in chunks (one leaf partition's key range at a time),
 * each read atomically, so it sees every change completed before the chunk was read, including
 * those still buffered in internal nodes, and never a half-applied {@link WriteBatch}. Changes made
 * after a chunk was read may or may not be seen (weakly consistent, like
 * {@code ConcurrentSkipListMap}'s iterators); the cursor never fails because of them.
 *
 * <p>A cursor of a {@link KeyRange} ({@link Tree#cursor(KeyRange)}) keeps this contract inside its
 * range and in the range's order: for a {@link KeyRange#reversed() reversed} range "smallest"
 * reads "largest", "next" moves to a smaller key, and {@code seek(key)} finds the largest key
 * {@code <= key}; no move leaves the range.
 *
 * <p>Not thread-safe: one thread uses a cursor at a time. Using a closed cursor, or a cursor of a
 * closed database, is an {@link IllegalStateException}. Returned arrays are copies.
 */
public interface Cursor extends AutoCloseable {
  /** Positions at the smallest key; false if the tree is empty. */
  boolean first();

  /** Positions at the largest key; false if the tree is empty. */
  boolean last();

  /** Positions at the first key {@code >= key}; false if there is none. */
  boolean seek(byte[] key);

  /** Moves to the next larger key; false (and unpositioned) if there is none. */
  boolean next();

  /** Moves to the next smaller key; false (and unpositioned) if there is none. */
  boolean prev();

  /** Whether the cursor is on an entry. */
  boolean isValid();

  /** The current key. */
  byte[] key();

  /** The current value. */
  byte[] value();

  @Override
  void close();
}
