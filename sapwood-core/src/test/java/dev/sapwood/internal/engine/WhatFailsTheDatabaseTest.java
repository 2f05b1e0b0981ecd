package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.BulkLoader;
import dev.sapwood.ConflictException;
import dev.sapwood.Database;
import dev.sapwood.Options;
import dev.sapwood.Snapshot;
import dev.sapwood.StorageException;
import dev.sapwood.Transaction;
import dev.sapwood.Tree;
import dev.sapwood.UpdateFunction;
import dev.sapwood.WriteBatch;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Which failures fail the database ({@link DatabaseGate}): anything a change throws once it has
 * started — whatever its type: a broken invariant's {@link IllegalStateException}, an {@link
 * IllegalArgumentException}, an {@link Error} — fails it (the trees in memory may be half-changed):
 * later writes throw a {@link StorageException} carrying it, and reads of what was committed go
 * on. A caller's mistake, found before the change starts, fails nothing: the next write succeeds,
 * and the database closes cleanly.
 */
class WhatFailsTheDatabaseTest {
  private static final int NODE = 16 << 10;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static DatabaseImpl open() {
    return TestSeams.open(Path.of("/db"), Options.defaults().nodeSize(NODE), new MemoryFileIo());
  }

  /** A batch too large for its roots' buffers: applied under the exclusive side, message by message. */
  private static WriteBatch largeBatch(Tree t) {
    WriteBatch batch = new WriteBatch();
    for (int i = 0; i < 200; i++) {
      batch.put(t, b("large" + i), new byte[200]);
    }
    return batch;
  }

  /**
   * A change that fails half-way with {@code thrown} (a test seam runs after its first message
   * went in) fails the database, whatever the type.
   */
  private static void assertAChangeFailingHalfWayWith(Supplier<Throwable> thrown) {
    DatabaseImpl db = open();
    Tree t = db.tree("t");
    for (int i = 0; i < 100; i++) {
      t.put(b("committed" + i), b("v" + i));
    }
    Throwable injected = thrown.get();
    TestSeams.onExclusiveBatchStep(db, () -> {
      if (injected instanceof RuntimeException r) {
        throw r;
      }
      throw (Error) injected;
    });
    Throwable got = assertThrows(Throwable.class, () -> db.write(largeBatch(t)));
    assertSame(injected, got, "the change's own failure reaches its caller");
    TestSeams.onExclusiveBatchStep(db, null);

    StorageException later = assertThrows(StorageException.class, () -> t.put(b("after"), b("x")),
        "a write after a change failed half-way");
    Throwable cause = later.getCause();
    assertTrue(cause == injected || (cause != null && cause.getCause() == injected),
        "the sticky failure carries the change's: " + later);
    assertThrows(StorageException.class, () -> db.write(new WriteBatch().put(t, b("batch"), b("x"))));
    assertThrows(StorageException.class, () -> db.dropTree("t"));
    for (int i = 0; i < 100; i++) {
      assertArrayEquals(b("v" + i), t.get(b("committed" + i)), "committed before the failure, read after it");
    }
    assertNull(t.get(b("after")));
    assertThrows(StorageException.class, db::close, "a failed database says so at close");
  }

  @Test
  void aBrokenInvariantHalfWayThroughAChangeFailsTheDatabase() {
    assertAChangeFailingHalfWayWith(() -> new IllegalStateException("injected: a broken invariant"));
  }

  @Test
  void anIllegalArgumentHalfWayThroughAChangeFailsTheDatabase() {
    assertAChangeFailingHalfWayWith(() -> new IllegalArgumentException("injected: from the JDK, say"));
  }

  @Test
  void anErrorHalfWayThroughAChangeFailsTheDatabase() {
    assertAChangeFailingHalfWayWith(() -> new AssertionError("injected: an assertion"));
  }

  @Test
  void aBackgroundTaskThatBreaksAnInvariantFailsTheDatabase() {
    DatabaseImpl db = open();
    Tree t = db.tree("t");
    t.put(b("k"), b("v"));
    IllegalStateException injected = new IllegalStateException("injected: a flush found a broken invariant");
    // The path of every background flush and write-back (TreeUpkeep.run, through the gate).
    assertSame(injected, assertThrows(IllegalStateException.class, () -> db.runInBackground(() -> {
      throw injected;
    })));
    StorageException later = assertThrows(StorageException.class, () -> t.put(b("k2"), b("v")));
    assertSame(injected, later.getCause());
    assertArrayEquals(b("v"), t.get(b("k")));
    assertThrows(StorageException.class, db::close);
  }

  /** Runs each caller mistake; each throws {@code type} and fails nothing. */
  private static void assertFailsNothing(Tree t, Class<? extends Throwable> type, String what,
      Executable mistake) {
    assertThrows(type, mistake, what);
    t.put(b("after " + what), b("ok"));
    assertArrayEquals(b("ok"), t.get(b("after " + what)), what + ": the next write succeeds");
  }

  @Test
  void noCallerMistakeFailsTheDatabase() {
    DatabaseImpl db = open();
    Tree t = db.tree("t");
    Tree dropped = db.tree("dropped");
    db.dropTree("dropped");
    UpdateFunction unregistered = new UpdateFunction() {
      @Override
      public String name() {
        return "not-registered";
      }

      @Override
      public byte[] apply(byte[] key, byte[] old, byte[] argument) {
        return argument;
      }
    };
    Database other = open();
    Tree foreign = other.tree("t");
    try {
      assertFailsNothing(t, IllegalArgumentException.class, "a null key", () -> t.put(null, b("v")));
      assertFailsNothing(t, IllegalArgumentException.class, "a key too large",
          () -> t.put(new byte[dev.sapwood.Limits.MAX_KEY_SIZE + 1], b("v")));
      assertFailsNothing(t, IllegalStateException.class, "a put into a dropped tree",
          () -> dropped.put(b("k"), b("v")));
      assertFailsNothing(t, IllegalStateException.class, "a small batch into a dropped tree",
          () -> db.write(new WriteBatch().put(t, b("k"), b("v")).put(dropped, b("k"), b("v"))));
      assertFailsNothing(t, IllegalStateException.class, "a large batch into a dropped tree",
          () -> db.write(largeBatch(t).put(dropped, b("k"), b("v"))));
      assertFailsNothing(t, IllegalArgumentException.class, "a batch naming another database's tree",
          () -> db.write(new WriteBatch().put(foreign, b("k"), b("v"))));
      assertFailsNothing(t, IllegalArgumentException.class, "dropping a tree that does not exist",
          () -> db.dropTree("missing"));
      assertFailsNothing(t, IllegalArgumentException.class, "an unregistered update function",
          () -> t.update(b("k"), unregistered, b("v")));
      assertFailsNothing(t, IllegalStateException.class, "optimizing a dropped tree", dropped::optimize);

      Transaction done = db.begin();
      done.put(t, b("tx"), b("v"));
      done.commit();
      assertFailsNothing(t, IllegalStateException.class, "a finished transaction",
          () -> done.put(t, b("k"), b("v")));
      Transaction first = db.begin();
      Transaction second = db.begin();
      first.put(t, b("contended"), b("1"));
      second.put(t, b("contended"), b("2"));
      first.commit();
      assertFailsNothing(t, ConflictException.class, "a conflicting commit", second::commit);

      Tree loaded = db.tree("loaded");
      BulkLoader load = loaded.bulkLoader();
      load.add(b("a"), b("1"));
      Snapshot open = db.snapshot();
      assertFailsNothing(t, IllegalStateException.class, "a bulk load finished beside a snapshot", load::finish);
      open.close();
      loaded.put(b("z"), b("written meanwhile"));
      assertFailsNothing(t, IllegalStateException.class, "a bulk load into a tree written meanwhile", load::finish);

      db.checkpoint();
      db.close(); // no failure was recorded: it closes cleanly
    } finally {
      other.close();
    }
  }
}
