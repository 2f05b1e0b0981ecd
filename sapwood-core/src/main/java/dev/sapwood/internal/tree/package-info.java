/**
 * The B^ε-tree: nodes with message buffers (internal) or basements (leaves), partitioned and
 * compressed on disk; inserting messages at the root, flushing them down, splitting, merging and
 * rebalancing nodes, point queries and cursor chunks; node encoding and decoding; building a tree
 * bottom-up from sorted entries ({@code BulkBuilder}, a bulk load).
 *
 * <p>May import: the public API's vocabulary (exceptions, {@code Limits}, {@code UpdateFunction}),
 * {@code cache}, {@code store}, {@code stats}, {@code util}, {@code events}. Not {@code wal} (the engine logs each
 * change and gives it its MSNs before inserting it, {@code BeTree#insertLatched}), not {@code engine}.
 *
 * <p>Invariants: messages reach a leaf in MSN order; every length read from a node block is
 * checked before use, and damage is a {@code CorruptionException} naming the file and offset; a
 * node is changed only under its write latch.
 */
package dev.sapwood.internal.tree;
