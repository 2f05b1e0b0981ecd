package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.CorruptionException;
import dev.sapwood.internal.cache.FrameCache;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.store.Header;
import dev.sapwood.internal.util.Compressors;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Partition reads through the off-heap tier: frames read from the file are verified before they
 * are kept, a frame kept is served without reading the file, a node written again is never read
 * through its former image's frames, and damage on disk is still a {@link CorruptionException}.
 */
class FrameTierTest {
  private final NodeCodecTest.CountingIo io = new NodeCodecTest.CountingIo();
  private final BlockFile file = BlockFile.create(io, Path.of("/db/tier.sap"),
      new Header.Settings(16384, 1024, 4, Compressors.NONE));
  private final FrameCache tier = new FrameCache(1 << 20, new Counters());

  @AfterEach
  void close() {
    tier.close();
    file.close();
  }

  private static byte[] key(int n) {
    return String.format("k%06d", n).getBytes();
  }

  /** A leaf of two basements of several frames each; values from {@code seed}, lengths fixed. */
  private Node leaf(long block, long seed) {
    Random rnd = new Random(seed);
    Basement[] bs = new Basement[2];
    for (int b = 0; b < 2; b++) {
      BasementBuilder bb = new BasementBuilder(Integer.MAX_VALUE, 64, 100);
      for (int e = 0; e < 300; e++) {
        byte[] k = key(b * 1000 + e);
        byte[] v = new byte[60];
        rnd.nextBytes(v);
        bb.emit(k, 0, k.length, v, 0, v.length);
      }
      bs[b] = bb.finish().get(0);
    }
    Node leaf = new Node(block);
    leaf.setLeaf(new byte[][] {bs[1].key(0)}, bs);
    leaf.maxMsn = 100;
    return leaf;
  }

  /** Writes the node as {@code NodeStore} does (frames into the tier); the directory written. */
  private PartitionDirectory write(Node node) {
    NodeWriter.Result r = NodeWriter.write(node, Compressors.LZ4);
    file.writeBlock(node.key(), r.block(), 0, r.block().length);
    FrameTier.putWritten(tier, r.directory(), r.block());
    return r.directory();
  }

  @Test
  void framesReadOnceAreServedFromTheTierWithoutTheFile() {
    long block = file.allocateBlockNumber();
    Node written = leaf(block, 1);
    NodeWriter.Result r = NodeWriter.write(written, Compressors.LZ4);
    file.writeBlock(block, r.block(), 0, r.block().length);
    PartitionDirectory dir = NodeReader.read(file, block).disk;
    io.reads.clear();
    Basement first = PartitionReader.readBasement(file, tier, block, dir, 1);
    assertFalse(io.reads.isEmpty(), "the first read goes to the file");
    io.reads.clear();
    Basement again = PartitionReader.readBasement(file, tier, block, dir, 1);
    assertTrue(io.reads.isEmpty(), "the second is served by the tier");
    assertEquals(first.count(), again.count());
    for (int e = 0; e < first.count(); e++) {
      assertArrayEquals(first.value(e), again.value(e));
    }
    byte[] probe = key(1000 + 150);
    Basement peek = FramePeeks.peekBasement(file, tier, block, dir, 1, probe);
    assertTrue(io.reads.isEmpty(), "a peek of a kept frame reads nothing");
    assertArrayEquals(written.basements[1].value(written.basements[1].find(probe)), peek.value(peek.find(probe)));
  }

  @Test
  void aNodeWrittenAgainIsNeverReadThroughItsFormerFrames() {
    long block = file.allocateBlockNumber();
    PartitionDirectory old = write(leaf(block, 1));
    PartitionReader.readBasement(file, tier, block, old, 0); // frames of the first image kept
    Node second = leaf(block, 2); // same block, same shape, other bytes
    PartitionDirectory now = write(second);
    for (PartitionDirectory d : new PartitionDirectory[] {now, NodeReader.read(file, block).disk}) {
      Basement b = PartitionReader.readBasement(file, tier, block, d, 0);
      for (int e = 0; e < b.count(); e++) {
        assertArrayEquals(second.basements[0].value(e), b.value(e), "entry " + e);
      }
    }
  }

  @Test
  void damageOnDiskIsACorruptionExceptionAndIsNotKept() {
    long block = file.allocateBlockNumber();
    NodeWriter.Result r = NodeWriter.write(leaf(block, 3), Compressors.LZ4);
    byte[] bad = r.block().clone();
    PartitionDirectory written = r.directory();
    int frame = written.firstFrame(1);
    bad[written.frameOffset(frame) + 3] ^= 0x5A;
    file.writeBlock(block, bad, 0, bad.length);
    PartitionDirectory dir = NodeReader.read(file, block).disk;
    assertThrows(CorruptionException.class, () -> PartitionReader.readBasement(file, tier, block, dir, 1));
    assertFalse(tier.contains(FrameTier.key(dir, frame)), "a frame that failed its checksum is not kept");
    assertThrows(CorruptionException.class, () -> PartitionReader.readBasement(file, tier, block, dir, 1),
        "and the next read finds the damage again");
  }
}
