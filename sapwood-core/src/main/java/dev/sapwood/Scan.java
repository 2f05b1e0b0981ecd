package dev.sapwood;

import java.util.Iterator;
import java.util.stream.Stream;

/**
 * The entries of one {@link KeyRange} of a tree, in the range's order ({@link Tree#scan}). An
 * {@code Iterable}: each {@link #iterator()} starts at the range's first key and reads the tree
 * as a {@link Cursor} does (in chunks, weakly consistent: it sees every change completed before a
 * chunk was read, never half a {@link WriteBatch}), so two iterators of one scan may see different
 * changes.
 *
 * <p>Close it when done ({@code try}-with-resources, or close its {@link #stream()}): afterwards
 * {@code iterator()}, {@code stream()}, and {@code hasNext()} or {@code next()} of any of its
 * iterators throw {@link IllegalStateException}, as they do once the database is closed or the
 * tree dropped. Closing twice does nothing. A scan holds no lock, latch or file between calls.
 *
 * <p>Not thread-safe: one thread uses a scan and its iterators at a time. Entries are the caller's
 * ({@link Entry} is immutable). Iterators do not support {@code remove()}.
 */
public interface Scan extends Iterable<Entry>, AutoCloseable {
  /**
   * A new iterator from the range's first key.
   *
   * @throws IllegalStateException if the scan is closed
   */
  @Override
  Iterator<Entry> iterator();

  /**
   * The entries as a sequential, ordered stream from the range's first key; closing the stream
   * closes this scan.
   *
   * @throws IllegalStateException if the scan is closed
   */
  Stream<Entry> stream();

  /** Ends the scan; see the class comment. Idempotent. */
  @Override
  void close();
}
