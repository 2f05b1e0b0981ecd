package dev.sapwood.internal.tree;

import static dev.sapwood.internal.tree.MessageBufferTest.add;
import static dev.sapwood.internal.tree.MessageBufferTest.b;
import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.internal.cache.FrameCache;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.store.Header;
import dev.sapwood.internal.tree.MessageBufferTest.Msg;
import dev.sapwood.internal.util.Compressors;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code node_write.*} counters count, per node write, the partitions the node's last image
 * holds unchanged and their bytes; the {@code flush.leaf_*} counters, each flush into a leaf; the
 * {@code cache.parked_partitions*} counters, per park, the buffers a node decoded from its parked
 * image parks again unchanged.
 */
class PartitionStampsTest {
  private final BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/db/stamps.sap"),
      new Header.Settings(16 << 10, 1 << 10, 4, Compressors.LZ4));
  private final Counters counters = new Counters();
  private final TreeContext ctx = context(counters);

  private TreeContext context(Counters c) {
    return new TreeContext(file, 64 << 20, 16 << 10, 1 << 10, 4, Compressors.LZ4, name -> null, 0, c);
  }

  @AfterEach
  void close() {
    file.close();
  }

  private long count(Counters c, String name) {
    return c.counter(name).sum();
  }

  @Test
  void aLeafWriteCountsTheBasementsItsLastWriteHeldUnchanged() {
    Node leaf = NodeCodecTest.sampleLeaf(file.allocateBlockNumber(), 100);
    leaf.dirty = true;
    ctx.nodes.writeNode(leaf);
    assertEquals(4, count(counters, "node_write.partitions_total"));
    assertEquals(4, count(counters, "node_write.leaf_partitions_total"));
    assertEquals(1, count(counters, "node_write.leaves"));
    assertEquals(0, count(counters, "node_write.partitions_unchanged"), "a first write keeps nothing");

    leaf.basements[2] = NodeCodecTest.basement(20, b("m"), b("melon"));
    leaf.dirty = true;
    ctx.nodes.writeNode(leaf);
    // basements 0 and 3 are kept; 2 is new; 1 is the shared empty basement, never counted as kept
    assertEquals(8, count(counters, "node_write.partitions_total"));
    assertEquals(2, count(counters, "node_write.partitions_unchanged"));
    assertEquals(2, count(counters, "node_write.leaf_partitions_unchanged"));
    long kept = leaf.disk.compressedLength(0) + leaf.disk.compressedLength(3);
    assertEquals(kept, count(counters, "node_write.bytes_unchanged"));
    assertEquals(kept, count(counters, "node_write.leaf_bytes_unchanged"));

    leaf.dirty = true;
    ctx.nodes.writeNode(leaf);
    assertEquals(5, count(counters, "node_write.partitions_unchanged"), "now basement 2 is in the image too");
  }

  @Test
  void aBufferChangedInAnyWayIsNotCountedUnchanged() {
    Node node = NodeCodecTest.sampleInternal(file.allocateBlockNumber(), 2); // six buffers
    node.dirty = true;
    ctx.nodes.writeNode(node);
    add(node.buffers[3], new Msg(MessageType.PUT, 40, b(new String(node.pivots[2]) + "a"), b("v"), null)); // a message added
    node.buffers[4].clear(); // an empty buffer cleared: its records are the same, but it was touched
    node.buffers[0].setMsn(node.buffers[0].point(0), 41); // a record changed in place, as a combine does
    node.dirty = true;
    ctx.nodes.writeNode(node);
    assertEquals(12, count(counters, "node_write.partitions_total"));
    assertEquals(0, count(counters, "node_write.leaf_partitions_total"));
    assertEquals(0, count(counters, "node_write.leaves"));
    assertEquals(3, count(counters, "node_write.partitions_unchanged"), "buffers 1, 2 and 5");
    assertEquals(node.disk.compressedLength(1) + node.disk.compressedLength(2) + node.disk.compressedLength(5),
        count(counters, "node_write.bytes_unchanged"));
    assertEquals(0, count(counters, "node_write.leaf_bytes_unchanged"));
  }

  @Test
  void partitionsReadFromDiskCountAsTheImageTheNodeWasReadFrom() {
    Node leaf = NodeCodecTest.sampleLeaf(file.allocateBlockNumber(), 100);
    leaf.dirty = true;
    ctx.nodes.writeNode(leaf);

    Counters cold = new Counters();
    TreeContext reader = context(cold);
    Node read = reader.cache.pinWrite(leaf.key(), TestLeaves.handBuilt(reader)); // loaded through a parent
    try {
      reader.partitions.loadAll(read);
      read.basements[0] = NodeCodecTest.basement(20, b("a"), b("apricot"));
      read.dirty = true;
      reader.nodes.writeNode(read);
    } finally {
      reader.cache.unpinWrite(read);
    }
    assertEquals(4, count(cold, "node_write.partitions_total"));
    assertEquals(3, count(cold, "node_write.partitions_unchanged"), "basements 1, 2 and 3 as read (1 read empty, an object of its own)");
  }

  @Test
  void aFlushIntoALeafCountsTheBytesMovedTheLeafsSizeAndTheBasementsRebuilt() {
    Node leaf = TestLeaves.handBuilt(ctx, NodeCodecTest.sampleLeaf(file.allocateBlockNumber(), 100));
    long leafBytes = leaf.bytes();
    Basement first = leaf.basements[0];
    MessageBuffer buf = new MessageBuffer();
    add(buf, new Msg(MessageType.PUT, 30, b("n"), b("nectarine"), null));
    add(buf, new Msg(MessageType.PUT, 31, b("o"), b("orange"), null));
    long moved = buf.bytes();
    LeafMerge.apply(ctx, leaf, buf);
    assertEquals(moved, count(counters, "flush.leaf_bytes_in"));
    assertEquals(leafBytes, count(counters, "flush.leaf_bytes_before"));
    assertEquals(4, count(counters, "flush.leaf_basements_total"));
    assertEquals(1, count(counters, "flush.leaf_basements_rebuilt"), "only basement 2 holds [m, t)");
    assertSame(first, leaf.basements[0], "an untouched basement is kept as it was");
  }

  /** A context whose store parks dirty internal nodes (a frame tier to lend it slabs). */
  private TreeContext parkingContext(Counters c) {
    TreeContext t = context(c);
    t.frameCache(new FrameCache(4 << 20, new Counters()));
    return t;
  }

  /** {@code node} as the root of a tree of its own, so that a load through no parent finds its tree. */
  private static Node asRoot(TreeContext t, Node node) {
    node.versions = t.owners.register(node.key());
    node.rows = t.owners.rows(node.key());
    return node;
  }

  /** Loads {@code key} (from its parked image), runs {@code change} on it, and parks it again. */
  private static void unparkChangeAndPark(TreeContext t, long key, java.util.function.Consumer<Node> change) {
    Node node = t.nodes.cache.pinWrite(key);
    try {
      assertTrue(node.dirty, "decoded from its parked image");
      change.accept(node);
    } finally {
      t.nodes.cache.unpinWrite(node);
    }
    assertTrue(t.nodes.cache.parkNow(key), "parked again");
  }

  @Test
  void aParkCountsTheBuffersTheNodeTookBackUnchangedFromItsParkedImage() {
    Counters c = new Counters();
    TreeContext t = parkingContext(c);
    try {
      Node node = asRoot(t, NodeCodecTest.sampleInternal(file.allocateBlockNumber(), 2)); // six buffers
      node.dirty = true;
      t.nodes.cache.insertPinned(node);
      t.nodes.cache.unpinWrite(node);
      assertTrue(t.nodes.cache.parkNow(node.key()));
      assertEquals(6, count(c, "cache.parked_partitions"));
      assertEquals(0, count(c, "cache.parked_partitions_unchanged"), "never decoded from an image");

      unparkChangeAndPark(t, node.key(), n -> { });
      assertEquals(12, count(c, "cache.parked_partitions"));
      assertEquals(6, count(c, "cache.parked_partitions_unchanged"), "taken back and parked untouched");

      unparkChangeAndPark(t, node.key(), n -> {
        add(n.buffers[3], new Msg(MessageType.PUT, 40, b(new String(n.pivots[2]) + "a"), b("v"), null));
        n.buffers[4].clear();
        n.buffers[0].setMsn(n.buffers[0].point(0), 41);
      });
      assertEquals(18, count(c, "cache.parked_partitions"));
      assertEquals(9, count(c, "cache.parked_partitions_unchanged"), "buffers 1, 2 and 5");
      assertEquals(0, count(c, "node_write.partitions_unchanged"), "the file's counters are not the tier's");
    } finally {
      t.closeOffHeap();
    }
  }

  @Test
  void aNodeWrittenToTheFileAfterItsUnparkCountsNothingUnchangedAgainstTheFile() {
    Counters c = new Counters();
    TreeContext t = parkingContext(c);
    try {
      Node node = asRoot(t, NodeCodecTest.sampleInternal(file.allocateBlockNumber(), 0));
      node.dirty = true;
      t.nodes.cache.insertPinned(node);
      t.nodes.cache.unpinWrite(node);
      assertTrue(t.nodes.cache.parkNow(node.key()));
      Node back = t.nodes.cache.pinWrite(node.key());
      try {
        t.nodes.writeNode(back); // the file never held the parked image: nothing is unchanged against it
      } finally {
        t.nodes.cache.unpinWrite(back);
      }
      assertEquals(4, count(c, "node_write.partitions_total"));
      assertEquals(0, count(c, "node_write.partitions_unchanged"));
    } finally {
      t.closeOffHeap();
    }
  }
}
