package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.Cursor;
import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.Tree;
import dev.sapwood.UpdateFunctions;
import dev.sapwood.WriteBatch;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Single changes and batches share one ordering protocol (the {@code Sequencer}): log order is
 * MSN order for every key, whoever wrote it, and a batch's messages enter each tree under one root
 * latch, so a reader of that tree sees all or none of them.
 */
class WriteOrderTest {
  private final MemoryFileIo io = new MemoryFileIo();
  private final Path dir = Path.of("/order");
  private final Options options = Options.defaults().nodeSize(16 << 10).basementSize(4 << 10).fanout(4)
      .cacheSize(256 << 10).durability(Durability.ASYNC)
      .checkpointInterval(Duration.ofHours(1)).syncInterval(Duration.ofHours(1));

  private static byte[] key(int i) {
    return ("key" + i).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void replayRebuildsWhatConcurrentSinglesAndBatchesLeftInTheTrees() throws Exception {
    long seed = new Random().nextLong();
    System.out.println("WriteOrderTest seed " + seed);
    DatabaseImpl db = TestSeams.open(dir, options, io);
    Tree a = db.tree("a");
    Tree b = db.tree("b");
    AtomicReference<Throwable> failed = new AtomicReference<>();
    AtomicInteger tickets = new AtomicInteger(6000); // shared, so every writer runs to the end
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < 4; w++) {
      final int id = w;
      Random rnd = new Random(seed + w);
      writers.add(new Thread(() -> {
        try {
          for (int i = 0; tickets.getAndDecrement() > 0; i++) {
            Tree t = rnd.nextBoolean() ? a : b;
            int k = rnd.nextInt(8);
            if (id < 2) { // single changes on the same few keys: puts of distinct values, and adds
              if (rnd.nextInt(3) != 0) {
                t.put(key(k), UpdateFunctions.fromLong(id * 1_000_000L + i));
              } else {
                t.update(key(k), UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(id + 1));
              }
            } else { // batches over both trees; one in 20 is larger than a node
              WriteBatch batch = new WriteBatch();
              int n = rnd.nextInt(20) == 0 ? 1200 : 1 + rnd.nextInt(8);
              for (int j = 0; j < n; j++) {
                Tree bt = rnd.nextBoolean() ? a : b;
                int bk = j < 8 ? rnd.nextInt(8) : 100 + rnd.nextInt(5000);
                if (rnd.nextBoolean()) {
                  batch.update(bt, key(bk), UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(10));
                } else {
                  batch.put(bt, key(bk), UpdateFunctions.fromLong(id * 1_000_000L + i * 1000L + j));
                }
              }
              db.write(batch);
            }
          }
        } catch (Throwable e) {
          failed.compareAndSet(null, e);
        }
      }));
    }
    writers.forEach(Thread::start);
    for (Thread t : writers) {
      t.join();
    }
    assertNull(failed.get(), () -> "a writer failed: " + failed.get());
    TreeMap<String, String> before = contents(db);
    db.sync();
    TestSeams.halt(db);
    io.crash();
    try (DatabaseImpl again = TestSeams.open(dir, options, io)) {
      assertTrue(again.stats().get("recovery.records_replayed") > 0, again.stats().toString());
      assertEquals(before, contents(again), "seed " + seed + ": replay disagrees with what the trees held");
    }
  }

  @Test
  void aReaderSeesAllOrNoneOfABatch() throws Exception {
    try (DatabaseImpl db = TestSeams.open(dir, options, io)) {
      Tree t = db.tree("t");
      AtomicBoolean stop = new AtomicBoolean();
      AtomicReference<String> torn = new AtomicReference<>();
      Thread reader = new Thread(() -> {
        while (!stop.get() && torn.get() == null) {
          try (Cursor c = t.cursor()) {
            byte[] first = null;
            for (boolean ok = c.last(); ok; ok = c.prev()) {
              if (first == null) {
                first = c.value();
              } else if (!Arrays.equals(first, c.value())) {
                torn.set("keys of one batch differ: " + UpdateFunctions.toLong(first) + " vs "
                    + UpdateFunctions.toLong(c.value()));
              }
            }
          }
        }
      });
      reader.start();
      for (int i = 0; i < 3000 && torn.get() == null; i++) {
        WriteBatch batch = new WriteBatch();
        for (int k = 0; k < 10; k++) {
          batch.put(t, key(k), UpdateFunctions.fromLong(i));
        }
        db.write(batch);
      }
      stop.set(true);
      reader.join();
      assertNull(torn.get());
      try (Cursor c = t.cursor()) {
        int n = 0;
        for (boolean ok = c.first(); ok; ok = c.next()) {
          assertEquals(2999, UpdateFunctions.toLong(c.value()));
          n++;
        }
        assertEquals(10, n);
      }
    }
  }

  private static TreeMap<String, String> contents(DatabaseImpl db) {
    TreeMap<String, String> m = new TreeMap<>();
    for (String name : db.treeNames()) {
      try (Cursor c = db.tree(name).cursor()) {
        for (boolean ok = c.first(); ok; ok = c.next()) {
          m.put(name + "/" + new String(c.key(), StandardCharsets.UTF_8), Arrays.toString(c.value()));
        }
      }
    }
    return m;
  }
}
