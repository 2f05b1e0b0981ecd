package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.tree.BeTree;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Latching and letting go of a tree's root, which every single put does, allocates nothing: the
 * steps it runs guarded are made once per tree, not as a capturing lambda per latch.
 */
class RootLatchAllocationTest {
  @Test
  void latchingAndReleasingTheRootAllocatesNothing() throws Exception {
    // com.sun.management.ThreadMXBean, found reflectively (the test sources compile inside the
    // module, which does not read jdk.management)
    Method allocatedBytes = Class.forName("com.sun.management.ThreadMXBean").getMethod("getThreadAllocatedBytes", long.class);
    Object mx = ManagementFactory.getThreadMXBean();
    Options options = Options.defaults().durability(Durability.NONE).checkpointInterval(Duration.ofHours(1));
    try (DatabaseImpl db = TestSeams.open(Path.of("/latch"), options, new MemoryFileIo())) {
      BeTree tree = db.own(db.tree("t")).beTree();
      long tid = Thread.currentThread().getId();
      long before = (long) allocatedBytes.invoke(mx, tid);
      for (int i = 0; i < 100_000; i++) {
        tree.latchRoot();
        tree.unlatchRoot();
      }
      long allocated = (long) allocatedBytes.invoke(mx, tid) - before;
      assertTrue(allocated < 100_000, allocated + " bytes allocated by 100,000 root latches");
    }
  }
}
