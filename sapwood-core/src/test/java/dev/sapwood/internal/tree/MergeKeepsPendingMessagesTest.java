package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.*;

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
 * A leaf just flushed (its basements carry a high max MSN) merges with an empty sibling whose
 * parent buffer still holds older messages: those messages must stay visible and reach the leaf.
 * Once the merge dropped the sibling's empty basement and let the flushed basement take over its
 * key range, the older messages fell below that basement's max MSN and were skipped as "already
 * applied" by every read and every later flush: a scan (and a get) silently missed the keys.
 */
class MergeKeepsPendingMessagesTest {
  private static final int NODE = 4096;
  private static final long FLUSHED_MSN = 300;
  private static final long PENDING_MSN = 100;
  private final Counters counters = new Counters();
  private final BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/db/merge.sap"),
      new Header.Settings(NODE, 1024, 4, Compressors.NONE));
  private final TreeContext ctx = new TreeContext(file, 64 << 20, NODE, 1024, 4, Compressors.NONE,
      name -> UpdateFunctions.ADD_LONG, FLUSHED_MSN, counters);

  private static byte[] key(int i) {
    return String.format("key%05d", i).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] value(int i) {
    return ("v" + i).getBytes(StandardCharsets.UTF_8);
  }

  /** A small leaf holding keys [from, to), as a flush at {@code maxMsn} left it; unpinned. */
  private long leaf(int from, int to, long maxMsn) {
    Node leaf = ctx.cache.insertPinned(TestLeaves.handBuilt(ctx));
    BasementBuilder b = new BasementBuilder(1024, 4096, maxMsn);
    for (int i = from; i < to; i++) {
      byte[] k = key(i);
      byte[] v = value(i);
      b.emit(k, 0, k.length, v, 0, v.length);
    }
    List<Basement> basements = b.finish();
    assertEquals(1, basements.size());
    leaf.setLeaf(new byte[0][], basements.toArray(new Basement[0]));
    leaf.dirty = true;
    long block = leaf.key();
    ctx.cache.unpinWrite(leaf);
    return block;
  }

  /** A root over two leaves split at {@code pivot}, buffer {@code pendingSlot} holding PUTs of {@code pendingKeys}. */
  private Node root(long left, long right, int pivot, int pendingSlot, int... pendingKeys) {
    Node p = ctx.cache.insertPinned(TestLeaves.handBuiltRoot(ctx));
    MessageBuffer[] bufs = {new MessageBuffer(), new MessageBuffer()};
    long msn = PENDING_MSN;
    for (int i : pendingKeys) {
      byte[] k = key(i);
      byte[] v = value(i);
      bufs[pendingSlot].add(MessageType.PUT, msn++, k, 0, k.length, v, 0, v.length, null);
    }
    p.setInternal(1, new byte[][] {key(pivot)}, new long[] {left, right}, bufs);
    p.maxMsn = FLUSHED_MSN;
    p.dirty = true;
    return p;
  }

  private static List<String> scan(BeTree tree) {
    List<String> out = new ArrayList<>();
    Chunk c = tree.readForward(null);
    while (true) {
      for (int i = 0; i < c.size(); i++) {
        out.add(new String(c.key(i), StandardCharsets.UTF_8));
      }
      if (c.atEnd()) {
        return out;
      }
      c = tree.readForward(c.next());
    }
  }

  private static List<String> names(int... keys) {
    List<String> out = new ArrayList<>();
    for (int i : keys) {
      out.add(new String(key(i), StandardCharsets.UTF_8));
    }
    return out;
  }

  /**
   * The merged leaf keeps the empty basement (an empty partition among others), and written and
   * read back partition by partition it holds what it held.
   */
  private void assertLeafRoundTrips(Node root) {
    Node leaf = ctx.pinChildWrite(root, 0);
    List<Integer> counts = new ArrayList<>();
    for (Basement b : leaf.basements) {
      counts.add(b.count());
    }
    assertTrue(counts.contains(0), "the empty sibling's basement stayed: " + counts);
    ctx.nodes.writeNode(leaf);
    Node back = NodeReader.read(file, leaf.key());
    List<Integer> read = new ArrayList<>();
    for (int i = 0; i < back.n; i++) {
      read.add(PartitionReader.readBasement(file, back.key(), back.disk, i).count());
    }
    assertEquals(counts, read, "basement entry counts after a write and a read");
    ctx.cache.unpinWrite(leaf);
  }

  private void assertSeesEverything(Node root, int... expected) {
    long rootBlock = root.key();
    ctx.cache.unpinWrite(root);
    BeTree tree = new BeTree(ctx, rootBlock);
    assertEquals(names(expected), scan(tree), "scan after the merge");
    for (int i : expected) {
      assertArrayEquals(value(i), tree.get(key(i)), "get " + i);
    }
    Node again = ctx.pinRootWrite(rootBlock);
    assertLeafRoundTrips(again);
    ctx.cache.unpinWrite(again);
    assertEquals(names(expected), scan(tree), "scan after the merged leaf was written");
    tree.flushAll();
    assertEquals(names(expected), scan(tree), "scan after flushing everything into the leaf");
  }

  @Test
  void emptyRightSiblingsPendingPutsSurviveAMergeIntoTheFlushedLeft() {
    long flushed = leaf(0, 5, FLUSHED_MSN);
    long empty = leaf(0, 0, 0);
    Node root = root(flushed, empty, 10, 1, 12, 13, 14);
    Node child = ctx.pinChildWrite(root, 0);
    assertTrue(ctx.shape.fusible(child));
    assertNull(ctx.flusher.reshaper().reshapeChild(root, 0, child));
    assertEquals(1, root.n, "the two leaves merged");
    assertSeesEverything(root, 0, 1, 2, 3, 4, 12, 13, 14);
  }

  @Test
  void emptyLeftSiblingsPendingPutsSurviveAMergeIntoTheFlushedRight() {
    long empty = leaf(0, 0, 0);
    long flushed = leaf(20, 25, FLUSHED_MSN);
    Node root = root(empty, flushed, 20, 0, 3, 4, 5);
    Node child = ctx.pinChildWrite(root, 1);
    assertTrue(ctx.shape.fusible(child));
    assertNull(ctx.flusher.reshaper().reshapeChild(root, 1, child));
    assertEquals(1, root.n, "the two leaves merged");
    assertSeesEverything(root, 3, 4, 5, 20, 21, 22, 23, 24);
  }
}
