package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.Cursor;
import dev.sapwood.Database;
import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.SapwoodException;
import dev.sapwood.Tree;
import dev.sapwood.UpdateFunction;
import dev.sapwood.UpdateFunctions;
import dev.sapwood.WriteBatch;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reopening after a power loss gives back the last checkpoint plus the synced log. */
class RecoveryTest {
  private final MemoryFileIo io = new MemoryFileIo();
  private final Path dir = Path.of("/recovery");
  private final Options options = Options.defaults().nodeSize(16 << 10).basementSize(4 << 10).fanout(4)
      .durability(Durability.SYNC).checkpointInterval(Duration.ofHours(1)).syncInterval(Duration.ofHours(1));

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String s(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  @Test
  void syncedWritesAfterTheLastCheckpointAreReplayed() {
    DatabaseImpl db = TestSeams.open(dir, options, io);
    Tree t = db.tree("t");
    for (int i = 0; i < 3000; i++) {
      t.put(b("k" + i), b("v" + i));
    }
    db.checkpoint();
    for (int i = 0; i < 3000; i += 2) {
      t.put(b("k" + i), b("w" + i)); // after the checkpoint: only in the log
    }
    t.deleteRange(b("k1"), b("k2"));
    t.update(b("counter"), UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(5));
    t.update(b("counter"), UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(7));
    db.write(new WriteBatch().put(db.tree("other"), b("x"), b("1")).delete(t, b("k2")));
    TestSeams.halt(db);
    io.crash(); // power loss: the database object is abandoned without close

    try (DatabaseImpl again = TestSeams.open(dir, options, io)) {
      assertTrue(again.stats().get("recovery.records_replayed") > 1500, again.stats().toString());
      Tree r = again.tree("t");
      for (int i = 0; i < 3000; i++) {
        String k = "k" + i;
        String expected = k.startsWith("k1") || i == 2 ? null : (i % 2 == 0 ? "w" : "v") + i;
        assertEquals(expected, s(r.get(b(k))), k);
      }
      assertEquals(12, UpdateFunctions.toLong(r.get(b("counter"))));
      assertEquals(List.of("other", "t"), again.treeNames(), "a tree created after the checkpoint is replayed");
      assertEquals("1", s(again.tree("other").get(b("x"))));
    }
  }

  @Test
  void asyncWritesSurviveAKilledProcessButNotAPowerLossBeforeTheirSync() {
    Options async = options.durability(Durability.ASYNC);
    DatabaseImpl db = TestSeams.open(dir, async, io);
    Tree t = db.tree("t");
    db.checkpoint();
    t.put(b("synced"), b("1"));
    db.sync();
    t.put(b("unsynced"), b("2"));
    TestSeams.halt(db);
    io.crash();
    try (DatabaseImpl again = TestSeams.open(dir, async, io)) {
      assertEquals("1", s(again.tree("t").get(b("synced"))), "synced by db.sync()");
      assertNull(again.tree("t").get(b("unsynced")), "a power loss before the sync loses an ASYNC write");
    }
  }

  @Test
  void aDroppedTreeStaysDroppedAndWritesDuringACheckpointAreKept() throws Exception {
    DatabaseImpl db = TestSeams.open(dir, options, io);
    Tree a = db.tree("a");
    Tree doomed = db.tree("doomed");
    for (int i = 0; i < 2000; i++) {
      a.put(b("a" + i), b("x"));
      doomed.put(b("d" + i), b("y"));
    }
    List<Throwable> errors = new ArrayList<>();
    Thread writer = new Thread(() -> {
      try {
        for (int i = 0; i < 2000; i++) {
          a.put(b("a" + i), b("z" + i));
        }
      } catch (Throwable e) {
        errors.add(e);
      }
    });
    writer.start();
    db.checkpoint(); // runs while the writer changes nodes the checkpoint is writing
    writer.join();
    db.dropTree("doomed");
    TestSeams.halt(db);
    io.crash();
    assertEquals(List.of(), errors);
    try (Database again = TestSeams.open(dir, options, io)) {
      assertEquals(List.of("a"), again.treeNames());
      Tree r = again.tree("a");
      int n = 0;
      try (Cursor c = r.cursor()) {
        for (boolean ok = c.first(); ok; ok = c.next()) {
          String k = s(c.key());
          assertEquals("z" + k.substring(1), s(c.value()), k);
          n++;
        }
      }
      assertEquals(2000, n);
    }
  }

  @Test
  void aLoggedUpdateOfAnUnregisteredFunctionFailsTheOpenClearly() {
    UpdateFunction twice = new UpdateFunction() {
      @Override
      public String name() {
        return "test.twice";
      }

      @Override
      public byte[] apply(byte[] key, byte[] old, byte[] arg) {
        return arg;
      }
    };
    DatabaseImpl db = TestSeams.open(dir, options.register(twice), io);
    db.tree("t").update(b("k"), twice, b("v"));
    TestSeams.halt(db);
    io.crash();
    SapwoodException e = assertThrows(SapwoodException.class, () -> TestSeams.open(dir, options, io));
    assertTrue(e.getMessage().contains("test.twice"), e.getMessage());
    try (DatabaseImpl again = TestSeams.open(dir, options.register(twice), io)) {
      assertEquals("v", s(again.tree("t").get(b("k"))));
    }
  }
}
