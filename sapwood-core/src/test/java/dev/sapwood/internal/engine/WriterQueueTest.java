package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Cursor;
import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.Tree;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The writers' queue in front of a tree's root latch: one writer at a time inside it, a waiter
 * gets in once it is let go, and several writers through it leave the tree (and, after a crash,
 * the log's replay) as a model of their writes says.
 */
class WriterQueueTest {
  @Test
  void oneWriterAtATimeIsInside() throws Exception {
    WriterQueue q = new WriterQueue();
    AtomicInteger inside = new AtomicInteger();
    AtomicReference<String> overlap = new AtomicReference<>();
    long[] count = {0}; // changed only inside the queue, without any other synchronization
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      threads.add(new Thread(() -> {
        for (int i = 0; i < 50_000; i++) {
          q.enter();
          try {
            if (inside.incrementAndGet() != 1) {
              overlap.compareAndSet(null, "two threads inside at once");
            }
            count[0]++;
            if (i % 1000 == 0) {
              Thread.yield(); // a holder that loses its core: the others spin, then park
            }
            inside.decrementAndGet();
          } finally {
            q.exit();
          }
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    assertNull(overlap.get());
    assertEquals(200_000, count[0]);
    assertFalse(q.isHeld());
  }

  @Test
  void aWaiterGetsInOnceTheHolderLetsGo() throws Exception {
    WriterQueue q = new WriterQueue();
    q.enter();
    AtomicInteger entered = new AtomicInteger();
    Thread waiter = new Thread(() -> {
      q.enter();
      entered.incrementAndGet();
      q.exit();
    });
    waiter.start();
    Thread.sleep(100); // past its spins: it parks
    assertEquals(0, entered.get(), "the waiter is not in while the queue is held");
    q.exit();
    waiter.join(10_000);
    assertEquals(1, entered.get());
    assertFalse(q.isHeld());
  }

  /**
   * Four writers, each putting and deleting its own keys and putting a few shared ones, through
   * one tree's queue (small nodes: the root is flushed by writers and the background alike): the
   * tree holds each writer's keys as its model says and a shared key holds the last value one of
   * the writers put there; the log's replay after a crash rebuilds exactly what the tree held.
   */
  @Test
  void severalWritersLeaveTheTreeAsTheirModelsSay() throws Exception {
    long seed = new Random().nextLong();
    System.out.println("WriterQueueTest seed " + seed);
    MemoryFileIo io = new MemoryFileIo();
    Path dir = Path.of("/queue");
    Options options = Options.defaults().nodeSize(16 << 10).basementSize(4 << 10).fanout(4)
        .cacheSize(256 << 10).durability(Durability.ASYNC)
        .checkpointInterval(Duration.ofHours(1)).syncInterval(Duration.ofHours(1));
    int writers = 4;
    List<TreeMap<String, String>> models = new ArrayList<>();
    String[][] lastShared = new String[writers][8];
    AtomicReference<Throwable> failed = new AtomicReference<>();
    TreeMap<String, String> before;
    DatabaseImpl db = TestSeams.open(dir, options, io);
    TreeImpl t = (TreeImpl) db.tree("t");
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int id = w;
      TreeMap<String, String> model = new TreeMap<>();
      models.add(model);
      Random rnd = new Random(seed + w);
      threads.add(new Thread(() -> {
        try {
          for (int i = 0; i < 3000; i++) {
            int r = rnd.nextInt(10);
            if (r == 0) {
              int s = rnd.nextInt(8);
              String v = "w" + id + "-" + i;
              t.put(bytes("shared" + s), bytes(v));
              lastShared[id][s] = v;
            } else {
              String k = "own" + id + "-" + rnd.nextInt(400);
              if (r < 3) {
                t.delete(bytes(k));
                model.remove(k);
              } else {
                String v = "v" + i + "x".repeat(rnd.nextInt(200));
                t.put(bytes(k), bytes(v));
                model.put(k, v);
              }
            }
          }
        } catch (Throwable e) {
          failed.compareAndSet(null, e);
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread th : threads) {
      th.join();
    }
    assertNull(failed.get(), () -> "seed " + seed + ": a writer failed: " + failed.get());
    assertFalse(t.writers().isHeld(), "the queue is free once the writers are done");
    before = contents(t);
    for (int w = 0; w < writers; w++) {
      for (var e : models.get(w).entrySet()) {
        assertEquals(e.getValue(), before.get(e.getKey()), "seed " + seed + ": key " + e.getKey());
      }
      String own = "own" + w + "-";
      assertEquals(models.get(w).size(), before.keySet().stream().filter(k -> k.startsWith(own)).count(),
          "seed " + seed + ": writer " + w + "'s keys");
    }
    for (int s = 0; s < 8; s++) {
      String v = before.get("shared" + s);
      boolean anyWrote = false;
      boolean isSomeLast = false;
      for (int w = 0; w < writers; w++) {
        anyWrote |= lastShared[w][s] != null;
        isSomeLast |= v != null && v.equals(lastShared[w][s]);
      }
      assertEquals(anyWrote, v != null, "seed " + seed + ": shared" + s);
      assertTrue(!anyWrote || isSomeLast, "seed " + seed + ": shared" + s + " holds " + v + ", no writer's last value");
    }
    db.sync();
    TestSeams.halt(db);
    io.crash();
    try (DatabaseImpl again = TestSeams.open(dir, options, io)) {
      assertEquals(before, contents(again.tree("t")), "seed " + seed + ": the replay disagrees with the tree");
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static TreeMap<String, String> contents(Tree t) {
    TreeMap<String, String> out = new TreeMap<>();
    try (Cursor c = t.cursor()) {
      for (boolean ok = c.first(); ok; ok = c.next()) {
        out.put(new String(c.key(), StandardCharsets.UTF_8), new String(c.value(), StandardCharsets.UTF_8));
      }
    }
    return out;
  }
}
