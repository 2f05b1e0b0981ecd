package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.sapwood.UpdateFunctions;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.util.Compressors;
import dev.sapwood.internal.store.Header;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A root flush queued for a background thread that runs only after its tree was destroyed (the
 * tree dropped meanwhile) does nothing: it must not pin the freed root block (which found
 * "damage" and stopped every later write of the database).
 */
class DroppedTreeFlushTest {
  private static final FunctionResolver BUILT_INS = name -> UpdateFunctions.builtIns().stream()
      .filter(f -> f.name().equals(name)).findFirst().orElseThrow();

  @Test
  void aFlushQueuedBeforeTheTreeWasDestroyedDoesNothing() {
    BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/db/dropped.sap"),
        new Header.Settings(16 << 10, 1 << 10, 4, Compressors.LZ4));
    TreeContext ctx = new TreeContext(file, 64 << 20, 16 << 10, 1 << 10, 4, Compressors.LZ4, BUILT_INS, 0,
        new Counters());
    List<Runnable> queued = new ArrayList<>();
    ctx.setBackground(task -> queued.add(task));
    BeTree tree = new BeTree(ctx, BeTree.create(ctx));
    byte[] value = new byte[40];
    for (int i = 0; i < 200_000 && queued.isEmpty(); i++) {
      byte[] key = String.format("key%07d", (i * 7919) % 200_000).getBytes(StandardCharsets.UTF_8);
      tree.apply(MessageType.PUT, key, value, null);
    }
    assertFalse(queued.isEmpty(), "no root flush was queued");
    tree.destroy();
    for (Runnable task : queued) {
      assertDoesNotThrow(task::run);
    }
    file.close();
  }
}
