/**
 * The node cache: {@code CacheTable} holds {@code Cacheable}s by key, pinned under read or write
 * latches, within a memory budget kept by clock eviction; it loads and writes back through a
 * {@code CacheBackend} its user supplies. {@code FrameCache} is the off-heap tier beside it: compressed
 * frames in direct memory, keyed by the caller's never-reused identities.
 *
 * <p>May import: {@code stats}, {@code util}, {@code events} and the JDK. It knows nothing of trees or files.
 *
 * <p>Invariants: a pinned object is never evicted; a dirty object is written back before it is
 * dropped; callers latch parent before child and left sibling before right, and the evictor never
 * blocks on a latch.
 */
package dev.sapwood.internal.cache;
