/**
 * The engine: an open database and its trees behind the public API. {@code DatabaseImpl} and its
 * helpers hold the lock file, the catalog of trees, the write path (log, then tree), checkpoints,
 * recovery at open ({@code DatabaseOpener}, {@code LogReplayer}), background work and close.
 *
 * <p>May import: the public API, and every internal package except {@code tools} (which sits above
 * it): {@code jmx}, {@code view}, {@code tree}, {@code wal}, {@code cache}, {@code store},
 * {@code io}, {@code util}, {@code stats}, {@code events}.
 *
 * <p>Invariants: the log order of changes equals their MSN order; a failed write or fsync is
 * sticky (the database refuses writes after it); every file is reached through {@code io.FileIo}.
 */
package dev.sapwood.internal.engine;
