package dev.sapwood.internal.cache;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Base of everything the {@link CacheTable} holds: a key, a read/write latch, a pin count and a
 * clock bit. Subclasses report their memory and dirtiness.
 *
 * <p>Invariants: the pin count and the evicted bit are one atomic word ({@code pinState}, changed
 * only by compare-and-set or atomic add); {@code accountedBytes} is guarded by this object's
 * monitor; an object is only latched by a thread that pinned it; an evicted object is never pinned again (pinners
 * retry the lookup); an object is evicted only while the evictor holds the only pin.
 */
public abstract class Cacheable {
  private static final VarHandle PIN_STATE;
  /** The bit of {@code pinState} set once the object left the cache (evicted or removed). */
  private static final int EVICTED = 1 << 30;

  static {
    try {
      PIN_STATE = MethodHandles.lookup().findVarHandle(Cacheable.class, "pinState", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final long key;
  final NodeLatch latch = new NodeLatch();
  /** The pin count, and {@link #EVICTED}: one word, so a pin and an eviction are one CAS each. */
  private volatile int pinState;
  volatile boolean referenced = true;
  /** Clock passes since the object was last pinned (guarded by the evict lock; saturating). */
  int idlePasses;
  long accountedBytes;

  protected Cacheable(long key) {
    this.key = key;
  }

  /** The cache key (a block number). */
  public final long key() {
    return key;
  }

  /** Heap bytes this object holds; called with the object latched (or otherwise stable). */
  public abstract long memoryBytes();

  /** Whether the object has changes not yet written. */
  public abstract boolean isDirty();

  /** Adds a pin unless the object was evicted; whether it did (else the pinner looks it up again). */
  final boolean tryPin() {
    for (;;) {
      int s = pinState;
      if ((s & EVICTED) != 0) {
        return false;
      }
      if (PIN_STATE.compareAndSet(this, s, s + 1)) {
        return true;
      }
    }
  }

  /** Removes a pin. */
  final void unpinCount() {
    PIN_STATE.getAndAdd(this, -1);
  }

  /** The evictor's pin: taken only if no one pins the object and it is still cached. */
  final boolean tryPinIdle() {
    return PIN_STATE.compareAndSet(this, 0, 1);
  }

  /** Marks the object evicted if the caller's pin is its only one; whether it did. */
  final boolean tryEvictSolePin() {
    return PIN_STATE.compareAndSet(this, 1, EVICTED | 1);
  }

  /** Marks the object evicted (removed for good); the caller holds a pin. */
  final void markEvicted() {
    PIN_STATE.getAndBitwiseOr(this, EVICTED);
  }

  /** A new object's state before it is published: pinned once by its creator. */
  final void initPinned() {
    pinState = 1;
  }

  /** The pins held now. */
  final int pins() {
    return pinState & ~EVICTED;
  }

  /** Whether the object left the cache. */
  final boolean evicted() {
    return (pinState & EVICTED) != 0;
  }

  /** Whether the calling thread holds this object's write latch. */
  public final boolean isWriteLatchedByCurrentThread() {
    return latch.isWriteLockedByCurrentThread();
  }
}
