/**
 * {@link dev.sapwood.Tree#asMap}: a tree as a {@code ConcurrentNavigableMap} of decoded keys and
 * values, with its key set, entry set, sub-maps and iterators.
 *
 * <p>May import: the public API only ({@code Tree}, {@code Cursor}, {@code Codec}); it is a client
 * of a tree like any user's code. The engine's {@code TreeImpl} creates views.
 *
 * <p>Invariants: a view holds no copy of the data; iterators are weakly consistent and never throw
 * {@code ConcurrentModificationException}.
 */
package dev.sapwood.internal.view;
