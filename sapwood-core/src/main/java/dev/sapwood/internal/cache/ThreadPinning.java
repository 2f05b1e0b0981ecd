package dev.sapwood.internal.cache;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Where each thread's {@link Pins} are kept (with its flag for work that does not count as
 * writing, {@link #runUnnoted}), and the pin methods that look them up per call: the
 * forms without a {@code Pins} argument, for callers that pin one object at a time. An operation
 * that pins several objects fetches its record once ({@link #pins()}) and uses the {@code Pins}
 * forms, which {@link Pinning} implements; each form here is exactly that form with the calling
 * thread's record.
 *
 * <p>Invariants: a thread's record is used only by that thread; every object it holds is one the
 * thread pinned in this cache and has not yet released; the hits it counted are added to the
 * shared counter whenever it holds nothing.
 */
abstract class ThreadPinning<T extends Cacheable> {
  /** The objects each thread has pinned and not yet released, for clean-up after a failure. */
  final ThreadLocal<Pins> held = ThreadLocal.withInitial(Pins::new);
  private final LongAdder hits;

  ThreadPinning(LongAdder hits) {
    this.hits = hits;
  }

  /**
   * The calling thread's record of its pins in this cache: fetched once by an operation that pins
   * several objects and passed to the {@code Pins} forms of the pin methods, which then skip the
   * per-pin {@code ThreadLocal} lookup. Only the calling thread may use it.
   */
  public Pins pins() {
    return held.get();
  }

  /** Whether the calling thread holds no pin (true between operations). */
  public boolean holdsNothing() {
    return held.get().isEmpty();
  }

  /**
   * Runs {@code work} on the calling thread without the changes it makes counting as writes going
   * on: background work (the cleaner's flushes) that would otherwise keep a cache that takes no
   * more writes from going quiet, so that dirty objects stayed favoured while readers need the
   * room (see {@link Clock#QUIET_SWEEPS}).
   */
  public <R> R runUnnoted(Supplier<R> work) {
    Pins p = held.get();
    boolean outer = p.unnoted;
    p.unnoted = true;
    try {
      return work.get();
    } finally {
      p.unnoted = outer;
    }
  }

  /**
   * Releases every pin and latch the calling thread still holds: the clean-up of an operation
   * that failed part-way, so that no latch outlives it (a later reader or writer would wait on it
   * forever). Does not evict.
   */
  public void releaseHeld() {
    Pins mine = held.get();
    mine.releaseAll();
    forget(mine, null);
  }

  /**
   * Drops {@code o}'s newest entry from the thread's record (null: none); once the thread holds
   * no pin, adds its counted hits to the shared counter, so the counter is exact between
   * operations and costs one shared add per operation rather than one per pin.
   */
  final void forget(Pins p, Cacheable o) {
    if (o != null) {
      p.forget(o);
    }
    if (p.hits != 0 && p.isEmpty()) {
      hits.add(p.hits);
      p.hits = 0;
    }
  }

  /**
   * For assertions: true if the calling thread holds no latch of {@code o}, which it just pinned;
   * otherwise releases that pin and returns false (a second latch would wait for itself once a
   * writer waits: node latches are not reentrant).
   */
  final boolean notLatched(Pins p, T o) {
    if (!p.latches(o)) {
      return true;
    }
    o.unpinCount();
    return false;
  }

  // The forms with the caller's record, which Pinning implements.

  public abstract T pinRead(long key, Pins p);

  public abstract T pinUnlatched(long key, Pins p);

  public abstract boolean tryReadLatch(T o, long nanos, Pins p);

  public abstract void unpinUnlatched(T o, Pins p);

  public abstract void unpinRead(T o, Pins p);

  public T pinRead(long key) {
    return pinRead(key, held.get());
  }

  /**
   * Pins the object without latching it: the caller then takes its read latch with {@link
   * #tryReadLatch}, or reads what the object's owner lets be read without the latch (a tree
   * leaf's flush view), and releases it with {@link #unpinRead} or {@link #unpinUnlatched}.
   */
  public T pinUnlatched(long key) {
    return pinUnlatched(key, held.get());
  }

  /**
   * Takes the read latch of an object pinned by {@link #pinUnlatched}, waiting at most {@code
   * nanos} (0: not at all); whether it was taken. Interrupted, it waits without a limit and
   * keeps the interrupt.
   */
  public boolean tryReadLatch(T o, long nanos) {
    return tryReadLatch(o, nanos, held.get());
  }

  /** Releases a pin taken by {@link #pinUnlatched} whose latch was never taken. */
  public void unpinUnlatched(T o) {
    unpinUnlatched(o, held.get());
  }

  public void unpinRead(T o) {
    unpinRead(o, held.get());
  }
}
