package dev.sapwood.internal.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.internal.stats.Counters;
import java.util.Arrays;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * The parked images' state machine ({@link ParkedImages}, invariant 4): an image leaves PARKED
 * only for a caller that got its copy (a copy that fails leaves it PARKED, where a later take,
 * write or spill finds it), and a checkpoint's begin refuses, marking nothing, while an image is
 * TAKEN or WRITING — it names the image instead of waiting for it for ever.
 */
class ParkedImageStatesTest {
  private final Counters counters = new Counters();

  private static byte[] image(int length) {
    byte[] b = new byte[length];
    Arrays.fill(b, (byte) length);
    return b;
  }

  /** A buffer that cannot be had (as a scratch array the heap cannot hold). */
  private static final IntFunction<byte[]> NO_BUFFER = n -> {
    throw new OutOfMemoryError("no " + n + " bytes for the copy");
  };

  @Test
  void aCopyThatFailsLeavesTheImageParked() {
    try (FrameCache t = new FrameCache(1 << 20, counters); ParkedImages p = new ParkedImages(t, counters)) {
      assertTrue(p.park(1, image(3000), 3000, false));
      assertThrows(OutOfMemoryError.class, () -> p.take(1, NO_BUFFER));
      assertThrows(OutOfMemoryError.class, () -> p.beginSpill(NO_BUFFER));
      assertArrayEquals(new long[] {1}, p.markPending(), "still PARKED: a checkpoint may begin");
      assertThrows(OutOfMemoryError.class, () -> p.beginWrite(1, NO_BUFFER));
      ParkedImages.Image i = p.take(1, byte[]::new);
      assertNotNull(i, "a failed copy left it where the next load finds it");
      assertArrayEquals(image(3000), Arrays.copyOf(i.bytes(), i.length()));
      p.taken(1);
      assertEquals(0, p.figures().images());
    }
  }

  @Test
  void aCheckpointBeginsOnlyWithEveryImageParkedAndMarksNothingOtherwise() {
    try (FrameCache t = new FrameCache(1 << 20, counters); ParkedImages p = new ParkedImages(t, counters)) {
      assertTrue(p.park(1, image(3000), 3000, false));
      assertTrue(p.park(2, image(2000), 2000, false));
      p.take(2, byte[]::new);
      IllegalStateException e = assertThrows(IllegalStateException.class, p::markPending);
      assertTrue(e.getMessage().contains("key 2 is TAKEN"), e.getMessage());
      p.restore(2);
      ParkedImages.Image w = p.beginSpill(byte[]::new);
      e = assertThrows(IllegalStateException.class, p::markPending);
      assertTrue(e.getMessage().contains("key " + w.key() + " is WRITING"), e.getMessage());
      p.writeFailed(w.key());
      assertEquals(0, counters.counter("cache.parked_checkpoint_writes").sum());
      assertNull(p.beginWrite(1, byte[]::new), "the refused begins marked nothing pending");
      assertEquals(2, p.markPending().length);
    }
  }
}
