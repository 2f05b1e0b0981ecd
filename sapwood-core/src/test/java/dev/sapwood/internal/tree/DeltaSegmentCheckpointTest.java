package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.UpdateFunctions;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.store.Header;
import dev.sapwood.internal.util.Compressors;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A checkpoint's image never names a segment block whose number was handed out again: leaf A's
 * index in the image names segment S; while the checkpoint is written A consolidates (S freed, its
 * number free again at once) and leaf B, which the checkpoint waits for, writes its new segment
 * into the image. B's segment must not take S's number (it would replace S in the image, and A's
 * index there would name B's messages): the number is taken at B's first append, before the
 * checkpoint began. After a crash the image reads back whole, A's delta included.
 */
class DeltaSegmentCheckpointTest {
  private static final FunctionResolver BUILT_INS = name -> UpdateFunctions.builtIns().stream()
      .filter(f -> f.name().equals(name)).findFirst().orElseThrow();
  private static final Path PATH = Path.of("/db/segments.sap");

  private static byte[] key(int i) {
    return String.format("key%07d", i).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aSegmentFreedDuringACheckpointIsNotReplacedInItsImage() {
    MemoryFileIo mem = new MemoryFileIo();
    BlockFile file = BlockFile.create(mem, PATH, new Header.Settings(16 << 10, 1 << 10, 4, Compressors.LZ4));
    TreeContext ctx = new TreeContext(file, 64 << 20, 16 << 10, 1 << 10, 4, Compressors.LZ4, BUILT_INS, 0, new Counters());
    ctx.leafDeltaRatio(8);
    long root = BeTree.create(ctx);
    BeTree tree = new BeTree(ctx, root);
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      tree.put(key((int) ((i * 7919L) % n)), new byte[40]);
    }
    ctx.nodes.writeDirtyNodes();
    List<Node> withSegments = new ArrayList<>();
    List<Node> withIndex = new ArrayList<>();
    for (int r = 1; r <= 12 && withSegments.isEmpty(); r++) {
      for (int i = 0; i < 1_500; i++) {
        tree.put(key((int) (((long) (r * 1_500 + i) * 104_729L) % n)), new byte[] {(byte) r});
      }
      ctx.nodes.writeDirtyNodes();
      withSegments.clear();
      withIndex.clear();
      ctx.cache.forEach(node -> {
        if (node.height == 0 && node.deltaBlock != 0 && node.segments != null && node.basements[0] != null) {
          (node.segments.length > 0 ? withSegments : withIndex).add(node);
        }
      });
    }
    assertTrue(!withSegments.isEmpty(), "a leaf with a segment");
    Node a = withSegments.get(0);
    Node b = null;
    for (Node x : withIndex.isEmpty() ? withSegments : withIndex) {
      b = x != a ? x : b;
    }
    assertNotNull(b, "a second leaf with a delta index");
    long leafA = a.key();
    long segmentA = a.segments[0].block;

    // B takes a message into its delta (its unwritten segment) before the checkpoint begins.
    Node pinnedB = ctx.cache.pinWrite(b.key());
    MessageBuffer buf = new MessageBuffer();
    byte[] k = pinnedB.basements[0].key(0);
    byte[] v = {42};
    buf.add(MessageType.PUT, ctx.lastMsn() + 1, k, 0, k.length, v, 0, 1, null);
    ctx.deltas.append(pinnedB, buf);
    ctx.cache.unpinWrite(pinnedB);
    // Every free number handed out, so a number freed from now on is the next one handed out.
    long top = 0;
    for (long m : file.mappedBlocks()) {
      top = Math.max(top, m);
    }
    while (file.allocateBlockNumber() < top) {
      // drain
    }

    long[] pending = ctx.nodes.markPending();
    file.beginCheckpoint();
    Node pinnedA = ctx.cache.pinWrite(leafA);
    ctx.partitions.prepareChange(pinnedA); // consolidates: A's segments are freed
    ctx.cache.unpinWrite(pinnedA);
    ctx.nodes.writePending(pending); // B's new segment goes into the image
    file.completeCheckpoint(root, ctx.lastMsn() + 1, 0);
    mem.crash();

    try (BlockFile reopened = BlockFile.open(mem, PATH)) {
      NodeInspector leaf = NodeInspector.read(reopened, leafA);
      assertTrue(leaf.deltaSegments().stream().anyMatch(s -> s.block() == segmentA), "the image's index of A names S");
      assertTrue(leaf.delta().size() > 0, "A's delta reads back from the image");
    }
    file.close();
  }
}
