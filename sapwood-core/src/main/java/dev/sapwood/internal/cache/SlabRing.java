package dev.sapwood.internal.cache;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The slabs of a {@link FrameCache} and the ring they form: direct {@link ByteBuffer}s of one
 * size, allocated lazily as the head first reaches them, written in order, and evicted whole when
 * the head wraps onto one (its keys are handed to the owner to drop from its index, and its
 * generation is raised first, so a reader copying from it sees the change). A slab may be {@linkplain
 * #lend lent} out of the ring for the owner's own bytes ({@link ParkedImages}): the ring passes over
 * it, and never writes it, until it is {@linkplain #giveBack given back}.
 *
 * <p>Not thread-safe: every method runs under the owning {@link FrameCache}'s lock, except {@link
 * #gen}, which readers call after their copy without it (the generations are atomic).
 *
 * <p>Invariants: (1) {@code allocated} is the sum of the capacities of the slabs held, never above
 * {@code slabCount * slabSize}, 0 after close; (2) a slab's key list names the keys put into it
 * since it was last evicted; (3) a lent slab is never the head and holds no key; (4) at most
 * {@link #LENT_SIXTEENTHS} sixteenths of the slabs are lent at once, rounded down, so the ring
 * always keeps at least one slab of its own for clean frames.
 */
final class SlabRing {
  /**
   * Sixteenths of the slabs that may be lent at once. Fifteen: parked dirty internal nodes are
   * worth far more than clean frames while writes go on (a spilled image is written to the file
   * and usually again at the next checkpoint; a clean frame dropped costs a read), and parking
   * happens only while writes go on; once they stop, the next checkpoint writes every parked
   * image and the slabs come back to the ring. Twelve until the seventh 2026-12-02 session: at 5M
   * keys / 64 MiB under the bench's {@code bounded} heap, fifteen halved an overwrite's spills
   * (1,730 to 823) and cut its internal-node bytes by a quarter (docs/design.md, "How much of the
   * tier parking may take").
   */
  static final int LENT_SIXTEENTHS = 15;

  /** What the ring tells its owner: a key evicted with its slab, heap bytes of key lists grown. */
  interface Owner {
    void evicted(int slab, long key);

    void heapGrew(long delta);
  }

  private final Owner owner;
  private final int slabSize;
  /** Slabs the ring may use: lowered if the JVM refuses direct memory. */
  private int slabCount;
  private final ByteBuffer[] slabs;
  /** Raised when a slab is reclaimed or the ring closed; read by readers after their copy. */
  private final AtomicLongArray gens;
  private final boolean[] lent;
  private int lentCount;
  /** The keys of each slab's frames, for its eviction. */
  private final long[][] slabKeys;
  private final int[] slabKeyCount;
  private int head = -1;
  private int headPos;
  private long allocated;

  SlabRing(int slabSize, int slabCount, Owner owner) {
    this.owner = owner;
    this.slabSize = slabSize;
    this.slabCount = slabCount;
    this.slabs = new ByteBuffer[slabCount];
    this.gens = new AtomicLongArray(slabCount);
    this.slabKeys = new long[slabCount][];
    this.slabKeyCount = new int[slabCount];
    this.lent = new boolean[slabCount];
  }

  int slabSize() {
    return slabSize;
  }

  int slabCount() {
    return slabCount;
  }

  ByteBuffer slab(int s) {
    return slabs[s];
  }

  /** Slab {@code s}'s generation (atomic: readers call it without the lock). */
  long gen(int s) {
    return gens.get(s);
  }

  long allocated() {
    return allocated;
  }

  /**
   * The slab where {@code len} more bytes go, at {@link #headPos()}: the head, moved on (and the
   * slab it moves to evicted or allocated) if they do not fit; -1 if no slab can take them.
   */
  int reserve(int len) {
    if (slabCount == 0) {
      return -1;
    }
    if ((head < 0 || headPos + len > slabSize) && !advance()) {
      return -1;
    }
    return head;
  }

  int headPos() {
    return headPos;
  }

  /** {@code len} bytes under {@code key} were written at the head (after {@link #reserve}). */
  void appended(long key, int len) {
    if (slabKeys[head].length == slabKeyCount[head]) {
      slabKeys[head] = Arrays.copyOf(slabKeys[head], slabKeyCount[head] * 2);
      owner.heapGrew(8L * slabKeyCount[head]);
    }
    slabKeys[head][slabKeyCount[head]++] = key;
    headPos += len;
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
      if (!allocate(next)) {
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
  private boolean allocate(int s) {
    try {
      slabs[s] = ByteBuffer.allocateDirect(slabSize);
    } catch (OutOfMemoryError e) {
      return false;
    }
    slabKeys[s] = new long[256];
    owner.heapGrew(8L * 256);
    allocated += slabSize;
    return true;
  }

  private boolean reclaim(int s) {
    evict(s);
    head = s;
    headPos = 0;
    return true;
  }

  /** Hands every key of slab {@code s} to the owner to drop; a copy from it in flight becomes a miss. */
  private void evict(int s) {
    gens.incrementAndGet(s);
    VarHandle.storeStoreFence(); // readers see the new generation before any overwritten byte
    for (int k = 0; k < slabKeyCount[s]; k++) {
      owner.evicted(s, slabKeys[s][k]);
    }
    slabKeyCount[s] = 0;
  }

  /**
   * A slab taken out of the ring: one not yet allocated, else the oldest, its frames evicted
   * first; null if {@link #maxLent} are lent already or no slab can be had.
   */
  ByteBuffer lend() {
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
      if (!allocate(s)) {
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
      evict(s);
    }
    lent[s] = true;
    lentCount++;
    return slabs[s];
  }

  /** Takes back a slab {@link #lend} lent; false if {@code slab} is not one. */
  boolean giveBack(ByteBuffer slab) {
    for (int s = 0; s < slabs.length; s++) {
      if (slabs[s] == slab && lent[s]) {
        lent[s] = false;
        lentCount--;
        slabKeyCount[s] = 0;
        return true;
      }
    }
    return false;
  }

  int lentCount() {
    return lentCount;
  }

  /** The most slabs {@link #lend} lends at once. */
  int maxLent() {
    return slabCount * LENT_SIXTEENTHS / 16;
  }

  /** Drops every slab and raises every generation (a copy in flight becomes a miss). */
  void close() {
    for (int s = 0; s < slabs.length; s++) {
      gens.incrementAndGet(s);
      slabs[s] = null;
      slabKeys[s] = null;
      slabKeyCount[s] = 0;
      lent[s] = false;
    }
    lentCount = 0;
    allocated = 0;
  }
}
