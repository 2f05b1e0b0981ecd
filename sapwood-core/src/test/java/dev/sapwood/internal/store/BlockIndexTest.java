package dev.sapwood.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The block table's lock-free index: the same answers as a map under random puts, removes and
 * re-puts (with its rebuilds), and readers beside a writer only ever see an entry that was put for
 * the block they asked about, never an older one after a newer.
 */
class BlockIndexTest {
  /** An entry that names its block and version: size = block number, offset = version * 4096. */
  private static BlockTable.Entry entry(long block, long version) {
    return new BlockTable.Entry(version * 4096, (int) block, false);
  }

  @Test
  void answersAsAMapUnderRandomPutsRemovesAndRebuilds() {
    long seed = System.nanoTime();
    System.out.println("BlockIndexTest model seed " + seed);
    Random rnd = new Random(seed);
    BlockIndex index = new BlockIndex();
    Map<Long, BlockTable.Entry> model = new HashMap<>();
    long version = 0;
    for (int step = 0; step < 200_000; step++) {
      long block = 1 + rnd.nextInt(step < 100_000 ? 3_000 : 300); // grows, then churns few numbers
      if (rnd.nextInt(3) == 0) {
        index.remove(block);
        model.remove(block);
      } else {
        BlockTable.Entry e = entry(block, ++version);
        index.put(block, e);
        model.put(block, e);
      }
      long probe = 1 + rnd.nextInt(4_000);
      assertEquals(model.get(probe), index.get(probe), "seed " + seed + " step " + step + " block " + probe);
    }
    assertEquals(model.size(), index.size(), "seed " + seed);
    for (long b = 1; b <= 4_000; b++) {
      assertEquals(model.get(b), index.get(b), "seed " + seed + " block " + b);
    }
    assertNull(index.get(0));
    assertNull(index.get(-5));
    assertNull(index.get(Long.MAX_VALUE));
  }

  @Test
  void readersBesideOneWriterSeeOnlyEntriesOfTheirBlockAndNeverGoBack() throws Exception {
    long seed = System.nanoTime();
    System.out.println("BlockIndexTest concurrent seed " + seed);
    BlockIndex index = new BlockIndex();
    int blocks = 5_000;
    AtomicBoolean done = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> readers = new ArrayList<>();
    long[] lookups = new long[3];
    for (int r = 0; r < 3; r++) {
      int me = r;
      Random rnd = new Random(seed + r + 1);
      Thread t = new Thread(() -> {
        long[] seen = new long[blocks + 1]; // the newest version this reader saw per block
        try {
          while (!done.get()) {
            long b = 1 + rnd.nextInt(blocks);
            BlockTable.Entry e = index.get(b);
            lookups[me]++;
            if (e != null) {
              assertEquals(b, e.size(), "seed " + seed + ": block " + b + " answered with another block's entry");
              long v = e.offset() / 4096;
              assertTrue(v >= seen[(int) b], "seed " + seed + ": block " + b + " went back from version "
                  + seen[(int) b] + " to " + v);
              seen[(int) b] = v;
            }
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      });
      readers.add(t);
      t.start();
    }
    Random rnd = new Random(seed);
    Map<Long, BlockTable.Entry> model = new HashMap<>();
    long version = 0;
    for (int step = 0; step < 400_000 && failure.get() == null; step++) {
      // The numbers in use grow from few to all (rebuilds while reading), then churn.
      long block = 1 + rnd.nextInt(Math.min(blocks, 16 + step / 40));
      if (rnd.nextInt(4) == 0) {
        index.remove(block);
        model.remove(block);
      } else {
        BlockTable.Entry e = entry(block, ++version); // versions only rise, per block too
        index.put(block, e);
        model.put(block, e);
      }
    }
    done.set(true);
    for (Thread t : readers) {
      t.join(60_000);
    }
    if (failure.get() != null) {
      throw new AssertionError(failure.get());
    }
    for (long n : lookups) {
      assertTrue(n > 0, "every reader looked blocks up");
    }
    for (long b = 1; b <= blocks; b++) {
      assertEquals(model.get(b), index.get(b), "seed " + seed + " block " + b);
    }
  }
}
