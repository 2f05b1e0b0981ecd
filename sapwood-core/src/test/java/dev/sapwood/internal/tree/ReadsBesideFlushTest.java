package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.UpdateFunctions;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.store.Header;
import dev.sapwood.internal.util.Compressors;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A reader of a leaf that a flush is rebuilding reads the leaf as it was, with the flushed
 * messages beside it ({@link FlushView}), instead of waiting for the flush's write latch. The
 * flush is held in its build phase by a test hook; before the view existed every read of that
 * leaf waited for the flush, so these reads never completed while it was held.
 */
class ReadsBesideFlushTest {
  private static final int NODE = 16 << 10;
  private static final int KEYS = 5000;
  private static final FunctionResolver BUILT_INS = name -> UpdateFunctions.builtIns().stream()
      .filter(f -> f.name().equals(name)).findFirst().orElseThrow();

  private final Counters counters = new Counters();
  private final BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/db/beside.sap"),
      new Header.Settings(NODE, 1 << 10, 16, Compressors.NONE));
  private final TreeContext ctx = new TreeContext(file, 64 << 20, NODE, 1 << 10, 16, Compressors.NONE,
      BUILT_INS, 0, counters);

  {
    // Flushes that rebuild a leaf beside its readers are what this tests: without deltas every
    // flush into a leaf rebuilds it (with them, a leaf made by a split takes its flushes as appends).
    ctx.leafDeltaRatio(0);
  }

  static byte[] key(int i) {
    return String.format("key%06d", i).getBytes(StandardCharsets.UTF_8);
  }

  static byte[] value(int i) {
    return ("value-" + i).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aReaderOfALeafBeingRebuiltGetsEveryAnswerWithoutWaitingForTheFlush() throws Exception {
    long seed = new SplittableRandom().nextLong();
    System.out.println("ReadsBesideFlushTest seed=" + seed);
    SplittableRandom rnd = new SplittableRandom(seed);
    int[] order = new int[KEYS];
    for (int i = 0; i < KEYS; i++) {
      order[i] = i;
    }
    for (int i = KEYS - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    BeTree tree = new BeTree(ctx, BeTree.create(ctx));
    CountDownLatch paused = new CountDownLatch(1);
    CountDownLatch resume = new CountDownLatch(1);
    AtomicReference<FlushView> held = new AtomicReference<>();
    // Hold the first flush into a leaf whose messages include keys the leaf does not hold yet,
    // after the tree has a few leaves (so other leaves' readers and this leaf's are both tried).
    ctx.flusher.onBuild(view -> {
      if (held.get() == null && ctx.counters.flushesReleasingParent.sum() > 2
          && view.incoming.pointCount() > 0) {
        held.set(view);
        paused.countDown();
        try {
          resume.await(120, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    int[] current = {-1};
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<?> writer = pool.submit(() -> {
        for (int i = 0; i < KEYS; i++) {
          synchronized (current) {
            current[0] = i;
          }
          tree.put(key(order[i]), value(order[i]));
        }
      });
      while (!paused.await(100, TimeUnit.MILLISECONDS)) {
        assertFalse(writer.isDone(), "a flush into a leaf reached its build phase: "
            + ctx.counters.flushesReleasingParent.sum() + " let go of the parent");
      }
      int upTo;
      synchronized (current) {
        upTo = current[0]; // the writer is inside put(order[upTo]): its message is in the tree
      }
      boolean[] present = new boolean[KEYS];
      for (int i = 0; i <= upTo; i++) {
        present[order[i]] = true;
      }
      Future<?> reads = pool.submit(() -> {
        for (int k = 0; k < KEYS; k++) {
          byte[] got = tree.get(key(k));
          if (present[k]) {
            assertArrayEquals(value(k), got, "key " + k);
          } else {
            assertNull(got, "key " + k + " not written yet");
          }
        }
        byte[] from = new byte[0];
        int seen = 0;
        while (true) {
          Chunk c = tree.readForward(from, 7);
          for (int i = 0; i < c.size(); i++) {
            int k = Integer.parseInt(new String(c.key(i), StandardCharsets.UTF_8).substring(3));
            assertTrue(present[k], "scan saw key " + k + " not written yet");
            assertArrayEquals(value(k), c.value(i));
            seen++;
          }
          if (c.atEnd()) {
            break;
          }
          from = c.next();
        }
        assertEquals(upTo + 1, seen, "the scan saw every key written");
      });
      try {
        reads.get(60, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        fail("the reads waited for the flush held in its build phase");
      } finally {
        resume.countDown();
      }
      writer.get(120, TimeUnit.SECONDS);
      FlushView v = held.get();
      byte[] first = v.incoming.copyKey(v.incoming.point(0));
      assertNotNull(tree.get(first), "a key of the held flush is in the tree after it");
      assertTrue(ctx.counters.readsBesideFlush.sum() > 0, "reads of the held leaf used its view");
      for (int k = 0; k < KEYS; k++) {
        assertArrayEquals(value(k), tree.get(key(k)), "key " + k + " after the run");
      }
    } finally {
      resume.countDown();
      ctx.flusher.onBuild(null);
      pool.shutdownNow();
      pool.awaitTermination(30, TimeUnit.SECONDS);
    }
  }
}
