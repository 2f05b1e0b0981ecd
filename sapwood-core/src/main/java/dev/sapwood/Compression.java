package dev.sapwood;

/**
 * How node partitions are compressed on disk. The choice is recorded per partition, so a
 * database can be reopened with a different setting; new writes use the new one.
 */
public enum Compression {
  /** Stored as is. */
  NONE,
  /** LZ4 (fast, modest ratio). The default. */
  LZ4,
  /** Zstandard level 3 (slower, better ratio). */
  ZSTD
}
