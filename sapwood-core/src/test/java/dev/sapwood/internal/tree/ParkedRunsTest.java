package dev.sapwood.internal.tree;

import static dev.sapwood.internal.tree.MessageBufferTest.b;
import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.CorruptionException;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.store.Header;
import dev.sapwood.internal.util.Compressors;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Parked images with runs ({@link ParkedRuns}): a node decoded from its parked image, changed as
 * flushes change it (messages appended, some at keys the image holds; messages folded into old
 * ones; buffers emptied or replaced), is parked again as that image plus a run that holds only
 * what was appended to the buffers that only took appends, and the image with runs decodes to the
 * same node as the node's whole image, and serializes (a spill's or a checkpoint's consolidation)
 * to the same bytes. Randomized, seed printed; damage anywhere in a run or the trailer is a
 * {@link CorruptionException}.
 */
class ParkedRunsTest {
  private static final Combiner COMBINER = new Combiner(MessageApplierTest.resolver(), (fn, e) -> { },
      new SnapshotRegistry(new Counters(), () -> Long.MAX_VALUE), new LongAdder());

  private final BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/db/runs.sap"),
      new Header.Settings(16384, 1024, 4, Compressors.NONE));
  private final PartitionStamps stamps = new PartitionStamps();

  @AfterEach
  void close() {
    file.close();
  }

  private static byte[] key(Random r, int i, int keys) {
    return b(String.format("k%03d-%05d", i, r.nextInt(keys)));
  }

  private static void put(MessageBuffer buf, Random r, byte[] key, long msn, Combiner combiner) {
    byte[] value = new byte[r.nextInt(120)];
    r.nextBytes(value);
    byte type = r.nextInt(8) == 0 ? MessageType.DELETE : MessageType.PUT;
    int len = type == MessageType.DELETE ? 0 : value.length;
    if (combiner == null) {
      buf.add(type, msn, key, 0, key.length, value, 0, len, null);
    } else {
      buf.add(type, msn, key, 0, key.length, value, 0, len, null, combiner);
    }
  }

  /** An internal node of {@code n} buffers of random puts and deletes, a range delete in some. */
  private static Node randomNode(Random r, long block, int n, int keys) {
    byte[][] pivots = new byte[n - 1][];
    for (int i = 0; i < n - 1; i++) {
      pivots[i] = b(String.format("k%03d", i + 1));
    }
    MessageBuffer[] bufs = new MessageBuffer[n];
    long msn = 1;
    for (int i = 0; i < n; i++) {
      bufs[i] = new MessageBuffer();
      int count = r.nextInt(6) == 0 ? 0 : r.nextInt(keys);
      for (int j = 0; j < count; j++) {
        put(bufs[i], r, key(r, i, keys), msn++, null);
      }
      if (r.nextInt(4) == 0) {
        byte[] lo = b(String.format("k%03d-a", i));
        byte[] hi = b(String.format("k%03d-b", i));
        bufs[i].add(MessageType.DELETE_RANGE, msn++, lo, 0, lo.length, hi, 0, hi.length, null);
      }
    }
    long[] children = new long[n];
    for (int i = 0; i < n; i++) {
      children[i] = 100 + i;
    }
    Node node = new Node(block);
    node.setInternal(1, pivots, children, bufs);
    node.maxMsn = msn;
    return node;
  }

  /** Decodes a parked image as {@link ParkedNodes#load} does: stamped, its base kept. */
  private Node unpark(long block, byte[] image, int length, boolean withRuns) {
    ParkedRuns.Decoded d = ParkedRuns.decode(file, block, Arrays.copyOf(image, length), length, withRuns);
    Node node = d.node();
    PartitionStamps.stampUnparked(node, stamps.next());
    node.parkBase = new ParkedRuns.Base(Arrays.copyOf(image, length), d.end(), d.runLengths(), d.modes(), node, d.heldRaw());
    return node;
  }

  /** What a flush does to a parent of leaves, at random: appends (some at keys it holds, some folded), empties, ranges. */
  private static long change(Random r, Node node, long msn, int keys) {
    for (int i = 0; i < node.n; i++) {
      MessageBuffer buf = node.buffers[i];
      int what = r.nextInt(10);
      if (what == 0) {
        node.buffers[i] = new MessageBuffer(); // flushed into its child
        buf.clear();
      } else if (what == 1) {
        buf.clear(); // emptied in place
      } else if (what == 2) {
        for (int j = 0; j < 1 + r.nextInt(20); j++) {
          put(buf, r, key(r, i, keys), msn++, COMBINER); // folds where the key is there: maybe an old message
        }
      } else if (what < 9) {
        int m = r.nextInt(keys / 4 + 2);
        MessageBuffer run = new MessageBuffer();
        for (int j = 0; j < m; j++) {
          put(run, r, key(r, i, keys), msn++, null); // equal keys with the base's, newer MSNs
        }
        if (r.nextInt(6) == 0) {
          byte[] lo = b(String.format("k%03d-c", i));
          byte[] hi = b(String.format("k%03d-d", i));
          buf.add(MessageType.DELETE_RANGE, msn++, lo, 0, lo.length, hi, 0, hi.length, null);
        }
        buf.addSortedRun(run, 0, run.pointCount());
      }
    }
    node.maxMsn = msn;
    return msn;
  }

  /** Sum of the records of buffers that only took appends since {@code marks}: what a run must hold. */
  private static long appendedBytes(Node node, int[] marks) {
    long sum = 0;
    for (int i = 0; i < node.n; i++) {
      MessageBuffer buf = node.buffers[i];
      for (int j = 0; j < buf.pointCount(); j++) {
        sum += marks[i] < 0 || buf.point(j) >= marks[i] ? buf.recordSize(buf.point(j)) : 0;
      }
      for (int j = 0; j < buf.rangeCount(); j++) {
        sum += marks[i] < 0 || buf.range(j) >= marks[i] ? buf.recordSize(buf.range(j)) : 0;
      }
    }
    return sum;
  }

  @ParameterizedTest
  @ValueSource(bytes = {Compressors.NONE, Compressors.LZ4, Compressors.ZSTD})
  void anImageWithRunsDecodesToTheNodeAndConsolidatesToItsFileImage(byte codec) {
    long seed = new Random().nextLong();
    System.out.println("ParkedRunsTest codec " + codec + " seed " + seed);
    Random r = new Random(seed);
    int withRuns = 0;
    for (int round = 0; round < 12; round++) {
      long block = file.allocateBlockNumber();
      int keys = 20 + r.nextInt(400);
      Node node = randomNode(r, block, 1 + r.nextInt(10), keys);
      long msn = node.maxMsn + 1;
      NodeWriter.Result whole = NodeWriter.write(node, codec, false);
      byte[] image = Arrays.copyOf(whole.block(), whole.length());
      boolean runs = false;
      for (int park = 0; park < 6; park++) {
        String ctx = "seed " + seed + " round " + round + " park " + park;
        Node loaded = unpark(block, image, image.length, runs);
        NodeCodecTest.assertSameNode(node, loaded);
        node = loaded;
        msn = change(r, node, msn, keys);
        int[] marks = ParkedRuns.marks(node);
        if (marks == null) { // too much beside the node, or too many runs: parked whole
          NodeWriter.Result w = NodeWriter.write(node, codec, false);
          image = Arrays.copyOf(w.block(), w.length());
          runs = false;
          continue;
        }
        NodeWriter.Result run = NodeWriter.writeRun(node, codec, marks);
        assertEquals(appendedBytes(node, marks), ParkedRuns.rawBytes(run.directory(), node.n),
            ctx + ": the run holds only what came in since the unpark, and buffers changed otherwise whole");
        int length = ParkedRuns.compose(node, run.block(), run.length(), marks);
        image = Arrays.copyOf(node.parkBase.bytes, length);
        NodeWriter.giveBack(run);
        runs = true;
        withRuns++;
        Node back = ParkedRuns.decode(file, block, image, length, true).node();
        NodeCodecTest.assertSameNode(node, back);
        assertArrayEquals(NodeWriter.write(node, codec).block(), NodeWriter.write(back, codec).block(),
            ctx + ": consolidated, it is the node's file image byte for byte");
      }
    }
    assertTrue(withRuns > 12, "parks with runs: " + withRuns);
  }

  @Test
  void anUnchangedNodeParksAnEmptyRunANewMessageIsNotFoldedIntoAnOldOneAndAnEmptiedBufferIsWhole() {
    long block = file.allocateBlockNumber();
    Random r = new Random(7);
    Node node = randomNode(r, block, 4, 50);
    node.buffers[1] = new MessageBuffer();
    byte[] k = b("k001-x");
    node.buffers[1].add(MessageType.PUT, 1_000, k, 0, k.length, b("a"), 0, 1, null);
    node.buffers[2] = new MessageBuffer(); // small: emptied below, the image stays within its bound
    byte[] k2 = b("k002-y");
    node.buffers[2].add(MessageType.PUT, 999, k2, 0, k2.length, b("z"), 0, 1, null);
    NodeWriter.Result whole = NodeWriter.write(node, Compressors.LZ4, false);
    Node loaded = unpark(block, whole.block(), whole.length(), false);
    int[] marks = ParkedRuns.marks(loaded);
    assertNotNull(marks);
    NodeWriter.Result run = NodeWriter.writeRun(loaded, Compressors.LZ4, marks);
    assertEquals(0, ParkedRuns.rawBytes(run.directory(), loaded.n), "nothing came in: nothing encoded");
    MessageBuffer buf = loaded.buffers[1];
    buf.add(MessageType.PUT, 1_001, k, 0, k.length, b("b"), 0, 1, null, COMBINER);
    assertEquals(2, buf.pointCount(), "not folded into the image's put: the image stays the buffer's start");
    buf.add(MessageType.PUT, 1_002, k, 0, k.length, b("c"), 0, 1, null, COMBINER);
    assertEquals(2, buf.pointCount(), "folded into the put that came after the image");
    assertEquals(1_002, buf.msn(buf.point(1)));
    loaded.buffers[2].clear();
    marks = ParkedRuns.marks(loaded);
    assertTrue(marks[0] >= 0 && marks[1] >= 0 && marks[3] >= 0, "appended only");
    assertEquals(-1, marks[2], "an emptied buffer is encoded whole");
  }

  @Test
  void damageInARunOrTheTrailerIsCorruption() {
    long block = file.allocateBlockNumber();
    Random r = new Random(11);
    Node node = randomNode(r, block, 5, 200);
    NodeWriter.Result whole = NodeWriter.write(node, Compressors.LZ4, false);
    int baseLength = whole.length();
    Node loaded = unpark(block, whole.block(), baseLength, false);
    change(r, loaded, loaded.maxMsn + 1, 200);
    int[] marks = ParkedRuns.marks(loaded);
    assertNotNull(marks);
    NodeWriter.Result run = NodeWriter.writeRun(loaded, Compressors.LZ4, marks);
    int length = ParkedRuns.compose(loaded, run.block(), run.length(), marks);
    byte[] image = Arrays.copyOf(loaded.parkBase.bytes, length);
    for (int at = baseLength; at < length; at += Math.max(1, (length - baseLength) / 97)) {
      byte[] bad = image.clone();
      bad[at] ^= 0x40;
      int where = at;
      assertThrows(CorruptionException.class, () -> ParkedRuns.decode(file, block, bad, length, true), "byte " + where);
    }
    byte[] cut = Arrays.copyOf(image, length - 3);
    assertThrows(CorruptionException.class, () -> ParkedRuns.decode(file, block, cut, cut.length, true));
  }
}
