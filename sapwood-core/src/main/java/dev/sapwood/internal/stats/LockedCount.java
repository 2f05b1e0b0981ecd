package dev.sapwood.internal.stats;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A count that one thread at a time adds to, under a lock its caller holds anyway (a tree's root
 * latch, the log's locks), and that any thread reads without it: a plain field, one part of a
 * {@link Counters} sum ({@link Counters#locked}). A {@link java.util.concurrent.atomic.LongAdder}
 * increment is a locked instruction even without contention (it waits for the store buffer to
 * drain: the record just copied into a buffer and the log), and four of them per put took 8.6–9.1%
 * of the writer's Java samples (docs/benchmarks.md, "The overwrite's CPU per put"); an add here
 * is a load and a release store, plain moves on x86.
 *
 * <p>Invariants: every {@link #add} is made holding the lock that guards this count (the caller's;
 * one lock per count), so adds never race and each sees the one before it; a reader sees each
 * value whole (release store, acquire load), and after the adding threads are joined (or after
 * taking their lock) the exact sum.
 */
public final class LockedCount {
  private static final VarHandle VALUE;

  static {
    try {
      VALUE = MethodHandles.lookup().findVarHandle(LockedCount.class, "value", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @SuppressWarnings("unused") // through VALUE, and read plainly by the lock's holder
  private long value;

  LockedCount() {}

  /** Adds {@code x}. REQUIRES: the calling thread holds the lock that guards this count. */
  public void add(long x) {
    VALUE.setRelease(this, value + x);
  }

  /** Adds 1. REQUIRES: as {@link #add}. */
  public void increment() {
    VALUE.setRelease(this, value + 1);
  }

  /** The count, read without the lock. */
  public long get() {
    return (long) VALUE.getAcquire(this);
  }
}
