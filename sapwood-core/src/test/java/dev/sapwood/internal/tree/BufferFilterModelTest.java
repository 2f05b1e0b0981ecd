package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.UpdateFunctions;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.store.Header;
import dev.sapwood.internal.util.Compressors;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A buffer's filter never hides a message of the key a get asks for: gets on a tree written to
 * disk and read back through a cache far smaller than its buffers (so they are peeked or skipped,
 * not resident) answer as a TreeMap model does, for present, deleted, range-deleted, updated and
 * never-written keys.
 */
class BufferFilterModelTest {
  private static final FunctionResolver BUILT_INS = name -> UpdateFunctions.builtIns().stream()
      .filter(f -> f.name().equals(name)).findFirst().orElseThrow();
  private static final byte[] APPEND = "sapwood.append".getBytes(StandardCharsets.UTF_8);

  private final BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/db/filtered.sap"),
      new Header.Settings(64 << 10, 4 << 10, 8, Compressors.LZ4));

  private TreeContext context(long cache, Counters counters) {
    return new TreeContext(file, cache, 64 << 10, 4 << 10, 8, Compressors.LZ4, BUILT_INS, 0, counters);
  }

  private static byte[] key(int i) {
    return String.format("key%07d", i).getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] v) {
    return v == null ? null : new String(v, StandardCharsets.ISO_8859_1);
  }

  @Test
  void getsThroughFilteredBuffersPastTheCacheMatchTheModel() {
    long seed = new Random().nextLong();
    System.out.println("BufferFilterModelTest seed " + seed);
    Random rnd = new Random(seed);
    int space = 40_000;
    TreeMap<Integer, String> model = new TreeMap<>();
    TreeContext warm = context(64 << 20, new Counters());
    long root = BeTree.create(warm);
    BeTree tree = new BeTree(warm, root);
    for (int op = 0; op < 60_000; op++) {
      int k = rnd.nextInt(space);
      int what = rnd.nextInt(100);
      if (what < 70) {
        String v = "v" + op + "-" + "x".repeat(rnd.nextInt(40));
        tree.put(key(k), v.getBytes(StandardCharsets.ISO_8859_1));
        model.put(k, v);
      } else if (what < 85) {
        tree.delete(key(k));
        model.remove(k);
      } else if (what < 99) {
        tree.update(key(k), APPEND, new byte[] {'+'});
        model.merge(k, "+", String::concat);
      } else {
        int to = Math.min(space, k + 1 + rnd.nextInt(50));
        tree.deleteRange(key(k), key(to));
        model.subMap(k, to).clear();
      }
    }
    warm.nodes.writeDirtyNodes();
    file.checkpoint(root, warm.lastMsn(), 0);

    Counters counters = new Counters();
    TreeContext cold = context(256 << 10, counters); // far below the tree's buffers: they are peeked, or skipped
    BeTree coldTree = new BeTree(cold, tree.rootBlock());
    for (int round = 0; round < 2; round++) {
      for (int k = 0; k < space + 100; k++) {
        int q = round == 0 ? k : rnd.nextInt(space + 100);
        assertEquals(model.get(q), text(coldTree.get(key(q))), "key " + q + " (seed " + seed + ")");
      }
    }
    long skips = counters.counter("cache.buffer_filter_skips").sum();
    long passes = counters.counter("cache.buffer_filter_passes").sum();
    assertTrue(skips > 1_000, "filters let gets skip buffers: " + skips);
    assertTrue(passes > 1_000, "and let the keys buffers hold through: " + passes);
    assertEquals(counters.counter("cache.frame_peeks").sum(),
        counters.counter("cache.buffer_frame_peeks").sum() + counters.counter("cache.basement_frame_peeks").sum(),
        "frame peeks are buffer peeks and basement peeks");
  }

  @Test
  void aSkippedBufferStillGivesItsRangeMessages() {
    TreeContext warm = context(64 << 20, new Counters());
    long root = BeTree.create(warm);
    BeTree tree = new BeTree(warm, root);
    Map<Integer, String> model = new TreeMap<>();
    for (int i = 0; i < 20_000; i++) {
      int k = (i * 7919) % 20_000;
      tree.put(key(k), ("v" + k).getBytes(StandardCharsets.ISO_8859_1));
      model.put(k, "v" + k);
    }
    warm.nodes.writeDirtyNodes();
    // A range delete after the keys: it stays in the root's buffer beside other point messages.
    for (int i = 0; i < 200; i++) {
      tree.put(key(30_000 + i), b("late"));
    }
    tree.deleteRange(key(1_000), key(1_100));
    warm.nodes.writeDirtyNodes();
    file.checkpoint(root, warm.lastMsn(), 0);

    Counters counters = new Counters();
    BeTree cold = new BeTree(context(256 << 10, counters), root);
    for (int k = 0; k < 20_000; k++) { // the first gets fill the small cache; later ones peek or skip
      assertEquals(k >= 1_000 && k < 1_100 ? null : model.get(k), text(cold.get(key(k))), "key " + k);
    }
    assertArrayEquals(b("late"), cold.get(key(30_005)));
    assertTrue(counters.counter("cache.buffer_filter_skips").sum() > 0, "some buffer was skipped");
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** The bits per key the writer spends give about 1% false positives, as the filter's Javadoc says. */
  @Test
  void filtersOfAWrittenNodeHaveFewFalsePositives() {
    MessageBuffer buf = new MessageBuffer();
    for (int i = 0; i < 5_000; i++) {
      MessageBufferTest.add(buf, new MessageBufferTest.Msg(MessageType.PUT, i + 1, key(2 * i), b("v"), null));
    }
    KeyFilter f = KeyFilter.of(buf, KeyFilter.BITS_PER_KEY);
    int fp = 0;
    for (int i = 0; i < 5_000; i++) {
      assertTrue(f.mayContain(key(2 * i)));
      fp += f.mayContain(key(2 * i + 1)) ? 1 : 0;
    }
    assertTrue(fp < 5_000 * 3 / 100, "false positives: " + fp);
    KeyFilter small = KeyFilter.of(buf, BufferFilters.MIN_BITS_PER_KEY);
    assertEquals(3, small.hashes());
    for (int i = 0; i < 5_000; i++) {
      assertTrue(small.mayContain(key(2 * i)));
    }
  }
}
