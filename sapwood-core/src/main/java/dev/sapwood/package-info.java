/**
 * Sapwood's public API: {@link dev.sapwood.Database}, {@link dev.sapwood.Tree}, {@link
 * dev.sapwood.Cursor}, key ranges ({@link dev.sapwood.KeyRange}, {@link dev.sapwood.Scan}, {@link
 * dev.sapwood.Entry}), {@link dev.sapwood.WriteBatch}, {@link dev.sapwood.Options}, the codecs of
 * {@link dev.sapwood.Tree#asMap} and the {@link dev.sapwood.SapwoodException} family. The only
 * exported package; everything under {@code dev.sapwood.internal} is closed.
 *
 * <p>May import: the JDK, and the internals through one seam only: {@code Database.open} hands over
 * to {@code internal.engine.Engine}. Every other type here stands alone (the built-in codecs live
 * here, package-private, with their own strict UTF-8 rather than {@code internal.util.Utf8}, since
 * {@code util} uses this package), so the internals may use this package's types as their vocabulary.
 *
 * <p>Invariants: public types carry their contracts (thread-safety, durability, what is thrown);
 * signatures change only with a release note. {@code LayeringTest} checks the seam.
 */
package dev.sapwood;
