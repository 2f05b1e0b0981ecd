package dev.sapwood.internal.cache;

/**
 * Base of everything the {@link CacheTable} holds: a key, a read/write latch, a pin count and a
 * clock bit. Subclasses report their memory and dirtiness.
 *
 * <p>Invariants: {@code pins} and {@code evicted} are guarded by this object's monitor; an object
 * is only latched by a thread that pinned it; an evicted object is never pinned again (pinners
 * retry the lookup); an object is evicted only while the evictor holds the only pin.
 */
public abstract class Cacheable {
  private final long key;
  final NodeLatch latch = new NodeLatch();
  int pins;
  boolean evicted;
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

  /** Whether the calling thread holds this object's write latch. */
  public final boolean isWriteLatchedByCurrentThread() {
    return latch.isWriteLockedByCurrentThread();
  }
}
