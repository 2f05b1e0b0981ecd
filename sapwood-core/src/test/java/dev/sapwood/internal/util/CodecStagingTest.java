package dev.sapwood.internal.util;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The codecs' direct staging buffers: bounded in number and size, each held by one thread at a time. */
class CodecStagingTest {
  @Test
  void aThreadFindingEveryPairTakenWaitsUntilOneIsGivenBack() throws Exception {
    List<CodecStaging.Pair> taken = new ArrayList<>();
    for (int i = 0; i < CodecStaging.SLOTS; i++) {
      taken.add(CodecStaging.take());
    }
    AtomicReference<CodecStaging.Pair> got = new AtomicReference<>();
    java.util.concurrent.atomic.AtomicBoolean interruptKept = new java.util.concurrent.atomic.AtomicBoolean();
    CountDownLatch done = new CountDownLatch(1);
    Thread t = new Thread(() -> {
      got.set(CodecStaging.take());
      interruptKept.set(Thread.currentThread().isInterrupted());
      done.countDown();
    });
    t.start();
    try {
      assertFalse(done.await(200, TimeUnit.MILLISECONDS), "took a pair while all were taken");
      t.interrupt(); // an interrupt does not break the wait: the take is uninterruptible
      assertFalse(done.await(100, TimeUnit.MILLISECONDS), "an interrupt let the take through");
      CodecStaging.give(taken.remove(taken.size() - 1));
      assertTrue(done.await(10, TimeUnit.SECONDS), "the waiting thread got no pair once one was given back");
      assertTrue(interruptKept.get(), "the interrupt was lost: the caller's code would not see it");
      CodecStaging.give(got.get());
    } finally {
      for (CodecStaging.Pair p : taken) {
        CodecStaging.give(p);
      }
    }
    assertEquals(CodecStaging.SLOTS, CodecStaging.available());
  }

  @Test
  void pairsGrowAsFramesNeedAndNeverPastTheirBound() throws Exception {
    int threads = 2 * CodecStaging.SLOTS;
    List<Thread> ts = new ArrayList<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (int t = 0; t < threads; t++) {
      int seed = t;
      Thread th = new Thread(() -> {
        try {
          for (int i = 0; i < 200; i++) {
            int len = 1 + (i * 7919 + seed * 104729) % CodecStaging.KEEP;
            byte[] src = new byte[len];
            src[len - 1] = (byte) (seed + i);
            CodecStaging.Pair p = CodecStaging.take();
            try {
              ByteBuffer in = p.in(src, 0, len);
              assertTrue(in.isDirect() && in.capacity() >= len);
              assertEquals(src[len - 1], in.get(len - 1), "the input side holds the bytes given");
              ByteBuffer out = p.out(len);
              assertTrue(out.isDirect() && out.capacity() >= len);
            } finally {
              CodecStaging.give(p);
            }
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      });
      th.start();
      ts.add(th);
    }
    for (Thread th : ts) {
      th.join();
    }
    assertNull(failure.get(), () -> "a thread failed: " + failure.get());
    assertEquals(CodecStaging.SLOTS, CodecStaging.available(), "every pair was given back");
    long kept = CodecStaging.keptBytes();
    assertTrue(kept > 0, "nothing was kept");
    assertTrue(kept <= 2L * CodecStaging.SLOTS * CodecStaging.KEEP, "kept " + kept);
    CodecStaging.Pair p = CodecStaging.take();
    try {
      assertThrows(IllegalArgumentException.class, () -> p.out(CodecStaging.KEEP + 1));
      assertThrows(IllegalArgumentException.class, () -> p.in(new byte[CodecStaging.KEEP + 1], 0, CodecStaging.KEEP + 1));
      assertFalse(CodecStaging.fits(CodecStaging.KEEP + 1));
    } finally {
      CodecStaging.give(p);
    }
  }
}
