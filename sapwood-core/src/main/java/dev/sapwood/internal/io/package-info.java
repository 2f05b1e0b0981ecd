/**
 * The one seam between Sapwood and the file system: {@code FileIo} and {@code IoFile}, with the
 * real implementation over NIO channels and an in-memory one for tests. Tests inject faults by
 * wrapping a {@code FileIo}.
 *
 * <p>May import: the JDK only.
 *
 * <p>Invariants: every byte Sapwood reads or writes goes through this seam; an interrupt never
 * closes a file under other threads.
 */
package dev.sapwood.internal.io;
