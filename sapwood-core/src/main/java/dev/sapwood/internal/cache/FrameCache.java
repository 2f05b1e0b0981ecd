package dev.sapwood.internal.cache;

import dev.sapwood.internal.stats.Counters;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;

/**
 * The off-heap tier of the node cache: compressed frames (the checksummed, separately compressed
 * runs of records a node block is made of) kept in direct {@link ByteBuffer} slabs, outside the
 * heap and the collector's reach, like RocksDB's compressed secondary cache. A miss of the heap
 * cache looks here before it reads the file; frames read from the file or written to it are put
 * here.
 *
 * <p>The slabs form a ring written in order (a log-structured FIFO, {@link SlabRing}): a frame is
 * appended at the head; when the head reaches a slab that holds frames, the whole slab is evicted
 * (its frames leave the index, its generation is raised) and overwritten. Slabs are allocated
 * lazily as the head first reaches them, so the tier's memory grows with use up to its budget. A
 * reader looks its key up under the lock, copies the bytes out without it and then checks that the
 * slab's generation is still the one it looked up (seqlock style): bytes overwritten while it
 * copied make the copy a miss, never wrong bytes.
 *
 * <p>Keys are the caller's: a key must name one content for the tier's whole life (the tree uses
 * an identity never reused, see {@code tree.FrameTier}); the tier never sees the file.
 *
 * <p>Thread-safe. {@link #get} allocates nothing. After {@link #close} every call but {@link
 * #close} and the figures throws {@link IllegalStateException}; a copy racing the close is a miss.
 *
 * <p>Invariants: (1) an index entry points into a slab whose generation has not changed since the
 * entry was made, and its bytes are the ones put under its key; (2) the slabs held never exceed
 * the budget, and none after close ({@link SlabRing}); (3) a key is in the
 * index at most once, and listed in exactly the slab its entry points into; (4) {@code heapBytes}
 * is the capacity of the index's and the slabs' key arrays (the tier's heap, which the heap
 * cache's budget pays for: {@link #chargeHeapTo}), 0 after close; (5) a slab {@linkplain
 * #lendSlab lent} out holds no frame of the index and the ring never writes it (its head is never
 * on it) until it is returned; at most {@link SlabRing#LENT_SIXTEENTHS} sixteenths of the slabs
 * are lent at once.
 */
public final class FrameCache implements AutoCloseable {
  /** Largest slab; a budget is cut into slabs of about a sixteenth of it up to this. */
  static final int MAX_SLAB = 4 << 20;
  /** Smallest slab; a budget below it holds nothing. */
  static final int MIN_SLAB = 64 << 10;
  private static final long EMPTY = FrameIndex.EMPTY;
  private static final int LEN_BITS = 23;
  private static final int POS_BITS = 23;

  private final long budget;
  /** The slabs, guarded by lock (their generations aside). */
  private final SlabRing ring;
  private final ReentrantLock lock = new ReentrantLock();
  // Open-addressing index (linear probing), guarded by lock: key -> slab | pos | len.
  private FrameIndex index;
  private long heapBytes;
  private LongConsumer heapCharge = d -> {};
  private volatile boolean closed;

  /** Test seam: run by {@link #get} between its lookup and its copy (null: nothing). */
  volatile Runnable beforeCopy;

  private final LongAdder hits;
  private final LongAdder misses;
  private final LongAdder evictions;

  /**
   * The bytes of a cache of {@code cacheBytes} to hold off-heap at {@code share}: whole slabs of
   * the size a tier of that budget uses, 0 below one.
   */
  public static long offHeapBytes(long cacheBytes, double share) {
    long want = (long) (cacheBytes * share);
    if (want < MIN_SLAB) {
      return 0;
    }
    long slab = Math.max(MIN_SLAB, Math.min(MAX_SLAB, Long.highestOneBit(want / 16)));
    return want / slab * slab;
  }

  /** A tier of at most {@code budgetBytes} of direct memory (below {@link #MIN_SLAB}: holds nothing). */
  public FrameCache(long budgetBytes, Counters counters) {
    if (budgetBytes < 0) {
      throw new IllegalArgumentException("budget " + budgetBytes + " < 0");
    }
    this.budget = budgetBytes;
    int slabSize = (int) Math.max(MIN_SLAB, Math.min(MAX_SLAB, Long.highestOneBit(Math.max(1, budgetBytes / 16))));
    int slabCount = (int) Math.min(1 << 16, budgetBytes / slabSize);
    this.ring = new SlabRing(slabSize, slabCount, new SlabRing.Owner() {
      @Override
      public void evicted(int slab, long key) {
        long v = index.get(key);
        if (v != EMPTY && slabOf(v) == slab && index.removeIf(key, v)) {
          evictions.increment();
        }
      }

      @Override
      public void heapGrew(long delta) {
        FrameCache.this.heapGrew(delta);
      }
    });
    this.index = new FrameIndex(1024);
    this.heapBytes = index.heapBytes() + 24L * slabCount;
    this.hits = counters.counter("cache.offheap_hits");
    this.misses = counters.counter("cache.offheap_misses");
    this.evictions = counters.counter("cache.offheap_evictions");
  }

  /**
   * Copies the frame stored under {@code key} into {@code dst[off, off + len)}: true if it was
   * there with exactly {@code len} bytes and was not overwritten while copied. On false, {@code
   * dst}'s range holds garbage.
   *
   * @throws IllegalStateException after {@link #close}
   */
  public boolean get(long key, byte[] dst, int off, int len) {
    if (key < 0) {
      return false;
    }
    ByteBuffer slab;
    int s;
    int pos;
    long gen;
    lock.lock();
    try {
      checkOpen();
      long v = index.get(key);
      if (v == EMPTY || lenOf(v) != len) {
        misses.increment();
        return false;
      }
      s = slabOf(v);
      pos = posOf(v);
      slab = ring.slab(s);
      gen = ring.gen(s);
    } finally {
      lock.unlock();
    }
    Runnable seam = beforeCopy;
    if (seam != null) {
      seam.run();
    }
    slab.get(pos, dst, off, len);
    VarHandle.acquireFence(); // the copy's loads complete before the generation is read again
    if (ring.gen(s) != gen) {
      misses.increment();
      return false;
    }
    hits.increment();
    return true;
  }

  /** Whether a frame is stored under {@code key} (it may be gone by the time it is read). */
  public boolean contains(long key) {
    if (key < 0) {
      return false;
    }
    lock.lock();
    try {
      checkOpen();
      return index.contains(key);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stores {@code src[off, off + len)} under {@code key}, evicting the oldest slab's frames if the
   * ring is full. A key already stored keeps its bytes (a key names one content); a frame larger
   * than a quarter of a slab, or a tier too small for any slab, stores nothing.
   *
   * @throws IllegalStateException after {@link #close}
   */
  public void put(long key, byte[] src, int off, int len) {
    if (key < 0) {
      throw new IllegalArgumentException("key " + key);
    }
    lock.lock();
    try {
      checkOpen();
      if (len <= 0 || len > ring.slabSize() / 4 || index.contains(key)) {
        return;
      }
      int s = ring.reserve(len);
      if (s < 0) {
        return;
      }
      int pos = ring.headPos();
      ring.slab(s).put(pos, src, off, len);
      long grew = index.put(key, ((long) s << (POS_BITS + LEN_BITS)) | ((long) pos << LEN_BITS) | len);
      if (grew > 0) {
        heapGrew(grew);
      }
      ring.appended(key, len);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes a whole slab out of the ring for the caller's own bytes (the node cache's parked dirty
   * images, {@link ParkedImages}), within the tier's budget: a slab not yet allocated, else the
   * oldest one, whose frames are evicted first (a copy from it in flight becomes a miss). The ring
   * passes over a lent slab until it is {@linkplain #returnSlab returned}; at most {@link
   * SlabRing#LENT_SIXTEENTHS} sixteenths of the slabs are lent at once, so clean frames keep the
   * rest. Returns null if no slab can be lent.
   *
   * @throws IllegalStateException after {@link #close}
   */
  public ByteBuffer lendSlab() {
    lock.lock();
    try {
      checkOpen();
      return ring.lend();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Gives back a slab {@link #lendSlab} lent: the ring overwrites it when its head next reaches it.
   * The caller reads and writes it no more. Nothing after {@link #close} (the slab is dropped).
   */
  public void returnSlab(ByteBuffer slab) {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      if (!ring.giveBack(slab)) {
        throw new IllegalArgumentException("not a lent slab of this tier");
      }
    } finally {
      lock.unlock();
    }
  }

  /** Bytes of direct memory lent out of the ring ({@link #lendSlab}); part of {@link #allocatedBytes}. */
  public long lentBytes() {
    lock.lock();
    try {
      return (long) ring.lentCount() * ring.slabSize();
    } finally {
      lock.unlock();
    }
  }

  /** The most slabs {@link #lendSlab} lends at once. */
  public int maxLent() {
    lock.lock();
    try {
      return ring.maxLent();
    } finally {
      lock.unlock();
    }
  }

  /** The size of every slab. */
  public int slabSize() {
    return ring.slabSize();
  }

  /** Bytes of direct memory held (slabs allocated); 0 after close. */
  public long allocatedBytes() {
    lock.lock();
    try {
      return ring.allocated();
    } finally {
      lock.unlock();
    }
  }

  /** Heap bytes of the tier's index (its key and slab-key arrays' capacity); 0 after close. */
  public long heapBytes() {
    lock.lock();
    try {
      return heapBytes;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Counts the tier's heap bytes to {@code charge} from now on: what it holds now at once, then
   * each growth (and the release at close) as it happens, under the tier's lock.
   */
  public void chargeHeapTo(LongConsumer charge) {
    lock.lock();
    try {
      heapCharge = charge;
      charge.accept(heapBytes);
    } finally {
      lock.unlock();
    }
  }

  private void heapGrew(long delta) {
    heapBytes += delta;
    heapCharge.accept(delta);
  }

  /** The most direct memory it will hold. */
  public long budget() {
    return budget;
  }

  /** Frames stored. */
  public int frames() {
    lock.lock();
    try {
      return index.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Drops every slab (their memory goes back when the collector frees the buffers; no reference
   * is left here) and makes any copy in flight a miss. Idempotent.
   */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      ring.close();
      index = new FrameIndex(1);
      heapGrew(-heapBytes);
    } finally {
      lock.unlock();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("frame cache closed");
    }
  }

  // ---- an index value: slab | pos | len ----

  private static int slabOf(long v) {
    return (int) (v >>> (POS_BITS + LEN_BITS));
  }

  private static int posOf(long v) {
    return (int) (v >>> LEN_BITS) & ((1 << POS_BITS) - 1);
  }

  private static int lenOf(long v) {
    return (int) v & ((1 << LEN_BITS) - 1);
  }
}
