package dev.sapwood;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hot key's read cost stays flat however long it is updated blindly: after every few of many
 * ADD_LONG updates of one key (among puts of other keys, so that buffers flush and the tree grows
 * several levels), a get of it applies no more than a handful of buffered messages — counted by
 * the read.* status counters, not timed. Without the folding of a key's buffered messages it
 * applied one per update still buffered: thousands.
 */
class HotKeyReadCostTest {
  /** Most buffered messages one get of the hot key may apply: one or two per level of a short tree. */
  static final long MAX_MESSAGES_PER_GET = 8;

  @Test
  void aHotKeysGetAppliesAFewMessagesAfter100kBlindUpdates(@TempDir Path dir) {
    run(dir, 100_000);
  }

  @Test
  @Tag("stress")
  void aHotKeysGetAppliesAFewMessagesAfter1mBlindUpdates(@TempDir Path dir) {
    run(dir, 1_000_000);
  }

  private static void run(Path dir, int updates) {
    long seed = Long.getLong("sapwood.hotkey.seed", System.nanoTime());
    System.out.println("HotKeyReadCostTest seed=" + seed);
    Random rnd = new Random(seed);
    byte[] hot = "hot".getBytes(StandardCharsets.UTF_8);
    try (Database db = Database.open(dir, Options.defaults().nodeSize(64 << 10).basementSize(8 << 10).durability(Durability.NONE))) {
      Tree tree = db.tree("t");
      long most = 0;
      long gets = 0;
      for (int i = 1; i <= updates; i++) {
        tree.update(hot, UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(1));
        if (i % 4 == 0) {
          tree.put(String.format("k%08d", rnd.nextInt(updates)).getBytes(StandardCharsets.UTF_8), new byte[40]);
        }
        if (i % 97 == 0 || i == updates) {
          long before = db.stats().get("read.get_messages_applied");
          assertEquals(i, UpdateFunctions.toLong(tree.get(hot)), "after " + i + " updates");
          most = Math.max(most, db.stats().get("read.get_messages_applied") - before);
          gets++;
        }
      }
      System.out.println("HotKeyReadCostTest: " + updates + " updates, " + gets + " gets, at most " + most
          + " messages applied by one get");
      assertTrue(most <= MAX_MESSAGES_PER_GET, "a get applied " + most + " messages");
      assertTrue(db.stats().get("tree.messages_combined") >= updates / 2, "updates were not combined");
    }
  }
}
