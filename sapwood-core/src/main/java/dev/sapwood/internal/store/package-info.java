/**
 * The block file: numbered, variable-size blocks written copy-on-write, two header slots, the block
 * table, free space and its reuse, and checkpoints that make a new set of blocks current at once;
 * blocks staged by a bulk load, mapped all at once when it installs ({@code StagedBlocks}).
 * Knows blocks, not nodes.
 *
 * <p>May import: the public API's exceptions and {@code Compression}, {@code io}, {@code util},
 * {@code stats}. Not {@code cache}, {@code tree} or {@code wal}.
 *
 * <p>Invariants: a block of the last checkpoint is never overwritten before the next checkpoint is
 * durable; every header and block table is checksummed and checked on open; a failed write or
 * fsync is sticky ({@code StickyFile}).
 */
package dev.sapwood.internal.store;
