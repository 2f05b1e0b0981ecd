package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.UpdateFunctions;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.store.Header;
import dev.sapwood.internal.util.Compressors;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a flush into a leaf with a delta touches: on a tree read back from disk (no basement
 * resident), flushes that append leave the leaves' basements on disk and write only the delta
 * segments; each write-back writes the messages appended since as a new segment, once, and
 * never rewrites an older one; past the segment cap a flush consolidates; a get skips the segments
 * whose filter rules its key out; with the ratio at 0 no flush appends (a flush into a leaf with a
 * delta consolidates it).
 */
class LeafDeltaFlushTest {
  private static final FunctionResolver BUILT_INS = name -> UpdateFunctions.builtIns().stream()
      .filter(f -> f.name().equals(name)).findFirst().orElseThrow();

  private final BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/db/deltas.sap"),
      new Header.Settings(16 << 10, 1 << 10, 4, Compressors.LZ4));

  @AfterEach
  void close() {
    file.close();
  }

  /** The highest MSN the tree written by {@link #writeTree} used. */
  private long lastMsn;

  private TreeContext context(Counters counters) {
    return new TreeContext(file, 64 << 20, 16 << 10, 1 << 10, 4, Compressors.LZ4, BUILT_INS, lastMsn, counters);
  }

  private static byte[] key(int i) {
    return String.format("key%07d", i).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] value(int i, int round) {
    byte[] v = new byte[40];
    Arrays.fill(v, (byte) (i + round));
    return v;
  }

  private long writeTree(int n) {
    TreeContext warm = context(new Counters());
    long root = BeTree.create(warm);
    BeTree tree = new BeTree(warm, root);
    for (int i = 0; i < n; i++) {
      int k = (i * 7919) % n;
      tree.put(key(k), value(k, 0));
    }
    warm.nodes.writeDirtyNodes();
    file.checkpoint(root, warm.lastMsn(), 0);
    lastMsn = warm.lastMsn();
    return root;
  }

  @Test
  void flushesIntoLeavesReadFromDiskAppendWithoutLoadingTheBasements() {
    int n = 20_000;
    long root = writeTree(n);
    Counters counters = new Counters();
    TreeContext cold = context(counters);
    BeTree tree = new BeTree(cold, root);
    for (int i = 0; i < 20_000; i++) {
      int k = (i * 104_729) % n;
      tree.put(key(k), value(k, 1));
    }
    long appends = counters.counter("flush.leaf_delta_appends").sum();
    assertTrue(appends > 10, "flushes appended to deltas: " + appends);
    AtomicInteger untouched = new AtomicInteger();
    cold.cache.forEach(node -> {
      if (node.height == 0 && node.deltaDirty && !node.dirty) {
        boolean none = true;
        for (int i = 0; i < node.n; i++) {
          none &= !node.loaded(i);
        }
        if (none) {
          untouched.incrementAndGet();
        }
      }
    });
    assertTrue(untouched.get() > 0, "leaves that took flushes into their deltas with no basement loaded");
    long leafBytesBefore = counters.counter("node.leaf_bytes_written").sum();
    long deltaBytesBefore = counters.counter("node_write.delta_bytes").sum();
    cold.nodes.writeDirtyNodes();
    long deltaBytes = counters.counter("node_write.delta_bytes").sum() - deltaBytesBefore;
    assertTrue(deltaBytes > 0, "delta blocks written");
    for (int i = 0; i < n; i += 13) {
      int k = i;
      boolean second = false;
      for (int j = 0; j < 20_000 && !second; j++) {
        second = (j * 104_729) % n == k;
      }
      assertArrayEquals(value(k, second ? 1 : 0), tree.get(key(k)), "key " + k);
    }
    assertTrue(counters.counter("node.leaf_bytes_written").sum() - leafBytesBefore >= deltaBytes);
  }

  @Test
  void leavesMadeByASplitHaveADeltaSoTheirFirstFlushAppends() {
    Counters counters = new Counters();
    TreeContext ctx = context(counters);
    long root = BeTree.create(ctx);
    BeTree tree = new BeTree(ctx, root);
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      int k = (i * 7919) % n;
      tree.put(key(k), value(k, 0));
    }
    assertTrue(counters.counter("split.leaf").sum() > 20, "leaf splits: " + counters.snapshot());
    AtomicInteger leaves = new AtomicInteger();
    ctx.cache.forEach(node -> {
      if (node.height == 0 && node.bytes() >= ctx.nodeSize / 4) {
        leaves.incrementAndGet();
        assertTrue(node.deltaBlock != 0, "leaf " + node.key() + " of " + node.bytes() + " bytes has no delta");
      }
    });
    assertTrue(leaves.get() > 20, "leaves of at least a quarter node: " + leaves.get());
    assertTrue(counters.counter("flush.leaf_delta_appends").sum() > 0, "no flush appended: " + counters.snapshot());
    ctx.nodes.writeDirtyNodes();
    TreeVerifier.verify(ctx, root);
    for (int k = 0; k < n; k += 7) {
      assertArrayEquals(value(k, 0), tree.get(key(k)), "key " + k);
    }
  }

  @Test
  void aRatioOfZeroRewritesLeavesWholeAsBefore() {
    int n = 20_000;
    long root = writeTree(n);
    Counters counters = new Counters();
    TreeContext cold = context(counters);
    cold.leafDeltaRatio(0);
    BeTree tree = new BeTree(cold, root);
    for (int i = 0; i < 20_000; i++) {
      int k = (i * 104_729) % n;
      tree.put(key(k), value(k, 1));
    }
    assertTrue(counters.counter("flush.to_leaf").sum() > 20);
    assertEquals(0, counters.counter("flush.leaf_delta_appends").sum(), "no appends with the ratio at 0");
    TreeVerifier.verify(cold, root);
    assertArrayEquals(value(0, 1), tree.get(key(0)));
  }

  @Test
  void aCursorOverALeafWhoseDeltaIsOnDiskReadsOnlyTheFramesOfItsChunk() {
    int n = 20_000;
    long root = writeTree(n);
    TreeContext warm = context(new Counters());
    BeTree tree = new BeTree(warm, root);
    for (int i = 0; i < n; i++) { // 104,729 is prime: every key once, in scattered order
      int k = (int) ((i * 104_729L) % n);
      tree.put(key(k), value(k, 1));
    }
    warm.nodes.writeDirtyNodes();
    file.checkpoint(root, warm.lastMsn(), 0);
    lastMsn = warm.lastMsn();
    Counters counters = new Counters();
    // A cache far below the tree: no room to fetch a delta whole, so a chunk reads what it needs.
    TreeContext cold = new TreeContext(file, 256 << 10, 16 << 10, 1 << 10, 4, Compressors.LZ4, BUILT_INS, lastMsn, counters);
    BeTree coldTree = new BeTree(cold, root);
    for (int k = 0; k < n; k += 397) {
      Chunk c = coldTree.readForward(key(k), 16);
      assertTrue(c.size() > 0, "a chunk from key " + k);
      for (int j = 0; j < c.size(); j++) {
        assertArrayEquals(key(k + j), c.key(j), "key " + (k + j));
        assertArrayEquals(value(k + j, 1), c.value(j), "value of key " + (k + j));
      }
    }
    // Deltas of one frame are read whole (that is one frame); the others were fetched whole by
    // every chunk before (no peek at all).
    assertTrue(counters.counter("cache.delta_peeks").sum() > 0, "no chunk read part of a delta");
  }

  /** Rounds of scattered puts into a tree read back from disk, each followed by a write-back of every dirty node. */
  private int roundsOfPutsWithWriteBacks(BeTree tree, TreeContext ctx, int n, int rounds, int perRound,
      java.util.Set<String> written) {
    AtomicInteger most = new AtomicInteger();
    java.util.Map<DeltaSegment, Long> segmentExtents = new java.util.IdentityHashMap<>();
    for (int r = 1; r <= rounds; r++) {
      for (int i = 0; i < perRound; i++) {
        int k = (int) (((long) (r * perRound + i) * 104_729L) % n);
        tree.put(key(k), value(k, r));
      }
      ctx.nodes.writeDirtyNodes();
      java.util.Set<DeltaSegment> listed = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
      ctx.cache.forEach(node -> {
        if (node.height == 0 && node.segments != null) {
          assertTrue(node.segments.length <= LeafDeltas.MAX_SEGMENTS, "segments " + node.segments.length);
          most.accumulateAndGet(node.segments.length, Math::max);
          for (DeltaSegment s : node.segments) {
            listed.add(s);
            Long at = segmentExtents.putIfAbsent(s, file.blockOffset(s.block));
            assertTrue(at == null || at == file.blockOffset(s.block), "segment " + s.block + " was rewritten");
            written.add(s.block + "@" + file.blockOffset(s.block));
          }
        }
      });
      segmentExtents.keySet().retainAll(listed); // a consolidated segment's number may be handed out again
    }
    return most.get();
  }

  @Test
  void eachWriteBackAddsASegmentWrittenOnceAndPastTheCapAFlushConsolidates() {
    int n = 20_000;
    long root = writeTree(n);
    Counters counters = new Counters();
    TreeContext cold = context(counters);
    cold.leafDeltaRatio(8); // small nodes of fanout 4 take flushes of about half a leaf: room for many segments
    BeTree tree = new BeTree(cold, root);
    java.util.Set<String> extents = new java.util.HashSet<>();
    int most = roundsOfPutsWithWriteBacks(tree, cold, n, 40, 1_500, extents);
    assertTrue(most >= 3, "most segments a leaf had: " + most + "; " + counters.snapshot());
    assertTrue(extents.size() > 20, "segments written: " + extents.size());
    assertTrue(counters.counter("flush.leaf_consolidations").sum() > 0, "consolidations; most segments " + most + "; " + counters.snapshot());
    long segmentBytes = counters.counter("node_write.delta_bytes").sum() - counters.counter("node_write.delta_index_bytes").sum();
    long appended = counters.counter("flush.leaf_delta_bytes_in").sum();
    assertTrue(segmentBytes <= appended, "segment bytes written " + segmentBytes + " for " + appended + " bytes appended");
    TreeVerifier.verify(cold, root);
    for (int k = 0; k < n; k += 7) {
      assertArrayEquals(value(k, lastRound(k, n, 40)), tree.get(key(k)), "key " + k);
    }
  }

  @Test
  void aConsolidationGivesTheBlocksOfWhatItMergedBackToThePoolAndTheLeafHoldsEveryMessage() {
    TreeContext ctx = context(new Counters());
    long root = BeTree.create(ctx);
    BeTree tree = new BeTree(ctx, root);
    java.util.List<Node> leaves = new java.util.ArrayList<>();
    ctx.cache.forEach(node -> {
      if (node.height == 0) {
        leaves.add(node);
      }
    });
    assertEquals(1, leaves.size(), "a new tree has one leaf");
    Node leaf = leaves.get(0);
    MessageBuffer written = BlockPoolTest.filled("f", 2000, (byte) 6); // a segment read back whole
    MessageBuffer unwritten = BlockPoolTest.filled("g", 2000, (byte) 7); // the messages since
    leaf.deltaBlock = file.allocateBlockNumber();
    leaf.segments = new DeltaSegment[] {DeltaSegment.of(file.allocateBlockNumber(), written, (int) written.bytes())};
    leaf.delta = unwritten;
    leaf.deltaTailBlock = file.allocateBlockNumber();
    int blocks = BlockPoolTest.blocksOf(written).size() + BlockPoolTest.blocksOf(unwritten).size();
    assertTrue(blocks >= 20, "both grew past their heads: " + blocks + " blocks");
    long givenBefore = BlockPool.givenBlocks();
    ctx.deltas.consolidate(leaf);
    long given = BlockPool.givenBlocks() - givenBefore;
    assertTrue(given >= blocks, "the merged buffers' " + blocks + " blocks went back to the pool: " + given);
    assertEquals(0, leaf.segments.length, "the delta was consolidated");
    byte[] six = new byte[100];
    byte[] seven = new byte[100];
    Arrays.fill(six, (byte) 6);
    Arrays.fill(seven, (byte) 7);
    for (int i = 0; i < 2000; i++) {
      assertArrayEquals(six, tree.get(String.format("f%08d", i).getBytes(StandardCharsets.UTF_8)), "segment key " + i);
      assertArrayEquals(seven, tree.get(String.format("g%08d", i).getBytes(StandardCharsets.UTF_8)), "unwritten key " + i);
    }
  }

  @Test
  void aGetSkipsTheSegmentsWhoseFilterRulesItsKeyOut() {
    int n = 20_000;
    long root = writeTree(n);
    TreeContext warm = context(new Counters());
    warm.leafDeltaRatio(8);
    BeTree tree = new BeTree(warm, root);
    roundsOfPutsWithWriteBacks(tree, warm, n, 4, 1_500, new java.util.HashSet<>());
    file.checkpoint(root, warm.lastMsn(), 0);
    lastMsn = warm.lastMsn();
    Counters counters = new Counters();
    TreeContext cold = new TreeContext(file, 256 << 10, 16 << 10, 1 << 10, 4, Compressors.LZ4, BUILT_INS, lastMsn, counters);
    BeTree coldTree = new BeTree(cold, root);
    for (int k = 0; k < n; k += 11) {
      assertArrayEquals(value(k, lastRound(k, n, 4)), coldTree.get(key(k)), "key " + k);
    }
    long skips = counters.counter("cache.delta_filter_skips").sum();
    long passes = counters.counter("cache.delta_filter_passes").sum();
    assertTrue(skips > passes, "filter skips " + skips + ", passes " + passes);
  }

  /** The last of rounds 1..{@code rounds} of 1,500 puts (key {@code (r * 1500 + i) * 104729 % n}) that wrote key k; 0: none. */
  private static int lastRound(int k, int n, int rounds) {
    int last = 0;
    for (int r = 1; r <= rounds; r++) {
      for (int i = 0; i < 1_500; i++) {
        if ((int) (((long) (r * 1_500 + i) * 104_729L) % n) == k) {
          last = r;
        }
      }
    }
    return last;
  }
}
