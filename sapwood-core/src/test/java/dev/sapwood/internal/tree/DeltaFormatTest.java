package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sapwood.CorruptionException;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.store.Header;
import dev.sapwood.internal.util.Compressors;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The on-disk form of leaf deltas (docs/format/node.md, "Delta blocks" and "Delta segments"): a
 * leaf names its delta index in its header, the index lists its segments with their filters, a
 * segment block round-trips, and anything bad read from either — any flipped byte, a truncated
 * block, a block of another leaf, a node where a delta should be, a segment that disagrees with
 * its index — is a {@link CorruptionException} naming the file and an offset.
 */
class DeltaFormatTest {
  private final BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/db/deltas.sap"),
      new Header.Settings(16384, 1024, 4, Compressors.NONE));

  @AfterEach
  void close() {
    file.close();
  }

  private static MessageBuffer sampleDelta(int points) {
    MessageBuffer d = new MessageBuffer();
    for (int i = 0; i < points; i++) {
      byte[] k = ("key" + (1000 + i)).getBytes();
      byte[] v = ("value-" + i + "-".repeat(i % 50)).getBytes();
      d.add(MessageType.PUT, 10 + i, k, 0, k.length, v, 0, v.length, null);
    }
    byte[] end = "key2".getBytes();
    byte[] from = "key1".getBytes();
    d.add(MessageType.DELETE_RANGE, 5000, from, 0, from.length, end, 0, end.length, null);
    return d;
  }

  private long writeDelta(long leaf, MessageBuffer d, byte codec) {
    long block = file.allocateBlockNumber();
    byte[] b = NodeWriter.writeDelta(block, leaf, d, codec).block();
    file.writeBlock(block, b, 0, b.length);
    return block;
  }

  private MessageBuffer readDelta(long block, long leaf) {
    return PartitionReader.readBuffer(file, block, NodeReader.readDelta(file, block, leaf), 0);
  }

  @Test
  void aLeafNamesItsDeltaAndTheDeltaRoundTrips() {
    Node leaf = NodeCodecTest.sampleLeaf(file.allocateBlockNumber(), 300);
    MessageBuffer d = sampleDelta(500); // several frames
    long delta = writeDelta(leaf.key(), d, Compressors.LZ4);
    leaf.deltaBlock = delta;
    byte[] block = NodeWriter.write(leaf, Compressors.LZ4).block();
    assertEquals(NodeFormat.HEIGHT_DELTA_FLAG, ((block[8] & 0xff) << 8) | (block[9] & 0xff), "height field");
    file.writeBlock(leaf.key(), block, 0, block.length);
    Node read = NodeReader.read(file, leaf.key());
    assertEquals(0, read.height);
    assertEquals(delta, read.deltaBlock);
    MessageBuffer back = readDelta(delta, leaf.key());
    assertEquals(d.pointCount(), back.pointCount());
    assertEquals(d.rangeCount(), back.rangeCount());
    for (int i = 0; i < d.pointCount(); i++) {
      assertArrayEquals(d.copyKey(d.point(i)), back.copyKey(back.point(i)));
      assertArrayEquals(d.copyValue(d.point(i)), back.copyValue(back.point(i)));
      assertEquals(d.msn(d.point(i)), back.msn(back.point(i)));
    }
    byte[] key = "key1234".getBytes();
    MessageBuffer peek = FramePeeks.peekBuffer(file, delta, NodeReader.readDelta(file, delta, leaf.key()), 0, key);
    assertTrue(peek.pointCount() < d.pointCount(), "a peek reads the frames that can hold the key only");
    assertEquals(1, peek.rangeCount());
  }

  @Test
  void anEmptyDeltaRoundTrips() {
    long delta = writeDelta(3, new MessageBuffer(), Compressors.NONE);
    MessageBuffer back = readDelta(delta, 3);
    assertTrue(back.isEmpty());
  }

  /** The worked example of docs/format/node.md: leaf 7's delta holding one PUT "c" -> "x" at MSN 8. */
  @Test
  void workedExampleOfTheFormatDoc() {
    MessageBuffer d = new MessageBuffer();
    d.add(MessageType.PUT, 8, new byte[] {'c'}, 0, 1, new byte[] {'x'}, 0, 1, null);
    byte[] b = NodeWriter.writeDelta(9, 7, d, Compressors.NONE).block();
    String hex = HexFormat.of().formatHex(b);
    System.out.println("delta block of leaf 7: " + b.length + " bytes: " + hex);
    assertEquals("53574"
        + "44c", hex.substring(0, 8));
    assertEquals(22 + 8 + NodeFormat.DIR_ENTRY_FIXED + NodeFormat.FRAME_ENTRY_FIXED + 1 + 4 + 19, b.length);
  }

  @ParameterizedTest
  @ValueSource(bytes = {Compressors.NONE, Compressors.LZ4, Compressors.ZSTD})
  void flippingAnySingleByteOfADeltaBlockIsCorruption(byte codec) {
    long leaf = 77;
    MessageBuffer d = sampleDelta(40);
    long block = writeDelta(leaf, d, codec);
    byte[] good = file.readBlock(block);
    Random rnd = new Random(codec);
    for (int at = 0; at < good.length; at++) {
      for (int mask : new int[] {0x01, 0xFF, 1 + rnd.nextInt(255)}) {
        byte[] bad = good.clone();
        bad[at] ^= (byte) mask;
        file.writeBlock(block, bad, 0, bad.length);
        try {
          MessageBuffer got = readDelta(block, leaf);
          fail("flip of byte " + at + " with mask " + mask + " (codec " + codec + ") read without error: "
              + got.pointCount() + " messages");
        } catch (CorruptionException expected) {
          assertTrue(expected.getMessage().contains("deltas.sap"), expected.getMessage());
        }
      }
    }
    file.writeBlock(block, good, 0, good.length);
    assertEquals(d.pointCount(), readDelta(block, leaf).pointCount());
  }

  @Test
  void truncatedDeltaBlocksAreCorruption() {
    long block = writeDelta(5, sampleDelta(60), Compressors.NONE);
    byte[] good = file.readBlock(block);
    for (int len = 0; len < good.length; len += 5) {
      file.writeBlock(block, good, 0, len);
      assertThrows(CorruptionException.class, () -> readDelta(block, 5), "length " + len);
    }
  }

  @Test
  void aDeltaOfAnotherLeafOrANodeInItsPlaceIsCorruption() {
    long block = writeDelta(5, sampleDelta(3), Compressors.NONE);
    CorruptionException e = assertThrows(CorruptionException.class, () -> readDelta(block, 6));
    assertTrue(e.getMessage().contains("leaf 5") && e.getMessage().contains("leaf 6"), e.getMessage());
    Node leaf = NodeCodecTest.sampleLeaf(file.allocateBlockNumber(), 10);
    byte[] b = NodeWriter.write(leaf, Compressors.NONE).block();
    file.writeBlock(leaf.key(), b, 0, b.length);
    assertThrows(CorruptionException.class, () -> NodeReader.readDelta(file, leaf.key(), 5), "a node is no delta block");
    assertThrows(CorruptionException.class, () -> NodeReader.read(file, block), "a delta block is no node");
  }

  @Test
  void aLeafThatNamesItselfAsItsDeltaIsCorruption() {
    Node leaf = NodeCodecTest.sampleLeaf(file.allocateBlockNumber(), 10);
    leaf.deltaBlock = leaf.key();
    byte[] b = NodeWriter.write(leaf, Compressors.NONE).block();
    file.writeBlock(leaf.key(), b, 0, b.length);
    assertThrows(CorruptionException.class, () -> NodeReader.read(file, leaf.key()));
  }

  /** Segments over sample deltas of {@code sizes} messages, written to blocks of leaf {@code leaf}. */
  private DeltaSegment[] writeSegments(long leaf, int... sizes) {
    DeltaSegment[] segs = new DeltaSegment[sizes.length];
    for (int i = 0; i < sizes.length; i++) {
      MessageBuffer d = sampleDelta(sizes[i]);
      long block = file.allocateBlockNumber();
      NodeWriter.Result w = NodeWriter.writeDelta(block, leaf, d, Compressors.LZ4);
      file.writeBlock(block, w.block(), 0, w.block().length);
      segs[i] = DeltaSegment.of(block, d, w.directory().rawLength(0));
    }
    return segs;
  }

  private long writeIndex(long leaf, DeltaSegment[] segs) {
    long block = file.allocateBlockNumber();
    byte[] b = DeltaIndex.write(leaf, segs);
    file.writeBlock(block, b, 0, b.length);
    return block;
  }

  @Test
  void theIndexRoundTripsAndEachFilterAdmitsEveryKeyOfItsSegment() {
    long leaf = 41;
    DeltaSegment[] segs = writeSegments(leaf, 300, 5, 1200);
    long index = writeIndex(leaf, segs);
    DeltaSegment[] back = DeltaIndex.read(file, index, leaf);
    assertEquals(3, back.length);
    for (int i = 0; i < 3; i++) {
      assertEquals(segs[i].block, back[i].block);
      assertEquals(segs[i].maxMsn, back[i].maxMsn);
      assertEquals(segs[i].rawBytes, back[i].rawBytes);
      assertEquals(segs[i].points, back[i].points);
      assertArrayEquals(segs[i].minKey, back[i].minKey);
      assertArrayEquals(segs[i].maxKey, back[i].maxKey);
      assertArrayEquals(segs[i].filter.bytes(), back[i].filter.bytes());
      MessageBuffer d = readDelta(back[i].block, leaf);
      for (int m = 0; m < d.pointCount(); m++) {
        assertTrue(back[i].filter.mayContain(d.copyKey(d.point(m))), "segment " + i + " message " + m);
      }
    }
    // Keys the filter was not built over are mostly ruled out (about 1% pass with 10 bits a key).
    int passed = 0;
    for (int k = 0; k < 10_000; k++) {
      passed += back[2].filter.mayContain(("absent" + k).getBytes()) ? 1 : 0;
    }
    assertTrue(passed < 500, passed + " of 10,000 absent keys passed the filter");
  }

  @Test
  void aSegmentWithRangeMessagesMayHoldAnyKeyAndOneWithoutOnlyItsSpan() {
    MessageBuffer points = new MessageBuffer();
    byte[] k = "m".getBytes();
    points.add(MessageType.PUT, 3, k, 0, 1, k, 0, 1, null);
    DeltaSegment p = DeltaSegment.of(1, points, 20);
    assertTrue(p.mayHold(k));
    assertEquals(false, p.mayHold("a".getBytes()), "below the span");
    assertEquals(false, p.mayHold("z".getBytes()), "above the span");
    assertEquals(false, p.mayOverlap("n".getBytes(), null));
    assertTrue(p.mayOverlap("a".getBytes(), "n".getBytes()));
    DeltaSegment r = DeltaSegment.of(2, sampleDelta(3), 100); // a DELETE_RANGE of [key1, key2)
    assertTrue(r.mayHold("key15".getBytes()), "a range message may cover any key");
  }

  /** The worked example of docs/format/node.md, "Delta segments": leaf 7's index naming segment 9. */
  @Test
  void workedExampleOfTheIndex() {
    MessageBuffer d = new MessageBuffer();
    d.add(MessageType.PUT, 8, new byte[] {'c'}, 0, 1, new byte[] {'x'}, 0, 1, null);
    DeltaSegment s = DeltaSegment.of(9, d, 19);
    byte[] b = DeltaIndex.write(7, new DeltaSegment[] {s});
    System.out.println("delta index of leaf 7: " + b.length + " bytes: " + HexFormat.of().formatHex(b));
    assertEquals(DeltaIndex.FIXED + DeltaIndex.ENTRY_FIXED + 2 + 8 + 4, b.length);
    assertEquals("53574458", HexFormat.of().formatHex(b, 0, 4));
  }

  @Test
  void flippingAnySingleByteOfAnIndexIsCorruption() {
    long leaf = 43;
    long index = writeIndex(leaf, writeSegments(leaf, 20, 1));
    byte[] good = file.readBlock(index);
    Random rnd = new Random(43);
    for (int at = 0; at < good.length; at++) {
      for (int mask : new int[] {0x01, 0xFF, 1 + rnd.nextInt(255)}) {
        byte[] bad = good.clone();
        bad[at] ^= (byte) mask;
        file.writeBlock(index, bad, 0, bad.length);
        try {
          DeltaSegment[] got = DeltaIndex.read(file, index, leaf);
          fail("flip of byte " + at + " with mask " + mask + " read without error: " + got.length + " segments");
        } catch (CorruptionException expected) {
          assertTrue(expected.getMessage().contains("deltas.sap"), expected.getMessage());
        }
      }
    }
    file.writeBlock(index, good, 0, good.length);
    assertEquals(2, DeltaIndex.read(file, index, leaf).length);
  }

  @Test
  void truncatedIndexesAreCorruption() {
    long leaf = 44;
    long index = writeIndex(leaf, writeSegments(leaf, 30));
    byte[] good = file.readBlock(index);
    for (int len = 0; len < good.length; len++) {
      file.writeBlock(index, good, 0, len);
      assertThrows(CorruptionException.class, () -> DeltaIndex.read(file, index, leaf), "length " + len);
    }
  }

  @Test
  void anIndexOfAnotherLeafOrASegmentThatDisagreesWithItsIndexIsCorruption() {
    long index = writeIndex(45, writeSegments(45, 10));
    CorruptionException e = assertThrows(CorruptionException.class, () -> DeltaIndex.read(file, index, 46));
    assertTrue(e.getMessage().contains("leaf 45") && e.getMessage().contains("leaf 46"), e.getMessage());
    // The index says 10 messages; the segment block it names is rewritten with 11.
    DeltaSegment[] segs = DeltaIndex.read(file, index, 45);
    byte[] other = NodeWriter.writeDelta(segs[0].block, 45, sampleDelta(11), Compressors.NONE).block();
    file.writeBlock(segs[0].block, other, 0, other.length);
    Node leaf = new Node(45);
    leaf.setLeaf(new byte[0][], new Basement[] {Basement.empty()});
    leaf.deltaBlock = index;
    dev.sapwood.internal.stats.Counters stats = new dev.sapwood.internal.stats.Counters();
    TreeCounters tc = new TreeCounters(stats);
    DeltaReads reads = new DeltaReads(file, new NodeStore(file, Compressors.NONE, tc, 1 << 20, stats, null), tc);
    e = assertThrows(CorruptionException.class, () -> reads.forKey(leaf, "key1003".getBytes()));
    assertTrue(e.getMessage().contains("deltas.sap") && e.getMessage().contains("index"), e.getMessage());
  }

  @Test
  void aFormat6DeltaNamedByALeafReadsAsOneSegmentWithoutAFilter() {
    long leaf = 47;
    MessageBuffer d = sampleDelta(25);
    long block = writeDelta(leaf, d, Compressors.NONE);
    DeltaSegment[] segs = DeltaIndex.read(file, block, leaf);
    assertEquals(1, segs.length);
    assertTrue(segs[0].legacy());
    assertEquals(block, segs[0].block);
    assertTrue(segs[0].mayHold("anything".getBytes()));
    assertEquals(0, DeltaIndex.read(file, writeDelta(leaf, new MessageBuffer(), Compressors.NONE), leaf).length,
        "an empty format-6 delta has no segment");
  }

  /** A cache backend for a table that never loads or writes anything. */
  private static final class NoBackend implements dev.sapwood.internal.cache.CacheBackend<Node> {
    @Override
    public Node load(long block, Node via) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void writeBack(Node node) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Shrink shrink(Node node) {
      return Shrink.NOTHING;
    }
  }
}
