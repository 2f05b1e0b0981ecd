package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.internal.cache.CacheBackend.Shrink;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.store.Header;
import dev.sapwood.internal.util.Compressors;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Partial eviction drops the partitions readers did not use since the last pass, and only those. */
class NodeBackendTest {
  private final BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/db/backend.sap"),
      new Header.Settings(16 << 10, 1 << 10, 4, Compressors.LZ4));
  private final TreeContext ctx = new TreeContext(file, 64 << 20, 16 << 10, 1 << 10, 4, Compressors.LZ4,
      name -> null, 0, new Counters());

  @AfterEach
  void close() {
    file.close();
  }

  /** {@code n} written to its block and read back: a clean node with a directory and no partition in memory. */
  private Node writtenAndReadBack(Node n) {
    NodeWriter.Result r = NodeWriter.write(n, Compressors.LZ4);
    file.writeBlock(n.key(), r.block(), 0, r.block().length);
    return NodeReader.read(file, n.key());
  }

  @Test
  void aPassKeepsUsedPartitionsOnceAndDropsTheRest() {
    Node leaf = NodeCodecTest.sampleLeaf(file.allocateBlockNumber(), 100);
    Node node = writtenAndReadBack(leaf);
    for (int i = 0; i < node.n; i++) {
      node.basements[i] = PartitionReader.readBasement(file, node.key(), node.disk, i);
    }
    node.markUsed(2);
    NodeBackend backend = new NodeBackend(ctx.file, ctx.counters, ctx.nodes, ctx.owners);
    assertTrue(backend.holdsParts(node));
    assertEquals(Shrink.SHRUNK, backend.shrink(node));
    for (int i = 0; i < node.n; i++) {
      assertEquals(i == 2, node.loaded(i), "basement " + i + " after the first pass");
    }
    assertEquals(Shrink.SHRUNK, backend.shrink(node), "unused since the last pass: dropped");
    assertFalse(backend.holdsParts(node));
    assertEquals(Shrink.NOTHING, backend.shrink(node), "a shell has nothing to drop");

    node.basements[1] = PartitionReader.readBasement(file, node.key(), node.disk, 1);
    node.markUsed(1);
    assertEquals(Shrink.IN_USE, backend.shrink(node), "only used partitions: kept, unmarked");
    assertTrue(node.loaded(1));
  }

  @Test
  void aPassOverAnInternalNodeDropsItsUnusedBuffersOnly() {
    Node written = NodeCodecTest.sampleInternal(file.allocateBlockNumber(), 0);
    Node node = writtenAndReadBack(written);
    for (int i = 0; i < node.n; i++) {
      node.buffers[i] = PartitionReader.readBuffer(file, node.key(), node.disk, i);
    }
    node.markUsed(0);
    node.markUsed(3);
    NodeBackend backend = new NodeBackend(ctx.file, ctx.counters, ctx.nodes, ctx.owners);
    assertEquals(Shrink.SHRUNK, backend.shrink(node));
    for (int i = 0; i < node.n; i++) {
      assertEquals(i == 0 || i == 3, node.loaded(i), "buffer " + i + " after the first pass");
      assertNull(node.basements, "an internal node has no basements");
    }
    assertEquals(Shrink.SHRUNK, backend.shrink(node), "unused since the last pass: dropped");
    assertFalse(backend.holdsParts(node));
  }

  @Test
  void aDirtyNodeIsNeverShrunk() {
    Node leaf = NodeCodecTest.sampleLeaf(file.allocateBlockNumber(), 100);
    leaf.dirty = true;
    assertEquals(Shrink.NOTHING, new NodeBackend(ctx.file, ctx.counters, ctx.nodes, ctx.owners).shrink(leaf));
    for (int i = 0; i < leaf.n; i++) {
      assertTrue(leaf.loaded(i));
    }
  }

  private static void assertPoisoned(List<byte[]> blocks, String what) {
    assertFalse(blocks.isEmpty(), what + ": the buffer grew past its head (tests need blocks)");
    for (byte[] b : blocks) {
      for (byte x : b) {
        assertEquals(BlockPool.POISON, x, what + ": a block given back holds none of its old records");
      }
    }
  }

  private static void assertIntact(MessageBuffer buf, String prefix, String what) {
    for (int i = 0; i < buf.pointCount(); i++) {
      assertArrayEquals(String.format("%s%08d", prefix, i).getBytes(), buf.copyKey(buf.point(i)), what + ", record " + i);
    }
  }

  @Test
  void aPassGivesTheBlocksOfTheBuffersItDropsBackToThePoolAndKeepsTheUsedOnes() {
    assertTrue(BlockPool.class.desiredAssertionStatus(), "the tests run with assertions (poisoning on)");
    Node written = NodeCodecTest.sampleInternal(file.allocateBlockNumber(), 0);
    Node node = writtenAndReadBack(written);
    node.buffers[0] = BlockPoolTest.filled("a", 2000, (byte) 1);
    node.buffers[1] = BlockPoolTest.filled("b", 2000, (byte) 2);
    node.markUsed(0);
    List<byte[]> dropped = BlockPoolTest.blocksOf(node.buffers[1]);
    MessageBuffer used = node.buffers[0];
    assertEquals(Shrink.SHRUNK, new NodeBackend(ctx.file, ctx.counters, ctx.nodes, ctx.owners).shrink(node));
    assertFalse(node.loaded(1));
    assertPoisoned(dropped, "the unused buffer the pass dropped");
    assertIntact(used, "a", "the used buffer it kept");
  }

  @Test
  void aPassGivesTheBlocksOfTheDeltaSegmentsItDropsBackAndKeepsTheUsedOnes() {
    Node leaf = NodeCodecTest.sampleLeaf(file.allocateBlockNumber(), 100);
    Node node = writtenAndReadBack(leaf);
    DeltaSegment unused = DeltaSegment.of(file.allocateBlockNumber(), BlockPoolTest.filled("c", 2000, (byte) 3), 1);
    DeltaSegment used = DeltaSegment.of(file.allocateBlockNumber(), BlockPoolTest.filled("d", 2000, (byte) 4), 1);
    used.used = true;
    node.segments = new DeltaSegment[] {unused, used};
    List<byte[]> dropped = BlockPoolTest.blocksOf(unused.buf);
    assertEquals(Shrink.SHRUNK, new NodeBackend(ctx.file, ctx.counters, ctx.nodes, ctx.owners).shrink(node));
    assertNull(unused.buf, "the unused segment was dropped");
    assertPoisoned(dropped, "the unused segment the pass dropped");
    assertIntact(used.buf, "d", "the used segment it kept");
  }

  @Test
  void aLeafThatLeavesTheCacheGivesItsDeltaSegmentsBlocksBack() {
    Node leaf = NodeCodecTest.sampleLeaf(file.allocateBlockNumber(), 100);
    DeltaSegment s = DeltaSegment.of(file.allocateBlockNumber(), BlockPoolTest.filled("e", 2000, (byte) 5), 1);
    leaf.segments = new DeltaSegment[] {s};
    List<byte[]> blocks = BlockPoolTest.blocksOf(s.buf);
    new NodeBackend(ctx.file, ctx.counters, ctx.nodes, ctx.owners).left(leaf);
    assertPoisoned(blocks, "the delta segment of a leaf that left the cache");
  }
}
