package dev.sapwood.internal.engine;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.CorruptionException;
import dev.sapwood.Options;
import dev.sapwood.StorageException;
import dev.sapwood.Tree;
import dev.sapwood.internal.io.ForwardingFileIo;
import dev.sapwood.internal.io.ForwardingIoFile;
import dev.sapwood.internal.io.IoFile;
import dev.sapwood.internal.io.MemoryFileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A read that finds damage while the database runs: checkpoints are refused (a checkpoint must
 * never make durable a block table that refers to a block it cannot read back), writes are
 * refused, reads go on, close says so, and a reopen replays the log onto the last checkpoint so
 * nothing acknowledged is lost (docs/durability.md, "Damage found while running").
 */
@dev.sapwood.testlog.CapturesEngineLog
class DamageFoundWhileRunningTest {
  private final Path dir = Path.of("/damage");
  private final Options options = Options.defaults().nodeSize(16 << 10).basementSize(4 << 10).fanout(4);
  private volatile boolean damaging;

  /** Reads of the block file's node space come back as zeros while {@code damaging} is set. */
  private final ForwardingFileIo io = new ForwardingFileIo(new MemoryFileIo()) {
    @Override
    protected IoFile wrap(IoFile file) {
      boolean blockFile = file.name().endsWith(".db");
      return new ForwardingIoFile(file) {
        @Override
        public int read(long position, ByteBuffer dst) throws IOException {
          int n = super.read(position, dst.duplicate());
          if (!blockFile || !damaging || n <= 0 || position < 8192) {
            return super.read(position, dst);
          }
          for (int i = 0; i < n; i++) {
            dst.put((byte) 0);
          }
          return n;
        }
      };
    }
  };

  private static byte[] key(int i) {
    return String.format("k%05d", i).getBytes(UTF_8);
  }

  private static byte[] value(int i) {
    return ("value " + i + " ".repeat(i % 40)).getBytes(UTF_8);
  }

  @Test
  void damageFoundByAReadStopsCheckpointsAndWritesAndLosesNothing() {
    try (DatabaseImpl db = TestSeams.open(dir, options, io)) {
      for (int i = 0; i < 500; i++) {
        db.tree("a").put(key(i), value(i));
        db.tree("b").put(key(i), value(i));
      }
    }
    DatabaseImpl db = TestSeams.open(dir, options, io);
    Tree a = db.tree("a");
    Tree b = db.tree("b");
    a.put("late".getBytes(UTF_8), "acknowledged before the damage was found".getBytes(UTF_8));
    long checkpoints = db.stats().get("store.checkpoints");

    damaging = true;
    CorruptionException found = assertThrows(CorruptionException.class, () -> b.get(key(3)));
    damaging = false;

    CorruptionException refused = assertThrows(CorruptionException.class, db::checkpoint);
    assertTrue(refused.getMessage().contains("checkpoint refused"), refused.getMessage());
    assertEquals(found, refused.getCause(), "names the first damage");
    assertThrows(CorruptionException.class, db::compact);
    assertEquals(checkpoints, db.stats().get("store.checkpoints"), "no checkpoint completed");

    StorageException write = assertThrows(StorageException.class, () -> a.put(key(1), value(2)));
    assertEquals(found, write.getCause());
    assertArrayEquals(value(7), a.get(key(7)), "reads go on");

    RuntimeException closing = assertThrows(RuntimeException.class, db::close);
    assertInstanceOf(CorruptionException.class, closing);
    assertTrue(closing.getMessage().contains("without a checkpoint"), closing.getMessage());

    try (DatabaseImpl again = TestSeams.open(dir, options, io)) {
      assertArrayEquals("acknowledged before the damage was found".getBytes(UTF_8),
          again.tree("a").get("late".getBytes(UTF_8)), "replayed from the log");
      for (int i = 0; i < 500; i++) {
        assertArrayEquals(value(i), again.tree("a").get(key(i)));
        assertArrayEquals(value(i), again.tree("b").get(key(i)));
      }
      again.checkpoint();
    }
  }
}
