package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.Tree;
import dev.sapwood.UpdateFunctions;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@link Tree#approximateSize}: the logical row count kept as flushes reach the leaves, stored in
 * the catalog at checkpoints and brought up to date by replay. Exact once the buffers are drained.
 */
class RowCountTest {
  private final MemoryFileIo io = new MemoryFileIo();
  private final Path dir = Path.of("/rows");
  private final Options options = Options.defaults().nodeSize(16 << 10).basementSize(4 << 10).fanout(4)
      .durability(Durability.SYNC).checkpointInterval(Duration.ofHours(1)).syncInterval(Duration.ofHours(1));

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Puts, overwrites, deletes, range deletes and range updates that expire some keys. */
  private static void churn(Tree t, TreeSet<String> model, Random rnd, int ops) {
    for (int i = 0; i < ops; i++) {
      String k = String.format("k%05d", rnd.nextInt(20_000));
      int dice = rnd.nextInt(100);
      if (dice < 70) {
        t.put(b(k), b("v"));
        model.add(k);
      } else if (dice < 95) {
        t.delete(b(k));
        model.remove(k);
      } else if (dice < 98) {
        String end = String.format("k%05d", Integer.parseInt(k.substring(1)) + 50);
        t.deleteRange(b(k), b(end));
        model.subSet(k, end).clear();
      } else {
        t.update(b(k), UpdateFunctions.PUT_IF_ABSENT, b("p"));
        model.add(k);
      }
    }
  }

  @Test
  void theCountIsExactOnceDrainedAndSurvivesACheckpointAReopenAndACrash() {
    Random rnd = new Random(1515);
    TreeSet<String> model = new TreeSet<>();
    DatabaseImpl db = TestSeams.open(dir, options, io);
    Tree t = db.tree("t");
    churn(t, model, rnd, 20_000);
    db.compact();
    assertEquals(model.size(), t.approximateSize(), "after draining");
    churn(t, model, rnd, 5_000);
    db.checkpoint();
    db.close();
    db = TestSeams.open(dir, options, io);
    t = db.tree("t");
    db.compact();
    assertEquals(model.size(), t.approximateSize(), "after a reopen");
    db.checkpoint();
    churn(t, model, rnd, 5_000); // only in the log
    TestSeams.halt(db);
    io.crash();
    db = TestSeams.open(dir, options, io);
    t = db.tree("t");
    db.compact();
    assertEquals(model.size(), t.approximateSize(), "after a crash and replay");
    db.close();
  }

  @Test
  void aDroppedTreeCountsFromZeroWhenMadeAgain() {
    try (DatabaseImpl db = TestSeams.open(dir, options, io)) {
      Tree t = db.tree("t");
      for (int i = 0; i < 3000; i++) {
        t.put(b("k" + i), b("v"));
      }
      db.compact();
      assertEquals(3000, t.approximateSize());
      db.dropTree("t");
      Tree again = db.tree("t");
      assertEquals(0, again.approximateSize());
    }
  }
}
