/**
 * The write-ahead log: segments of checksummed records, appended with group commit by
 * {@code LogWriter} and read back at open by {@code LogReader}. What a record's payload means is
 * the engine's ({@code engine.LogRecords}); this package knows frames, LSNs and segments.
 *
 * <p>May import: the public API's exceptions, {@code io}, {@code util}, {@code stats}. Not
 * {@code store} or {@code tree}.
 *
 * <p>Invariants: LSNs are dense and increasing; a record is durable only after the fsync that
 * covers it returns; a torn or damaged tail ends the readable log, damage before it is a
 * {@code CorruptionException}; reading allocates nothing sized by an unchecked length.
 */
package dev.sapwood.internal.wal;
