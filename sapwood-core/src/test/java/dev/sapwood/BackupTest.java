package dev.sapwood;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.internal.tools.Verifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Database#backup}: a copy taken while writers run holds every write acknowledged before
 * the call, no batch torn, and opens and verifies as a database; targets that exist are refused.
 */
class BackupTest {
  static final int WRITERS = 4;

  @TempDir Path tmp;

  /** Small nodes and cache, checkpoints every few ms: evictions, relocations and checkpoints run during the copy. */
  static Options busyOptions() {
    return Options.defaults().nodeSize(4 << 10).basementSize(1 << 10).fanout(4).cacheSize(256 << 10)
        .checkpointInterval(Duration.ofMillis(10)).syncInterval(Duration.ofMillis(5));
  }

  static byte[] key(int writer, long seq, String part) {
    return String.format("t%02d/%08d/%s", writer, seq, part).getBytes(US_ASCII);
  }

  static byte[] value(int writer, long seq) {
    return ("w" + writer + "s" + seq + "-" + "v".repeat((int) (seq % 40))).getBytes(US_ASCII);
  }

  @Test
  void aBackupUnderConcurrentWritersHoldsEveryWriteAcknowledgedBeforeItBegan() throws Exception {
    long seed = System.nanoTime();
    System.out.println("BackupTest seed " + seed);
    Path dir = tmp.resolve("db");
    Path copy = tmp.resolve("copy");
    AtomicLong[] acked = new AtomicLong[WRITERS];
    long[] before = new long[WRITERS];
    try (Database db = Database.open(dir, busyOptions())) {
      Tree tree = db.tree("t");
      AtomicBoolean stop = new AtomicBoolean();
      AtomicReference<Throwable> failed = new AtomicReference<>();
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int id = w;
        acked[w] = new AtomicLong(-1);
        Random r = new Random(seed + w);
        threads.add(new Thread(() -> {
          try {
            for (long seq = 0; !stop.get(); seq++) {
              // Each write is a batch of three keys (a torn batch shows as one or two of them),
              // at every durability level: a NONE write acknowledged before the backup is in it too.
              WriteBatch b = new WriteBatch();
              for (String part : new String[] {"a", "b", "c"}) {
                b.put(tree, key(id, seq, part), value(id, seq));
              }
              Durability d = Durability.values()[r.nextInt(Durability.values().length)];
              db.write(b, d);
              acked[id].set(seq);
            }
          } catch (Throwable t) {
            failed.set(t);
          }
        }, "writer-" + w));
      }
      threads.forEach(Thread::start);
      while (minimum(acked) < 2000 && failed.get() == null) {
        Thread.sleep(5);
      }
      for (int w = 0; w < WRITERS; w++) {
        before[w] = acked[w].get();
      }
      db.backup(copy);
      long[] after = new long[WRITERS];
      for (int w = 0; w < WRITERS; w++) {
        after[w] = acked[w].get();
      }
      stop.set(true);
      for (Thread t : threads) {
        t.join();
      }
      if (failed.get() != null) {
        throw new AssertionError("a writer failed", failed.get());
      }
      assertTrue(java.util.Arrays.stream(after).min().getAsLong() >= java.util.Arrays.stream(before).min().getAsLong(),
          "acknowledgments only grow");
    }
    assertTrue(Verifier.verify(copy, null).ok(), "the copy verifies");
    assertTrue(Verifier.verify(dir, null).ok(), "the source verifies");
    try (Database db = Database.open(copy, busyOptions())) {
      Tree tree = db.tree("t");
      for (int w = 0; w < WRITERS; w++) {
        for (long seq = 0; seq <= acked[w].get(); seq++) {
          byte[] a = tree.get(key(w, seq, "a"));
          byte[] b = tree.get(key(w, seq, "b"));
          byte[] c = tree.get(key(w, seq, "c"));
          if (seq <= before[w]) {
            assertArrayEquals(value(w, seq), a, "writer " + w + " seq " + seq + " acknowledged before the backup");
          }
          if (a == null) {
            assertNull(b, "torn batch " + w + "/" + seq);
            assertNull(c, "torn batch " + w + "/" + seq);
          } else {
            assertArrayEquals(value(w, seq), a);
            assertArrayEquals(value(w, seq), b, "torn batch " + w + "/" + seq);
            assertArrayEquals(value(w, seq), c, "torn batch " + w + "/" + seq);
          }
        }
      }
      tree.put("after".getBytes(US_ASCII), "restore".getBytes(US_ASCII)); // the copy is a database like any
    }
    try (Stream<Path> left = Files.list(tmp)) {
      assertEquals(List.of("copy", "db"), left.map(p -> p.getFileName().toString()).sorted().toList(),
          "no temporary directory is left beside the target");
    }
  }

  @Test
  void aTargetThatExistsIsRefusedAndLeftAlone() throws Exception {
    Path dir = tmp.resolve("db");
    Path emptyDir = Files.createDirectory(tmp.resolve("empty"));
    Path file = Files.writeString(tmp.resolve("file"), "keep");
    try (Database db = Database.open(dir)) {
      db.tree("t").put(new byte[] {1}, new byte[] {2});
      assertThrows(IllegalArgumentException.class, () -> db.backup(emptyDir));
      assertThrows(IllegalArgumentException.class, () -> db.backup(file));
      assertThrows(IllegalArgumentException.class, () -> db.backup(dir.resolve("inside")));
      assertEquals("keep", Files.readString(file));
      try (Stream<Path> s = Files.list(emptyDir)) {
        assertEquals(0, s.count());
      }
      db.backup(tmp.resolve("ok")); // and the database is as it was
    }
  }

  @Test
  void aBackupOfABackupHoldsTheSameAndTheSourceKeepsWorking() {
    Path dir = tmp.resolve("db");
    try (Database db = Database.open(dir, busyOptions())) {
      Tree t = db.tree("t");
      for (int i = 0; i < 3000; i++) {
        t.put(key(0, i, "k"), value(0, i));
      }
      db.dropTree("t");
      t = db.tree("t2");
      for (int i = 0; i < 500; i++) {
        WriteBatch b = new WriteBatch();
        b.put(t, key(1, i, "k"), value(1, i));
        db.write(b, Durability.NONE);
      }
      db.backup(tmp.resolve("one"));
      t.put(key(2, 0, "k"), value(2, 0));
    }
    try (Database one = Database.open(tmp.resolve("one"))) {
      assertEquals(List.of("t2"), one.treeNames());
      one.backup(tmp.resolve("two"));
    }
    try (Database two = Database.open(tmp.resolve("two"))) {
      Tree t = two.tree("t2");
      for (int i = 0; i < 500; i++) {
        assertArrayEquals(value(1, i), t.get(key(1, i, "k")));
      }
      assertNull(t.get(key(2, 0, "k")), "written after the backup");
    }
    try (Database db = Database.open(dir)) {
      assertArrayEquals(value(2, 0), db.tree("t2").get(key(2, 0, "k")));
    }
  }

  @Test
  void aClosedDatabaseRefusesABackup() {
    Database db = Database.open(tmp.resolve("db"));
    db.close();
    assertThrows(IllegalStateException.class, () -> db.backup(tmp.resolve("copy")));
    assertFalse(Files.exists(tmp.resolve("copy")));
  }

  private static long minimum(AtomicLong[] a) {
    long m = Long.MAX_VALUE;
    for (AtomicLong x : a) {
      m = Math.min(m, x.get());
    }
    return m;
  }
}
