package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sapwood.Database;
import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.StorageException;
import dev.sapwood.Transaction;
import dev.sapwood.Tree;
import dev.sapwood.internal.io.FaultInjectingFileIo;
import dev.sapwood.internal.io.FaultInjectingFileIo.Kind;
import dev.sapwood.internal.io.FaultInjectingFileIo.Mode;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A failed fsync while a transaction commits is reported to the committer and is sticky. */
class TransactionFaultTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aFailedFsyncDuringCommitFailsTheCommitAndEveryLaterWrite() {
    MemoryFileIo mem = new MemoryFileIo();
    FaultInjectingFileIo io = new FaultInjectingFileIo(mem, 1);
    Database db = TestSeams.open(Path.of("/db"), Options.defaults(), io);
    try {
      Tree t = db.tree("t");
      t.put(b("before"), b("1"));
      db.sync();
      io.failAt(Kind.FSYNC, io.count(Kind.FSYNC) + 1, Mode.ONCE);
      Transaction tx = db.begin();
      tx.put(t, b("k"), b("v"));
      assertThrows(StorageException.class, () -> tx.commit(Durability.SYNC));
      assertThrows(IllegalStateException.class, () -> tx.put(t, b("k"), b("v")), "finished");
      // Sticky: the fault was transient, but the database refuses every later write with it.
      Transaction next = db.begin();
      next.put(t, b("k2"), b("v"));
      assertThrows(StorageException.class, () -> next.commit(Durability.ASYNC));
      assertThrows(StorageException.class, () -> t.put(b("k3"), b("v")));
      assertArrayEquals(b("1"), t.get(b("before")), "reads go on");
      assertNull(t.get(b("k2")));
    } finally {
      try {
        db.close();
      } catch (RuntimeException expected) {
        // close reports the earlier failure
      }
    }
  }
}
