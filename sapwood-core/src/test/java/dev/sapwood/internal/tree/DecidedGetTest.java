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
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A get that meets a PUT or DELETE of its key in a buffer on its path (or in the leaf's delta)
 * reads nothing below it: the messages above are newer than everything below for that key. Gets
 * answer as a TreeMap model does, through a warm cache and a cold one, with updates, range deletes
 * and range updates mixed in; and a get decided above the leaf reads no leaf.
 */
class DecidedGetTest {
  private static final FunctionResolver BUILT_INS = name -> UpdateFunctions.builtIns().stream()
      .filter(f -> f.name().equals(name)).findFirst().orElseThrow();
  private static final byte[] APPEND = "sapwood.append".getBytes(StandardCharsets.UTF_8);

  private final BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/db/decided.sap"),
      new Header.Settings(64 << 10, 4 << 10, 8, Compressors.LZ4));

  @AfterEach
  void close() {
    file.close();
  }

  private TreeContext context(long cache, Counters counters) {
    return new TreeContext(file, cache, 64 << 10, 4 << 10, 8, Compressors.LZ4, BUILT_INS, 0, counters);
  }

  private static byte[] key(int i) {
    return String.format("key%07d", i).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String text(byte[] v) {
    return v == null ? null : new String(v, StandardCharsets.ISO_8859_1);
  }

  @Test
  void getsDecidedAboveTheLeafMatchTheModel() {
    long seed = new Random().nextLong();
    System.out.println("DecidedGetTest seed " + seed);
    Random rnd = new Random(seed);
    int space = 30_000;
    TreeMap<Integer, String> model = new TreeMap<>();
    Counters warmCounters = new Counters();
    TreeContext warm = context(64 << 20, warmCounters);
    long root = BeTree.create(warm);
    BeTree tree = new BeTree(warm, root);
    for (int op = 0; op < 80_000; op++) {
      int k = rnd.nextInt(space);
      int what = rnd.nextInt(1000);
      if (what < 650) {
        String v = "v" + op;
        tree.put(key(k), b(v));
        model.put(k, v);
      } else if (what < 800) {
        tree.delete(key(k));
        model.remove(k);
      } else if (what < 990) {
        tree.update(key(k), APPEND, new byte[] {'+'});
        model.merge(k, "+", String::concat);
      } else if (what < 996) {
        int to = Math.min(space, k + 1 + rnd.nextInt(40));
        tree.deleteRange(key(k), key(to));
        model.subMap(k, to).clear();
      } else {
        int to = Math.min(space, k + 1 + rnd.nextInt(40));
        tree.apply(MessageType.UPDATE_RANGE, key(k), RangeUpdates.encode(key(to), new byte[] {'*'}), APPEND);
        model.subMap(k, to).replaceAll((kk, v) -> v + "*");
      }
      if (op % 20_000 == 19_999) {
        warm.nodes.writeDirtyNodes(); // leaves written in between get deltas on later flushes
      }
    }
    for (int q = 0; q < space; q++) {
      assertEquals(model.get(q), text(tree.get(key(q))), "warm, key " + q + " (seed " + seed + ")");
    }
    warm.nodes.writeDirtyNodes();
    file.checkpoint(root, warm.lastMsn(), 0);

    Counters counters = new Counters();
    BeTree cold = new BeTree(context(512 << 10, counters), tree.rootBlock());
    for (int q = 0; q < space; q++) {
      assertEquals(model.get(q), text(cold.get(key(q))), "cold, key " + q + " (seed " + seed + ")");
    }
    long above = warmCounters.counter("read.gets_decided_above_leaf").sum() + counters.counter("read.gets_decided_above_leaf").sum();
    assertTrue(above > 100, "gets decided by a buffer: " + above);
  }

  @Test
  void aGetDecidedInTheRootReadsNoLeaf() {
    TreeContext warm = context(64 << 20, new Counters());
    long root = BeTree.create(warm);
    BeTree tree = new BeTree(warm, root);
    for (int i = 0; i < 20_000; i++) {
      tree.put(key((i * 7919) % 20_000), b("old"));
    }
    tree.flushAll(); // every "old" in a leaf
    warm.nodes.writeDirtyNodes();
    tree.put(key(5), b("new")); // buffered in the root, over the leaf's "old"
    tree.update(key(5), APPEND, new byte[] {'+'});
    tree.delete(key(6));
    tree.update(key(7), APPEND, new byte[] {'+'}); // not decided: the leaf's value is needed
    warm.nodes.writeDirtyNodes();
    file.checkpoint(root, warm.lastMsn(), 0);

    Counters counters = new Counters();
    BeTree cold = new BeTree(context(8 << 20, counters), root);
    long reads = counters.counter("node.read").sum();
    assertEquals("new+", text(cold.get(key(5))));
    assertNull(cold.get(key(6)));
    assertEquals(2, counters.counter("read.gets_decided_above_leaf").sum());
    long internal = counters.counter("node.read").sum() - reads;
    assertEquals(0, counters.counter("cache.basement_frame_peeks").sum() + counters.counter("cache.partial_fetches").sum()
        - counters.counter("cache.buffer_fetches").sum(), "no basement was read");
    assertEquals("old+", text(cold.get(key(7))));
    assertEquals(2, counters.counter("read.gets_decided_above_leaf").sum(), "an update alone needs the leaf");
    assertTrue(counters.counter("node.read").sum() > internal, "the third get read its leaf");
  }
}
