package dev.sapwood.internal.cache;

import dev.sapwood.internal.stats.Counters;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;
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
 * <p>The slabs form a ring written in order (a log-structured FIFO): a frame is appended at the
 * head; when the head reaches a slab that holds frames, the whole slab is evicted (its frames leave
 * the index, its generation is raised) and overwritten. Slabs are allocated lazily as the head
 * first reaches them, so the tier's memory grows with use up to its budget. A reader looks its key
 * up under the lock, copies the bytes out without it and then checks that the slab's generation is
 * still the one it looked up (seqlock style): bytes overwritten while it copied make the copy a
 * miss, never wrong bytes.
 *
 * <p>Keys are the caller's: a key must name one content for the tier's whole life (the tree uses
 * an identity never reused, see {@code tree.FrameTier}); the tier never sees the file.
 *
 * <p>Thread-safe. {@link #get} allocates nothing. After {@link #close} every call but {@link
 * #close} and the figures throws {@link IllegalStateException}; a copy racing the close is a miss.
 *
 * <p>Invariants: (1) an index entry points into a slab whose generation has not changed since the
 * entry was made, and its bytes are the ones put under its key; (2) {@code allocated} is the sum
 * of the capacities of the slabs held, never above the budget, 0 after close; (3) a key is in the
 * index at most once, and listed in exactly the slab its entry points into; (4) {@code heapBytes}
 * is the capacity of the index's and the slabs' key arrays (the tier's heap, which the heap
 * cache's budget pays for: {@link #chargeHeapTo}), 0 after close; (5) a slab {@linkplain
 * #lendSlab lent} out holds no frame of the index and the ring never writes it (its head is never
 * on it) until it is returned; at most three quarters of the slabs are lent at once.
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
  private final int slabSize;
  /** Slabs the ring may use: budget / slabSize, lowered if the JVM refuses direct memory. */
  private int slabCount;
  private final ByteBuffer[] slabs;
  /** Raised when a slab is reclaimed or the tier closed; read by readers after their copy. */
  private final AtomicLongArray gens;
  /** Slabs lent out of the ring ({@link #lendSlab}): the ring passes over them. */
  private final boolean[] lent;
  private int lentCount;
  /** The keys of each slab's frames, for its eviction. */
  private final long[][] slabKeys;
  private final int[] slabKeyCount;
  private final ReentrantLock lock = new ReentrantLock();
  // Open-addressing index (linear probing), guarded by lock: key -> slab | pos | len.
  private FrameIndex index;
  private int head = -1;
  private int headPos;
  private long allocated;
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
    this.slabSize = (int) Math.max(MIN_SLAB, Math.min(MAX_SLAB, Long.highestOneBit(Math.max(1, budgetBytes / 16))));
    this.slabCount = (int) Math.min(1 << 16, budgetBytes / slabSize);
    this.slabs = new ByteBuffer[slabCount];
    this.gens = new AtomicLongArray(slabCount);
    this.slabKeys = new long[slabCount][];
    this.slabKeyCount = new int[slabCount];
    this.lent = new boolean[slabCount];
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
      slab = slabs[s];
      gen = gens.get(s);
    } finally {
      lock.unlock();
    }
    Runnable seam = beforeCopy;
    if (seam != null) {
      seam.run();
    }
    slab.get(pos, dst, off, len);
    VarHandle.acquireFence(); // the copy's loads complete before the generation is read again
    if (gens.get(s) != gen) {
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
      if (slabCount == 0 || len <= 0 || len > slabSize / 4 || index.contains(key)) {
        return;
      }
      if (head < 0 || headPos + len > slabSize) {
        if (!advance()) {
          return;
        }
      }
      slabs[head].put(headPos, src, off, len);
      long grew = index.put(key, ((long) head << (POS_BITS + LEN_BITS)) | ((long) headPos << LEN_BITS) | len);
      if (grew > 0) {
        heapGrew(grew);
      }
      if (slabKeys[head].length == slabKeyCount[head]) {
        slabKeys[head] = Arrays.copyOf(slabKeys[head], slabKeyCount[head] * 2);
        heapGrew(8L * slabKeyCount[head]);
      }
      slabKeys[head][slabKeyCount[head]++] = key;
      headPos += len;
    } finally {
      lock.unlock();
    }
  }

  /** Moves the head to the next slab not lent out: allocates it on first use, else evicts its frames. */
  private boolean advance() {
    int next = head;
    for (int tries = 0;; tries++) {
      if (tries >= slabCount) {
        return false; // every slab is lent (possible only once the JVM refused slabs)
      }
      next = next + 1 >= slabCount ? 0 : next + 1;
      if (!lent[next]) {
        break;
      }
    }
    if (slabs[next] == null) {
      if (!allocateSlab(next)) {
        // Direct memory is capped (-XX:MaxDirectMemorySize, by default the heap's size): keep
        // the slabs held and make the ring that long.
        slabCount = next;
        int first = 0;
        while (first < next && lent[first]) {
          first++;
        }
        if (first == next) {
          return false;
        }
        return reclaim(first);
      }
      head = next;
      headPos = 0;
      return true;
    }
    return reclaim(next);
  }

  /** Allocates slab {@code s} (not held yet) and its key list; false if the JVM refuses the direct memory. */
  private boolean allocateSlab(int s) {
    try {
      slabs[s] = ByteBuffer.allocateDirect(slabSize);
    } catch (OutOfMemoryError e) {
      return false;
    }
    slabKeys[s] = new long[256];
    heapGrew(8L * 256);
    allocated += slabSize;
    return true;
  }

  private boolean reclaim(int s) {
    evictSlab(s);
    head = s;
    headPos = 0;
    return true;
  }

  /** Drops every frame of slab {@code s} from the index; a copy from it in flight becomes a miss. */
  private void evictSlab(int s) {
    gens.incrementAndGet(s);
    VarHandle.storeStoreFence(); // readers see the new generation before any overwritten byte
    for (int k = 0; k < slabKeyCount[s]; k++) {
      long key = slabKeys[s][k];
      long v = index.get(key);
      if (v != EMPTY && slabOf(v) == s && index.removeIf(key, v)) {
        evictions.increment();
      }
    }
    slabKeyCount[s] = 0;
  }

  /**
   * Takes a whole slab out of the ring for the caller's own bytes (the node cache's parked dirty
   * images, {@link ParkedImages}), within the tier's budget: a slab not yet allocated, else the
   * oldest one, whose frames are evicted first (a copy from it in flight becomes a miss). The ring
   * passes over a lent slab until it is {@linkplain #returnSlab returned}; at most three quarters
   * of the slabs are lent at once, so clean frames keep a quarter. Returns null if no slab can be
   * lent.
   *
   * @throws IllegalStateException after {@link #close}
   */
  public ByteBuffer lendSlab() {
    lock.lock();
    try {
      checkOpen();
      if (lentCount + 1 > maxLent()) {
        return null;
      }
      int s = -1;
      for (int i = 0; i < slabCount && s < 0; i++) {
        if (slabs[i] == null && !lent[i]) {
          s = i;
        }
      }
      if (s >= 0) {
        if (!allocateSlab(s)) {
          return null; // direct memory is capped: the ring keeps what it has
        }
      } else {
        for (int i = 1; i <= slabCount && s < 0; i++) {
          int c = (Math.max(head, 0) + i) % slabCount;
          if (!lent[c] && c != head) {
            s = c; // the oldest: the ring's next to overwrite
          }
        }
        if (s < 0) {
          return null;
        }
        evictSlab(s);
      }
      lent[s] = true;
      lentCount++;
      return slabs[s];
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
      for (int s = 0; s < slabs.length; s++) {
        if (slabs[s] == slab && lent[s]) {
          lent[s] = false;
          lentCount--;
          slabKeyCount[s] = 0;
          return;
        }
      }
      throw new IllegalArgumentException("not a lent slab of this tier");
    } finally {
      lock.unlock();
    }
  }

  /** Bytes of direct memory lent out of the ring ({@link #lendSlab}); part of {@link #allocatedBytes}. */
  public long lentBytes() {
    lock.lock();
    try {
      return (long) lentCount * slabSize;
    } finally {
      lock.unlock();
    }
  }

  /** The most slabs {@link #lendSlab} lends at once. */
  public int maxLent() {
    lock.lock();
    try {
      return slabCount * 3 / 4;
    } finally {
      lock.unlock();
    }
  }

  /** The size of every slab. */
  public int slabSize() {
    return slabSize;
  }

  /** Bytes of direct memory held (slabs allocated); 0 after close. */
  public long allocatedBytes() {
    lock.lock();
    try {
      return allocated;
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
      for (int s = 0; s < slabs.length; s++) {
        gens.incrementAndGet(s);
        slabs[s] = null;
        slabKeys[s] = null;
        slabKeyCount[s] = 0;
        lent[s] = false;
      }
      lentCount = 0;
      allocated = 0;
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
