/**
 * JDK Flight Recorder events ({@code jdk.jfr}): checkpoints, flushes, write stalls, evictions and
 * backups, named {@code dev.sapwood.*} in the category "Sapwood", so JDK Mission Control shows
 * what the engine did and for how long (README, "Observability").
 *
 * <p>May import: the JDK only ({@code jdk.jfr}). The lowest rank: the engine, the tree and the
 * cache emit them.
 *
 * <p>Invariants: with no recording running (or the event disabled), emitting costs one check of
 * the event type's state and allocates nothing: each {@code start} returns null then, and each
 * {@code finish} does nothing with null. An event is created, timed and committed by one thread.
 */
package dev.sapwood.internal.events;
