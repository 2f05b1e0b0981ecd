/**
 * Named status counters: components look their counters up once, at construction, and bump them
 * on the hot path; the engine reads them for {@code Stats} and JMX.
 *
 * <p>May import: the JDK only.
 *
 * <p>Invariants: bumping a counter allocates nothing and takes no lock.
 */
package dev.sapwood.internal.stats;
