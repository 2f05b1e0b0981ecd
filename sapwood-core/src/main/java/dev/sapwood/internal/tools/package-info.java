/**
 * The diagnostic tools of the command line: {@code verify}, {@code dump}, tree shapes and listings,
 * reading a database directory as of its last checkpoint. Exported to {@code dev.sapwood.cli} only.
 *
 * <p>May import: the public API's exceptions, {@code engine} (to open a directory for inspection),
 * {@code tree} and {@code store} (to read nodes and blocks from the file), {@code util} (byte
 * helpers). Nothing imports it.
 *
 * <p>Invariants: read only — a tool never writes to the database it inspects; damage is reported
 * as a {@code CorruptionException} naming the file and offset, never a wrong answer.
 */
package dev.sapwood.internal.tools;
