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
import org.junit.jupiter.api.Test;

/** A point query on a cold tree reads each node's header and one partition per level, no more. */
class PartialFetchTest {
  private static final FunctionResolver BUILT_INS = name -> UpdateFunctions.builtIns().stream()
      .filter(f -> f.name().equals(name)).findFirst().orElseThrow();

  private final MemoryFileIo io = new MemoryFileIo();
  private final BlockFile file = BlockFile.create(io, Path.of("/db/partial.sap"),
      new Header.Settings(16 << 10, 1 << 10, 4, Compressors.LZ4));

  private TreeContext context(Counters counters) {
    return new TreeContext(file, 64 << 20, 16 << 10, 1 << 10, 4, Compressors.LZ4, BUILT_INS, 0, counters);
  }

  private static byte[] key(int i) {
    return String.format("key%07d", i).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] value(int i) {
    byte[] v = new byte[40];
    Arrays.fill(v, (byte) i);
    return v;
  }

  /** Writes keys 0..n-1 in a scattered order through {@code warm} and checkpoints; returns the root. */
  private long writeTree(TreeContext warm, int n) {
    long root = BeTree.create(warm);
    BeTree tree = new BeTree(warm, root);
    for (int i = 0; i < n; i++) {
      tree.put(key((i * 7919) % n), value((i * 7919) % n));
    }
    tree.flushAll(); // every key in its leaf: a get that meets its key's put in a buffer stops there
    warm.nodes.writeDirtyNodes();
    file.checkpoint(root, warm.lastMsn(), 0);
    return root;
  }

  @Test
  void aColdPointQueryFetchesOnePartitionPerLevel() {
    long root = writeTree(context(new Counters()), 20_000);

    Counters counters = new Counters();
    TreeContext cold = context(counters);
    BeTree coldTree = new BeTree(cold, root); // registers the root: its load knows its tree
    Node r = cold.cache.pinRead(root);
    int height = r.height;
    int partitions = r.n;
    cold.cache.unpinRead(r);
    assertTrue(height >= 2, "the test needs a deep tree, got height " + height);
    assertTrue(partitions > 1, "the root needs several partitions");
    long readsBefore = counters.counter("node.read").sum();

    assertArrayEquals(value(4242), coldTree.get(key(4242)));
    assertEquals(height, counters.counter("node.read").sum() - readsBefore,
        "one node header per level below the (already read) root");
    assertEquals(height + 1, counters.counter("cache.partial_fetches").sum()
        + counters.counter("cache.buffer_filter_skips").sum(),
        "one buffer per internal node (none when its filter rules the key out) and one basement of the leaf");

    // A second query on the same path fetches nothing; one elsewhere fetches only what it lacks.
    assertArrayEquals(value(4243), coldTree.get(key(4243)));
    long fetched = counters.counter("cache.partial_fetches").sum();
    assertTrue(fetched <= height + 2, "a neighbouring key shares the path: " + fetched);
    assertNull(coldTree.get("nope".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void pointQueriesPastTheCachePeekFramesUntilAPartitionHasEarnedAFetch() {
    int n = 30_000;
    long root = writeTree(new TreeContext(file, 64 << 20, 256 << 10, 64 << 10, 4, Compressors.LZ4, BUILT_INS, 0, new Counters()), n);

    Counters counters = new Counters();
    // A cache far smaller than the tree (about 3.6 MiB of entries), with room for a few 64 KiB
    // basements: a hot key's path can become resident, a random key's cannot.
    TreeContext cold = new TreeContext(file, 512 << 10, 256 << 10, 64 << 10, 4, Compressors.LZ4, BUILT_INS, 0, counters);
    BeTree coldTree = new BeTree(cold, root);
    java.util.Random rnd = new java.util.Random(3);
    for (int q = 0; q < 2_000; q++) {
      int k = rnd.nextInt(n + 100);
      byte[] got = coldTree.get(key(k));
      if (k < n) {
        assertArrayEquals(value(k), got, "key " + k);
      } else {
        assertNull(got, "key " + k);
      }
    }
    long peeks = counters.counter("cache.frame_peeks").sum();
    assertTrue(peeks > 1_000, "random reads past the cache peek frames: " + peeks);
    assertTrue(cold.cache.usedBytes() <= cold.cache.budget() + (256 << 10),
        "peeks do not fill the cache: " + cold.cache.usedBytes());

    // One key read over and over: its partitions earn a fetch, and reads stop peeking.
    for (int q = 0; q < 200; q++) {
      assertArrayEquals(value(777), coldTree.get(key(777)));
    }
    long before = counters.counter("cache.frame_peeks").sum();
    for (int q = 0; q < 50; q++) {
      assertArrayEquals(value(777), coldTree.get(key(777)));
    }
    assertEquals(before, counters.counter("cache.frame_peeks").sum(), "a hot key's partitions are resident");
  }
}
