package dev.sapwood.internal.cache;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.internal.stats.Counters;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The off-heap tier: bytes come back as they were put or not at all (never another frame's, never
 * bytes overwritten under a reader), its memory stays within its budget and is let go at close,
 * and nothing reads it after close.
 */
class FrameCacheTest {
  private final Counters counters = new Counters();

  /** The bytes of frame {@code key}: a length and content that only this key has. */
  static byte[] frame(long key) {
    Random r = new Random(key * 31 + 7);
    byte[] b = new byte[100 + (int) (key % 1900)];
    r.nextBytes(b);
    b[0] = (byte) key;
    b[b.length - 1] = (byte) (key >>> 8);
    return b;
  }

  @Test
  void aFramePutIsReadBackAndOthersMiss() {
    try (FrameCache c = new FrameCache(1 << 20, counters)) {
      byte[] f = frame(5);
      c.put(5, f, 0, f.length);
      byte[] out = new byte[f.length + 8];
      assertTrue(c.get(5, out, 8, f.length));
      assertArrayEquals(f, java.util.Arrays.copyOfRange(out, 8, out.length));
      assertTrue(c.contains(5));
      assertFalse(c.get(6, out, 0, 10), "a key never put");
      assertFalse(c.get(5, out, 0, f.length - 1), "a length other than the stored one");
      assertFalse(c.get(-1, out, 0, 10), "a key that cannot be named (not counted)");
      assertEquals(1, counters.counter("cache.offheap_hits").sum());
      assertEquals(2, counters.counter("cache.offheap_misses").sum());
    }
  }

  @Test
  void theRingEvictsItsOldestSlabAndStaysWithinItsBudget() {
    long budget = 4 * FrameCache.MIN_SLAB;
    try (FrameCache c = new FrameCache(budget, counters)) {
      int n = 2000; // ~2 MiB of frames through a 256 KiB ring
      for (long k = 0; k < n; k++) {
        byte[] f = frame(k);
        c.put(k, f, 0, f.length);
        assertTrue(c.allocatedBytes() <= budget, "allocated " + c.allocatedBytes());
      }
      assertEquals(budget, c.allocatedBytes(), "slabs allocated as the ring reached them");
      assertFalse(c.contains(0), "the first frames were overwritten");
      assertTrue(c.contains(n - 1), "the last frame is there");
      assertEquals(n - c.frames(), counters.counter("cache.offheap_evictions").sum());
      // Whatever is still there is the right bytes.
      for (long k = 0; k < n; k++) {
        byte[] f = frame(k);
        byte[] out = new byte[f.length];
        if (c.get(k, out, 0, f.length)) {
          assertArrayEquals(f, out, "frame " + k);
        }
      }
    }
  }

  @Test
  void theIndexHeapIsChargedAsItGrowsAndLetGoAtClose() {
    AtomicLong charged = new AtomicLong();
    FrameCache c = new FrameCache(4L << 20, counters);
    c.chargeHeapTo(charged::addAndGet);
    assertTrue(c.heapBytes() > 0, "the empty index has arrays");
    assertEquals(c.heapBytes(), charged.get(), "what it holds at once");
    long before = c.heapBytes();
    for (long k = 0; k < 20_000; k++) { // ~20 MiB of frames through a 4 MiB ring
      byte[] f = frame(k);
      c.put(k, f, 0, f.length);
      assertEquals(c.heapBytes(), charged.get(), "every growth is charged, after frame " + k);
    }
    int frames = c.frames();
    assertTrue(c.heapBytes() > before, "the index grew");
    assertTrue(c.heapBytes() >= 24L * frames, "a key and a value in the index and a key in its slab's list per frame: "
        + c.heapBytes() + " B for " + frames);
    assertTrue(c.heapBytes() <= 100L * frames + (64 << 10), c.heapBytes() + " B for " + frames + " frames");
    c.close();
    assertEquals(0, c.heapBytes());
    assertEquals(0, charged.get(), "the release at close is charged back");
  }

  @Test
  void slabsAreAllocatedOnlyAsTheyAreNeeded() {
    try (FrameCache c = new FrameCache(64L << 20, counters)) {
      assertEquals(0, c.allocatedBytes());
      byte[] f = frame(1);
      c.put(1, f, 0, f.length);
      assertEquals(4 << 20, c.allocatedBytes(), "one slab of a sixteenth of the budget");
    }
  }

  @Test
  void framesTooLargeAndTiersTooSmallStoreNothing() {
    try (FrameCache small = new FrameCache(FrameCache.MIN_SLAB - 1, counters);
        FrameCache c = new FrameCache(FrameCache.MIN_SLAB, counters)) {
      byte[] f = frame(3);
      small.put(3, f, 0, f.length);
      assertFalse(small.contains(3));
      assertEquals(0, small.allocatedBytes());
      byte[] big = new byte[FrameCache.MIN_SLAB / 4 + 1];
      c.put(9, big, 0, big.length);
      assertFalse(c.contains(9));
    }
    assertEquals(0, FrameCache.offHeapBytes(100 << 10, 0.5), "below a slab: no tier");
    assertEquals(32L << 20, FrameCache.offHeapBytes(64L << 20, 0.5));
    long odd = FrameCache.offHeapBytes(100L << 20, 0.3);
    assertTrue(odd <= 30L << 20 && odd > 28L << 20, "whole slabs: " + odd);
  }

  @Test
  void closeGivesTheMemoryBackAndEveryLaterAccessThrows() {
    FrameCache c = new FrameCache(1 << 20, counters);
    byte[] f = frame(2);
    c.put(2, f, 0, f.length);
    assertTrue(c.allocatedBytes() > 0);
    c.close();
    assertEquals(0, c.allocatedBytes(), "accounted bytes back to 0");
    assertEquals(0, c.frames());
    byte[] out = new byte[f.length];
    assertThrows(IllegalStateException.class, () -> c.get(2, out, 0, f.length));
    assertThrows(IllegalStateException.class, () -> c.contains(2));
    assertThrows(IllegalStateException.class, () -> c.put(3, f, 0, f.length));
    c.close(); // idempotent
  }

  /** A slab overwritten between a reader's lookup and its copy: the copy is a miss, not the new bytes. */
  @Test
  void aCopyOverwrittenWhileInFlightIsAMiss() {
    try (FrameCache c = new FrameCache(FrameCache.MIN_SLAB, counters)) { // one slab: any wrap overwrites it
      byte[] f = frame(1000);
      c.put(1000, f, 0, f.length);
      long[] next = {2000};
      c.beforeCopy = () -> {
        c.beforeCopy = null;
        while (c.contains(1000)) { // wrap the ring over frame 1000's bytes
          byte[] g = frame(next[0]);
          c.put(next[0]++, g, 0, g.length);
        }
        for (int i = 0; i < 40; i++) { // and write over where it was
          byte[] g = frame(next[0]);
          c.put(next[0]++, g, 0, g.length);
        }
      };
      byte[] out = new byte[f.length];
      assertFalse(c.get(1000, out, 0, f.length), "bytes overwritten during the copy served as frame 1000");
      assertTrue(counters.counter("cache.offheap_evictions").sum() > 0);
    }
  }

  /** A close between a reader's lookup and its copy: the copy is a miss, and the next call throws. */
  @Test
  void aCopyRacingCloseIsAMissAndNothingReadsAfterIt() {
    FrameCache c = new FrameCache(1 << 20, counters);
    byte[] f = frame(7);
    c.put(7, f, 0, f.length);
    c.beforeCopy = c::close;
    byte[] out = new byte[f.length];
    assertFalse(c.get(7, out, 0, f.length), "a copy from a closed tier counted as a hit");
    assertEquals(0, c.allocatedBytes());
    assertThrows(IllegalStateException.class, () -> c.get(7, out, 0, f.length));
  }

  /**
   * Readers racing a writer that keeps overwriting a small ring (and, at the end, a close) get
   * either the exact bytes of the key they asked for, or a miss, or (after close) an
   * IllegalStateException: never bytes of another frame or half-overwritten ones.
   */
  @Test
  void readersRacingOverwritesAndCloseGetTheRightBytesOrNothing() throws Exception {
    long seed = System.nanoTime();
    System.out.println("readersRacingOverwritesAndCloseGetTheRightBytesOrNothing seed " + seed);
    FrameCache c = new FrameCache(2 * FrameCache.MIN_SLAB, counters); // two 64 KiB slabs
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong written = new AtomicLong();
    AtomicLong hits = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> readers = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      Random rnd = new Random(seed + t);
      Thread th = new Thread(() -> {
        byte[] out = new byte[4096];
        try {
          while (!stop.get()) {
            long hi = written.get();
            long k = hi - 1 - rnd.nextInt(250); // around the ring's edge (~125 frames)
            if (k < 0) {
              continue;
            }
            byte[] want = frame(k);
            try {
              if (c.get(k, out, 0, want.length)) {
                hits.incrementAndGet();
                for (int i = 0; i < want.length; i++) {
                  if (out[i] != want[i]) {
                    throw new AssertionError("frame " + k + " byte " + i + " wrong (seed " + seed + ")");
                  }
                }
              }
            } catch (IllegalStateException closed) {
              return;
            }
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      });
      th.start();
      readers.add(th);
    }
    Random rnd = new Random(seed);
    long k = 0;
    for (int round = 0; round < 5_000 && failure.get() == null; round++) {
      byte[] f = frame(k);
      c.put(k, f, 0, f.length);
      written.set(++k);
      if (rnd.nextInt(8) == 0) {
        Thread.yield();
      }
    }
    c.close();
    stop.set(true);
    for (Thread th : readers) {
      th.join();
    }
    if (failure.get() != null) {
      throw new AssertionError(failure.get());
    }
    assertEquals(0, c.allocatedBytes());
    assertTrue(counters.counter("cache.offheap_evictions").sum() > 0, "the ring was overwritten");
  }
}
