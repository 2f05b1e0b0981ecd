package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.*;

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
 * Node images assembled in arrays lent by a pool ({@link NodeWriter#writeShared}): the next write
 * after the image is given back reuses (and, with assertions on, poisons) the same array, so these
 * tests fail if the file or the frame tier kept a reference to an image instead of its bytes, or
 * if the shared image differed from a freshly allocated one. A parked image decodes into buffers
 * whose records are copied into pooled blocks, as they were written.
 */
class SharedNodeImageTest {
  private final NodeCodecTest.CountingIo io = new NodeCodecTest.CountingIo();
  private final BlockFile file = BlockFile.create(io, Path.of("/db/shared.sap"),
      new Header.Settings(16384, 1024, 4, Compressors.NONE));
  private final FrameCache tier = new FrameCache(4 << 20, new Counters());

  @AfterEach
  void close() {
    tier.close();
    file.close();
  }

  /** An internal node of three buffers of {@code perBuffer} PUTs each (several frames each). */
  private static Node internal(long block, long seed, int perBuffer) {
    Random rnd = new Random(seed);
    byte[][] pivots = {"k1".getBytes(), "k2".getBytes()};
    MessageBuffer[] bufs = new MessageBuffer[3];
    for (int i = 0; i < 3; i++) {
      bufs[i] = new MessageBuffer();
      for (int e = 0; e < perBuffer; e++) {
        byte[] k = String.format("k%d-%06d", i, e).getBytes();
        byte[] v = new byte[40 + rnd.nextInt(200)];
        rnd.nextBytes(v);
        bufs[i].add(MessageType.PUT, 1000L * i + e, k, 0, k.length, v, 0, v.length, null);
      }
    }
    Node node = new Node(block);
    node.setInternal(1, pivots, new long[] {11, 12, 13}, bufs);
    node.maxMsn = 5000;
    return node;
  }

  /** Writes as {@code NodeStore} does: the shared image to the file and its frames to the tier. */
  private NodeWriter.Result writeShared(Node node) {
    NodeWriter.Result r = NodeWriter.writeShared(node, Compressors.LZ4);
    file.writeBlock(node.key(), r.block(), 0, r.length());
    FrameTier.putWritten(tier, r.directory(), r.block());
    NodeWriter.giveBack(r);
    return r;
  }

  private static void assertSameMessages(MessageBuffer want, MessageBuffer got) {
    assertEquals(want.pointCount(), got.pointCount());
    for (int e = 0; e < want.pointCount(); e++) {
      assertArrayEquals(want.copyKey(want.point(e)), got.copyKey(got.point(e)), "key " + e);
      assertArrayEquals(want.copyValue(want.point(e)), got.copyValue(got.point(e)), "value " + e);
    }
  }

  @Test
  void anImageWrittenFromTheScratchIsIntactInTheFileAndTheTierAfterTheNextWriteReusesIt() {
    Node a = internal(file.allocateBlockNumber(), 1, 400);
    Node b = internal(file.allocateBlockNumber(), 2, 400);
    NodeWriter.Result ra = writeShared(a);
    byte[] fresh = NodeWriter.write(a, Compressors.LZ4).block();
    NodeWriter.Result rb = writeShared(b);
    assertSame(ra.block(), rb.block(), "the second write reused the first one's array");

    byte[] onDisk = file.readBlock(a.key());
    assertArrayEquals(fresh, onDisk, "the file holds a's image as a fresh write makes it");
    PartitionDirectory dir = NodeReader.read(file, a.key()).disk;
    for (int i = 0; i < 3; i++) {
      assertSameMessages(a.buffers[i], PartitionReader.readBuffer(file, null, a.key(), dir, i));
      io.reads.clear();
      // the written image's frames, as the tier holds them
      assertSameMessages(a.buffers[i], PartitionReader.readBuffer(file, tier, a.key(), ra.directory(), i));
      assertTrue(io.reads.isEmpty(), "buffer " + i + " was served by the tier");
    }
  }

  @Test
  void aFetchedBufferIsCopiedIntoBlocksAndStaysIntactWhileItsDecodedArrayIsLentAgain() {
    Node a = internal(file.allocateBlockNumber(), 6, 500);
    NodeWriter.Result r = NodeWriter.write(a, Compressors.LZ4);
    file.writeBlock(a.key(), r.block(), 0, r.length());
    PartitionDirectory dir = NodeReader.read(file, a.key()).disk;
    MessageBuffer[] got = new MessageBuffer[3];
    for (int i = 0; i < 3; i++) { // each read after the first reuses (and poisons, under -ea) the array the last gave back
      got[i] = PartitionReader.readBuffer(file, null, a.key(), dir, i);
      assertTrue(a.buffers[i].bytes() >= MessageArena.BLOCK, "buffer " + i + " is a block or more");
      assertTrue(got[i].hasTail(), "buffer " + i + " went past its head into blocks");
      assertEquals(MessageArena.BLOCK, got[i].arena(got[i].point(0)).length, "its head is a block, not the decoded frames");
    }
    for (int i = 0; i < 3; i++) {
      assertSameMessages(a.buffers[i], got[i]);
      assertEquals(a.buffers[i].bytes(), got[i].bytes(), "buffer " + i + " live bytes");
    }
  }

  @Test
  void aParkedImageDecodesIntoBuffersOfPooledBlocksHoldingExactlyTheMessagesWritten() {
    Node a = internal(file.allocateBlockNumber(), 4, 500);
    byte[] lo = "k1-000100".getBytes();
    byte[] hi = "k1-000200".getBytes();
    a.buffers[1].add(MessageType.DELETE_RANGE, 9000, lo, 0, lo.length, hi, 0, hi.length, null);
    for (int i = 0; i < 200; i++) {
      BlockPool.give(new byte[MessageArena.BLOCK]); // poisoned: the decode must overwrite what it reads
    }
    NodeWriter.Result r = NodeWriter.write(a, Compressors.LZ4);
    byte[] image = java.util.Arrays.copyOf(r.block(), r.length() + 100); // an image longer than its bytes, as a lent copy is
    for (int i = 0; i < 3; i++) {
      MessageBuffer got = PartitionReader.decodeBuffer(file, a.key(), r.directory(), i, image);
      assertTrue(a.buffers[i].bytes() >= MessageArena.BLOCK, "buffer " + i + " decodes into blocks");
      assertTrue(got.hasTail(), "buffer " + i + " went past its head into blocks");
      assertEquals(MessageArena.BLOCK, got.arena(got.point(0)).length, "its head is a block");
      assertSameMessages(a.buffers[i], got);
      assertEquals(a.buffers[i].rangeCount(), got.rangeCount());
      for (int k = 0; k < got.rangeCount(); k++) {
        assertArrayEquals(a.buffers[i].copyKey(a.buffers[i].range(k)), got.copyKey(got.range(k)));
        assertArrayEquals(a.buffers[i].copyValue(a.buffers[i].range(k)), got.copyValue(got.range(k)));
      }
      assertEquals(a.buffers[i].bytes(), got.bytes(), "buffer " + i + " live bytes");
    }
  }

  @Test
  void aSharedImageEqualsAFreshOneAndItsFramesStayNearTheTarget() {
    Node a = internal(file.allocateBlockNumber(), 3, 700);
    NodeWriter.Result shared = NodeWriter.writeShared(a, Compressors.LZ4);
    byte[] copy = java.util.Arrays.copyOf(shared.block(), shared.length());
    NodeWriter.Result fresh = NodeWriter.write(a, Compressors.LZ4);
    assertArrayEquals(fresh.block(), copy);
    assertEquals(fresh.block().length, shared.length());
    PartitionDirectory dir = fresh.directory();
    for (int i = 0; i < dir.partitions(); i++) {
      assertTrue(dir.frameEnd(i) - dir.firstFrame(i) > 2, "several frames per buffer");
      for (int f = dir.firstFrame(i); f < dir.frameEnd(i) - 1; f++) {
        assertTrue(dir.frameRaw(f) >= NodeFormat.FRAME_TARGET, "frame " + f + " cut at the target, not before");
        assertTrue(dir.frameRaw(f) < NodeFormat.FRAME_TARGET + 300, "frame " + f + " ends at the record that reached it");
      }
    }
  }
}
