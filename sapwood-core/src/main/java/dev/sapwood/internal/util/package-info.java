/**
 * Leaf helpers on bytes shared by the store, the log and the tree: big-endian fields, bounded
 * reading of untrusted bytes, the CRC32C {@code Checksums} of every file, and the partition
 * {@code Compressors} (none, LZ4, Zstandard) by their on-disk code.
 *
 * <p>May import: the public API's exceptions and {@code Compression}, the JDK, and the LZ4 and
 * Zstandard libraries. No other Sapwood package.
 *
 * <p>Invariants: nothing here trusts a length it did not check; compressor codes are on disk and
 * never renumbered.
 */
package dev.sapwood.internal.util;
