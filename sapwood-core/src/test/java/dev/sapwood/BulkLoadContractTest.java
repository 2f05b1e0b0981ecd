package dev.sapwood;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.internal.tools.Verifier;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract of {@link BulkLoader} beyond the data: bad order, a tree that is not empty, open
 * snapshots, an abandoned load, a closed or read-only database — nothing applied, no block left
 * mapped; and readers see nothing of a load until its finish, then all of it.
 */
class BulkLoadContractTest {
  private static Options small() {
    return Options.defaults().nodeSize(4 << 10).basementSize(1 << 10).fanout(4).cacheSize(1 << 20)
        .durability(Durability.NONE);
  }

  private static byte[] key(long i) {
    return BulkLoadTest.key(i);
  }

  @Test
  void unsortedOrDuplicateKeysAreRefusedWithNothingApplied(@TempDir Path dir) {
    try (Database db = Database.open(dir, small())) {
      Tree t = db.tree("t");
      db.checkpoint();
      long blocks = db.stats().get("store.blocks");
      for (int dup = 0; dup < 2; dup++) {
        BulkLoader l = t.bulkLoader();
        for (int i = 0; i < 500; i++) {
          l.add(key(i), new byte[100]);
        }
        byte[] bad = dup == 0 ? key(499) : key(3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> l.add(bad, new byte[1]));
        assertTrue(e.getMessage().contains("ascending"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> l.add(key(1000), new byte[1]), "an abandoned load takes no more");
        assertThrows(IllegalStateException.class, l::finish);
        l.close();
        assertEquals(0, t.approximateSize());
        assertNull(t.get(key(0)));
        try (Cursor c = t.cursor()) {
          assertFalse(c.first(), "nothing of the refused load is visible");
        }
      }
      assertThrows(IllegalArgumentException.class, () -> t.bulkLoad(List.of(Entry.of(key(2), new byte[0]),
          Entry.of(key(1), new byte[0])).iterator()));
      db.checkpoint();
      assertEquals(blocks, db.stats().get("store.blocks"), "no block of the refused loads is mapped");
      // the tree still takes a load
      assertEquals(3, t.bulkLoad(List.of(Entry.of(key(1), new byte[0]), Entry.of(key(2), new byte[0]),
          Entry.of(key(3), new byte[0])).iterator()));
      assertEquals(3, t.approximateSize());
    }
    assertTrue(Verifier.verify(dir, null).ok());
  }

  @Test
  void aTreeThatIsNotEmptyIsRefused(@TempDir Path dir) {
    try (Database db = Database.open(dir, small())) {
      Tree t = db.tree("t");
      t.put(key(1), new byte[1]);
      assertThrows(IllegalStateException.class, t::bulkLoader);
      Tree u = db.tree("u");
      BulkLoader l = u.bulkLoader();
      assertThrows(IllegalStateException.class, u::bulkLoader, "one load per tree at a time");
      l.add(key(1), new byte[1]);
      u.put(key(9), new byte[1]); // a write during the load: the tree is no longer empty at the install
      assertThrows(IllegalStateException.class, l::finish);
      assertArrayEquals(new byte[1], u.get(key(9)));
      assertNull(u.get(key(1)), "the load was not applied");
      l.close();
    }
    assertTrue(Verifier.verify(dir, null).ok());
  }

  @Test
  void anOpenSnapshotDelaysTheInstallAndFinishCanBeRetried(@TempDir Path dir) {
    try (Database db = Database.open(dir, small())) {
      Tree t = db.tree("t");
      try (BulkLoader l = t.bulkLoader()) {
        for (int i = 0; i < 1000; i++) {
          l.add(key(i), new byte[50]);
        }
        Snapshot s = db.snapshot();
        assertThrows(IllegalStateException.class, l::finish);
        assertEquals(0, t.approximateSize());
        s.close();
        assertEquals(1000, l.finish());
      }
      assertEquals(1000, t.approximateSize());
    }
    assertTrue(Verifier.verify(dir, null).ok());
  }

  @Test
  void closeWithoutFinishAppliesNothingAndFreesItsBlocks(@TempDir Path dir) {
    try (Database db = Database.open(dir, small())) {
      Tree t = db.tree("t");
      db.checkpoint();
      long blocks = db.stats().get("store.blocks");
      try (BulkLoader l = t.bulkLoader()) {
        for (int i = 0; i < 5000; i++) {
          l.add(key(i), new byte[100]);
        }
        db.checkpoint(); // a checkpoint during the load must not take its blocks
      }
      assertEquals(0, t.approximateSize());
      db.checkpoint();
      assertEquals(blocks, db.stats().get("store.blocks"));
      assertTrue(db.stats().get("bulk.abandoned") >= 1);
    }
    Verifier.Report report = Verifier.verify(dir, null);
    assertTrue(report.ok(), "verifier: " + report.problems());
    try (Database db = Database.open(dir, small())) {
      assertNull(db.tree("t").get(key(0)));
    }
  }

  @Test
  void closingTheDatabaseAbandonsAnOpenLoad(@TempDir Path dir) {
    BulkLoader l;
    try (Database db = Database.open(dir, small())) {
      l = db.tree("t").bulkLoader();
      for (int i = 0; i < 3000; i++) {
        l.add(key(i), new byte[100]);
      }
    }
    assertThrows(IllegalStateException.class, () -> l.add(key(5000), new byte[100]));
    l.close();
    assertTrue(Verifier.verify(dir, null).ok());
    try (Database db = Database.open(dir, small())) {
      assertEquals(0, db.tree("t").approximateSize());
    }
  }

  @Test
  void readersSeeNothingOfALoadUntilFinishThenAllOfIt(@TempDir Path dir) throws Exception {
    int n = 20_000;
    try (Database db = Database.open(dir, small())) {
      Tree t = db.tree("t");
      AtomicBoolean finishing = new AtomicBoolean();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicReference<String> wrong = new AtomicReference<>();
      long[] reads = new long[1];
      Thread reader = new Thread(() -> {
        while (!stop.get()) {
          long seen = 0;
          try (Cursor c = t.cursor()) {
            for (boolean ok = c.first(); ok; ok = c.next()) {
              seen++;
            }
          }
          byte[] v = t.get(key(n / 2));
          boolean before = !finishing.get(); // the reads above all ended before finish was called
          if (before && (seen != 0 || v != null)) {
            wrong.compareAndSet(null, "saw " + seen + " entries before finish was called");
          }
          if (seen != 0 && seen != n) {
            wrong.compareAndSet(null, "saw a partial load: " + seen + " entries");
          }
          reads[0]++;
        }
      });
      reader.start();
      try (BulkLoader l = t.bulkLoader()) {
        for (int i = 0; i < n; i++) {
          l.add(key(i), new byte[20]);
        }
        finishing.set(true);
        l.finish();
      }
      try (Cursor c = t.cursor()) {
        long seen = 0;
        for (boolean ok = c.first(); ok; ok = c.next()) {
          seen++;
        }
        assertEquals(n, seen);
      }
      stop.set(true);
      reader.join();
      assertNull(wrong.get(), wrong.get());
      assertTrue(reads[0] > 0);
    }
  }

  @Test
  void aClosedOrReadOnlyDatabaseTakesNoLoad(@TempDir Path dir) {
    Tree t;
    try (Database db = Database.open(dir, small())) {
      t = db.tree("t");
    }
    assertThrows(IllegalStateException.class, t::bulkLoader);
    try (Database ro = Database.open(dir, small().readOnly(true))) {
      assertThrows(IllegalStateException.class, () -> ro.findTree("t").orElseThrow().bulkLoader());
    }
  }
}
