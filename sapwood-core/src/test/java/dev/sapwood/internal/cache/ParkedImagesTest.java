package dev.sapwood.internal.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.internal.stats.Counters;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The parked images and the tier's lent slabs: what is parked comes back byte for byte after other
 * images came and went over the same pages; a freed page, a slab given back, or a slab lent out is
 * never read for what it held before (each test here would fail if a page or slab were reused or
 * read while still or no longer someone's); the tier never serves a frame from a lent slab nor
 * overwrites one; a take that meets an image being written waits, and then finds it gone.
 */
class ParkedImagesTest {
  private final Counters counters = new Counters();

  /** A tier of 16 slabs of 64 KiB: pages of 1 KiB, at most 15 slabs lent. */
  private static FrameCache tier(Counters c) {
    return new FrameCache(1 << 20, c);
  }

  private static byte[] image(int seed, int length) {
    byte[] b = new byte[length];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static byte[] copied(ParkedImages.Image i) {
    return Arrays.copyOf(i.bytes(), i.length());
  }

  @Test
  void imagesComeBackExactlyAfterOthersReusedTheirFreedPages() {
    try (FrameCache t = tier(counters); ParkedImages p = new ParkedImages(t, counters)) {
      byte[] a = image(1, 10_000); // 10 pages, the last partly used
      byte[] b = image(2, 7_000);
      byte[] c = image(3, 12_345);
      assertTrue(p.park(1, a, a.length, false));
      assertTrue(p.park(2, b, b.length, false));
      assertEquals(2, p.figures().images());
      ParkedImages.Image got = p.take(1, byte[]::new);
      assertArrayEquals(a, copied(got));
      assertTrue(p.isBeingLoaded(1), "taken, until the loader lets it go");
      assertFalse(p.isBeingLoaded(2));
      p.taken(1);
      assertFalse(p.isBeingLoaded(1)); // A's pages are free now, and C takes them (and more)
      assertTrue(p.park(3, c, c.length, false));
      assertNull(p.take(1, byte[]::new), "a freed image is gone, not served from pages reused by another");
      assertArrayEquals(b, copied(p.take(2, byte[]::new)), "C did not take B's pages");
      p.taken(2);
      assertArrayEquals(c, copied(p.take(3, byte[]::new)));
      p.taken(3);
      assertEquals(0, p.figures().images());
      assertEquals(0, p.figures().imageBytes());
    }
  }

  @Test
  void aSlabLentOutIsNeitherServedNorOverwrittenByTheRing() {
    try (FrameCache t = tier(counters); ParkedImages p = new ParkedImages(t, counters)) {
      byte[] frame = new byte[4096];
      for (int k = 0; k < 16 * 16; k++) { // every slab allocated and full of frames
        Arrays.fill(frame, (byte) k);
        t.put(k, frame, 0, frame.length);
      }
      assertEquals(15, t.maxLent(), "all slabs but one may be lent");
      byte[][] parked = new byte[t.maxLent()][];
      for (int i = 0; i < parked.length; i++) { // 63 of a slab's 64 pages each: fifteen slabs lent, at the cap
        parked[i] = image(100 + i, 63 << 10);
        assertTrue(p.park(i, parked[i], parked[i].length, false), "image " + i);
      }
      assertEquals(15L * (64 << 10), t.lentBytes());
      assertFalse(p.park(99, image(99, 60 << 10), 60 << 10, false), "no sixteenth slab (and 15 pages left): one stays for frames");
      for (int k = 1000; k < 1000 + 16 * 15 * 4; k++) { // the ring wraps its one slab many times
        Arrays.fill(frame, (byte) k);
        t.put(k, frame, 0, frame.length);
      }
      byte[] got = new byte[4096];
      assertTrue(t.get(1000 + 16 * 15 * 4 - 1, got, 0, got.length), "the ring still holds the newest frames");
      for (int k = 0; k < 1000 + 16 * 15 * 4; k++) {
        if (t.get(k, got, 0, got.length)) {
          byte[] want = new byte[4096];
          Arrays.fill(want, (byte) k);
          assertArrayEquals(want, got, "frame " + k + " served as put, not from a lent slab");
        }
      }
      for (int i = 0; i < parked.length; i++) {
        assertArrayEquals(parked[i], copied(p.take(i, byte[]::new)), "image " + i + " untouched by the ring");
        p.taken(i);
      }
      assertEquals(64 << 10, p.figures().heldBytes(), "the emptied slabs went back but a spare");
      assertEquals(64 << 10, t.lentBytes());
      assertTrue(t.allocatedBytes() <= t.budget());
    }
  }

  @Test
  void aSlabGivenBackIsOverwrittenByFramesAndNeverReadAsAnImage() {
    try (FrameCache t = tier(counters); ParkedImages p = new ParkedImages(t, counters)) {
      for (int i = 0; i < 6; i++) {
        assertTrue(p.park(i, image(i, 60 << 10), 60 << 10, false));
      }
      for (int i = 0; i < 6; i++) {
        p.take(i, byte[]::new);
        p.taken(i);
      }
      byte[] frame = new byte[8192];
      for (int k = 0; k < 16 * 8 * 3; k++) { // the ring overwrites the slabs given back
        Arrays.fill(frame, (byte) (k * 7));
        t.put(k, frame, 0, frame.length);
      }
      byte[] d = image(77, 200_000); // the spare slab and three more
      assertTrue(p.park(77, d, d.length, false));
      for (int k = 16 * 8 * 3; k < 16 * 8 * 6; k++) {
        Arrays.fill(frame, (byte) (k * 7));
        t.put(k, frame, 0, frame.length);
      }
      assertArrayEquals(d, copied(p.take(77, byte[]::new)));
      p.taken(77);
    }
  }

  @Test
  void spillsTakeTheOldestAndCheckpointWritesOnlyPendingImages() {
    try (FrameCache t = tier(counters); ParkedImages p = new ParkedImages(t, counters)) {
      for (int i = 1; i <= 3; i++) {
        assertTrue(p.park(i, image(i, 3000), 3000, false));
      }
      assertNull(p.beginWrite(2, byte[]::new), "no checkpoint waits for it");
      assertArrayEquals(new long[] {1, 2, 3}, p.markPending());
      assertTrue(p.park(4, image(4, 3000), 3000, false)); // parked after the begin: not pending
      ParkedImages.Image oldest = p.beginSpill(byte[]::new);
      assertEquals(1, oldest.key());
      assertTrue(oldest.pending());
      assertArrayEquals(image(1, 3000), copied(oldest));
      p.written(1);
      ParkedImages.Image two = p.beginWrite(2, byte[]::new);
      assertNotNull(two);
      p.writeFailed(2); // stays parked, still pending
      assertNotNull(p.beginWrite(2, byte[]::new));
      p.written(2);
      assertNull(p.beginWrite(4, byte[]::new), "parked after the begin: not the checkpoint's");
      assertEquals(2, p.figures().images());
      assertEquals(1, counters.counter("cache.parked_spills").sum());
      assertEquals(2, counters.counter("cache.parked_checkpoint_writes").sum());
    }
  }

  @Test
  void spillsTakeWhatACheckpointWaitsForThenTheNewestOfThoseUsedInTurnsThenTheOldest() {
    try (FrameCache t = tier(counters); ParkedImages p = new ParkedImages(t, counters)) {
      assertTrue(p.park(1, image(1, 3000), 3000, false)); // spilled oldest first
      assertTrue(p.park(2, image(2, 3000), 3000, true)); // used in turns: newest first
      assertTrue(p.park(3, image(3, 3000), 3000, true));
      assertTrue(p.park(4, image(4, 3000), 3000, false));
      assertEquals(3, spill(p), "the newest of those used in turns, not the oldest image");
      assertEquals(2, spill(p));
      assertEquals(1, spill(p), "then the oldest of the rest");
      assertTrue(p.park(5, image(5, 3000), 3000, true));
      assertTrue(p.park(6, image(6, 3000), 3000, true));
      assertArrayEquals(new long[] {4, 5, 6}, p.markPending());
      assertTrue(p.park(7, image(7, 3000), 3000, true)); // after the begin: not pending
      assertEquals(4, spill(p), "what the checkpoint waits for comes first, oldest first");
      assertEquals(5, spill(p));
      assertEquals(6, spill(p));
      assertEquals(7, spill(p));
      assertNull(p.beginSpill(byte[]::new));
      assertEquals(7, counters.counter("cache.parked_spills").sum());
    }
  }

  /** Spills one image (written at once) and returns its key. */
  private static long spill(ParkedImages p) {
    ParkedImages.Image i = p.beginSpill(byte[]::new);
    assertArrayEquals(image((int) i.key(), 3000), copied(i));
    p.written(i.key());
    return i.key();
  }

  @Test
  void aTakeThatMeetsAWriteWaitsAndFindsTheImageGone() throws Exception {
    try (FrameCache t = tier(counters); ParkedImages p = new ParkedImages(t, counters)) {
      assertTrue(p.park(5, image(5, 5000), 5000, false));
      ParkedImages.Image writing = p.beginSpill(byte[]::new);
      assertEquals(5, writing.key());
      CompletableFuture<ParkedImages.Image> load = CompletableFuture.supplyAsync(() -> p.take(5, byte[]::new));
      assertThrows(TimeoutException.class, () -> load.get(200, TimeUnit.MILLISECONDS), "the load waits for the write");
      p.written(5);
      assertNull(load.get(10, TimeUnit.SECONDS), "then reads the file: the image is gone");
    }
  }

  @Test
  void closeLetsEverythingGoAndRefusesUse() {
    FrameCache t = tier(counters);
    ParkedImages p = new ParkedImages(t, counters);
    long[] charged = {0};
    p.chargeHeapTo(d -> charged[0] += d);
    assertTrue(p.park(1, image(1, 5000), 5000, false));
    assertTrue(charged[0] > 0, "the entry's heap is charged");
    assertTrue(p.figures().heldBytes() > 0);
    p.close();
    t.close();
    assertEquals(0, p.figures().heldBytes());
    assertEquals(0, charged[0], "and given back at close");
    assertEquals(0, t.allocatedBytes());
    assertThrows(IllegalStateException.class, () -> p.take(1, byte[]::new));
    assertThrows(IllegalStateException.class, () -> p.park(2, new byte[10], 10, false));
    assertThrows(IllegalStateException.class, t::lendSlab);
  }

  @Test
  void aSecondParkOfOneKeyIsRefused() {
    try (FrameCache t = tier(counters); ParkedImages p = new ParkedImages(t, counters)) {
      assertTrue(p.park(1, new byte[100], 100, false));
      assertThrows(IllegalStateException.class, () -> p.park(1, new byte[100], 100, false));
      ByteBuffer notLent = ByteBuffer.allocateDirect(16);
      assertThrows(IllegalArgumentException.class, () -> t.returnSlab(notLent));
    }
  }
}
