package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.Tree;
import dev.sapwood.UpdateFunctions;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@code optimize}: drains online while others read and write, and resumes after a restart. */
class OnlineOptimizeTest {
  private final MemoryFileIo io = new MemoryFileIo();
  private final Path dir = Path.of("/opt");
  private final Options options = Options.defaults().nodeSize(16 << 10).basementSize(4 << 10).fanout(4)
      .cacheSize(4 << 20).durability(Durability.SYNC)
      .checkpointInterval(Duration.ofHours(1)).syncInterval(Duration.ofHours(1));

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] key(int i) {
    return b(String.format("k%06d", i));
  }

  @Test
  void optimizeDrainsEveryBufferSoTheRowCountIsExactAndRangeUpdatesAreDone() {
    try (DatabaseImpl db = TestSeams.open(dir, options, io)) {
      Tree t = db.tree("t");
      Random rnd = new Random(1501);
      java.util.TreeSet<Integer> model = new java.util.TreeSet<>();
      for (int i = 0; i < 30_000; i++) {
        int k = rnd.nextInt(50_000);
        if (rnd.nextInt(4) == 0) {
          t.delete(key(k));
          model.remove(k);
        } else {
          t.put(key(k), b("v"));
          model.add(k);
        }
      }
      t.updateAll(UpdateFunctions.APPEND, b("!"));
      db.optimize();
      assertEquals(model.size(), t.approximateSize(), "no message is left above the leaves");
      for (int k : model) {
        assertArrayEquals(b("v!"), t.get(key(k)));
      }
      assertEquals(1000, db.stats().get("optimize.progress_permille"));
      assertEquals(0, db.stats().get("optimize.running"));
      assertTrue(db.stats().get("optimize.steps") > 1, "a deep tree takes several paths");
    }
  }

  @Test
  void readersAndWritersGoOnWhileATreeIsOptimized() throws Exception {
    try (DatabaseImpl db = TestSeams.open(dir, options.durability(Durability.NONE), io)) {
      Tree t = db.tree("t");
      for (int i = 0; i < 20_000; i++) {
        t.put(key(i), b("v" + i));
      }
      ConcurrentHashMap<Integer, String> written = new ConcurrentHashMap<>();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < 2; w++) {
        int seed = w;
        threads.add(new Thread(() -> {
          Random rnd = new Random(seed);
          try {
            while (!stop.get()) {
              int k = 20_000 + seed * 100_000 + rnd.nextInt(50_000);
              t.put(key(k), b("w" + k));
              written.put(k, "w" + k);
            }
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
        }));
      }
      threads.add(new Thread(() -> {
        Random rnd = new Random(9);
        try {
          while (!stop.get()) {
            int k = rnd.nextInt(20_000);
            assertArrayEquals(b("v" + k), t.get(key(k)));
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      }));
      long before = db.stats().get("tree.messages");
      threads.forEach(Thread::start);
      // The writers are running before the optimize starts (a fast optimize could otherwise end
      // before a writer thread was ever scheduled).
      while (written.size() < 200 && failure.get() == null) {
        Thread.onSpinWait();
      }
      t.optimize();
      t.optimize(); // a second pass over what the writers added meanwhile
      stop.set(true);
      for (Thread th : threads) {
        th.join();
      }
      assertNull(failure.get(), () -> "a reader or writer failed: " + failure.get());
      assertTrue(db.stats().get("tree.messages") > before, "writers wrote beside the optimize");
      for (var e : written.entrySet()) {
        assertArrayEquals(b(e.getValue()), t.get(key(e.getKey())));
      }
    }
  }

  @Test
  void anOptimizeCutShortResumesFromItsCheckpointedKeyAfterACrash() {
    DatabaseImpl db = TestSeams.open(dir, options, io);
    Tree t = db.tree("t");
    for (int i = 0; i < 20_000; i++) {
      t.put(key(i), b("v"));
    }
    assertFalse(db.optimize((TreeImpl) t, 3), "three steps do not finish a deep tree");
    byte[] resume = db.catalog().optimizing.get("t");
    assertNotNull(resume);
    assertTrue(resume.length > 0, "it moved past the start");
    db.checkpoint();
    TestSeams.halt(db);
    io.crash();
    db = TestSeams.open(dir, options, io);
    assertArrayEquals(resume, db.catalog().optimizing.get("t"), "the checkpoint kept where it stood");
    long stepsBefore = db.stats().get("optimize.steps");
    db.tree("t").optimize();
    assertNull(db.catalog().optimizing.get("t"), "finished");
    assertTrue(db.stats().get("optimize.steps") > stepsBefore);
    assertEquals(20_000, db.tree("t").approximateSize());
    db.close();
  }
}
