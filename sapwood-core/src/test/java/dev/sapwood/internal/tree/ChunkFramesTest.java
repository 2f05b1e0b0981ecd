package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.store.Header;
import dev.sapwood.internal.util.Compressors;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which frames a chunk read takes of a basement that is not resident ({@link ChunkFrames}): a
 * forward chunk one frame when the rest of the frame holding its first key holds its limit (by
 * where the key lies between the frame's first key and the next one's), else one frame more than
 * the limit fills; a backward chunk the frames below its bound, as many as hold its limit.
 */
class ChunkFramesTest {
  private final BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/db/frames.sap"),
      new Header.Settings(1 << 20, 64 << 10, 4, Compressors.NONE));

  @AfterEach
  void close() {
    file.close();
  }

  /** The bench's keys: a number big-endian in the first 8 of 16 bytes. */
  private static byte[] key(long n) {
    byte[] k = new byte[16];
    for (int j = 7; j >= 0; j--) {
      k[j] = (byte) n;
      n >>>= 8;
    }
    return k;
  }

  /** One basement of 800 keys 0, 10, 20, ... with 100-byte values: 32 entries to a 4 KiB frame. */
  private PartitionDirectory basement() {
    BasementBuilder bb = new BasementBuilder(Integer.MAX_VALUE, 64, 1);
    byte[] v = new byte[100];
    for (int e = 0; e < 800; e++) {
      byte[] k = key(10L * e);
      bb.emit(k, 0, k.length, v, 0, v.length);
    }
    Node leaf = new Node(file.allocateBlockNumber());
    leaf.setLeaf(new byte[0][], new Basement[] {bb.finish().get(0)});
    NodeWriter.Result r = NodeWriter.write(leaf, Compressors.NONE);
    file.writeBlock(leaf.key(), r.block(), 0, r.block().length);
    return NodeReader.read(file, leaf.key()).disk;
  }

  /** The entry number of frame f's first key. */
  private static long entry(PartitionDirectory d, int f) {
    byte[] k = d.firstKey(f);
    long n = 0;
    for (int j = 0; j < 8; j++) {
      n = n << 8 | (k[j] & 0xFF);
    }
    return n / 10;
  }

  private static int first(long span) {
    return (int) (span >>> 32);
  }

  private static int end(long span) {
    return (int) span;
  }

  @Test
  void aForwardChunkTakesOneFrameWhenTheRestOfItHoldsTheLimit() {
    PartitionDirectory d = basement();
    int frames = d.frameEnd(0) - d.firstFrame(0);
    assertTrue(frames > 8, "frames: " + frames);
    int perFrame = d.count(0) / frames; // what ChunkFrames assumes
    long at = 10 * entry(d, 3); // frame 3's first key
    long size = entry(d, 4) - entry(d, 3); // its entries
    assertEquals(0, d.positionInFrame(3, d.firstKey(3)));
    double quarter = d.positionInFrame(3, key(at + 10L * size / 4));
    assertTrue(quarter > 0.15 && quarter < 0.35, "a quarter of the way: " + quarter);
    assertEquals(1.0, d.positionInFrame(3, d.firstKey(4)));

    long early = ChunkFrames.span(d, 0, key(at + 10), 16);
    assertEquals(3, first(early));
    assertEquals(4, end(early), "the rest of frame 3 holds 16 entries: one frame");
    long late = ChunkFrames.span(d, 0, key(at + 10L * (size - 3)), 16);
    assertEquals(3, first(late));
    assertEquals(5, end(late), "three entries left in frame 3: the next frame too");
    long big = ChunkFrames.span(d, 0, key(at + 10), 4 * perFrame);
    assertEquals(3 + 5, end(big), "a limit of four frames' entries: five frames");
    long lastFrame = ChunkFrames.span(d, 0, key(10L * 799), 16);
    assertEquals(d.frameEnd(0), end(lastFrame), "the last frame ends the basement");
  }

  @Test
  void aBackwardChunkTakesTheFramesBelowItsBound() {
    PartitionDirectory d = basement();
    long below = ChunkFrames.spanBefore(d, 0, d.firstKey(5), 16);
    assertEquals(5, end(below), "keys below frame 5's first key are in frames up to 4");
    assertEquals(3, first(below), "two frames for 16 entries");
    long inside = ChunkFrames.spanBefore(d, 0, key(10L * (entry(d, 5) + 3)), 16);
    assertEquals(6, end(inside));
    long all = ChunkFrames.spanBefore(d, 0, null, Integer.MAX_VALUE);
    assertEquals(d.firstFrame(0), first(all));
    assertEquals(d.frameEnd(0), end(all));
    long none = ChunkFrames.spanBefore(d, 0, key(0), 16);
    assertEquals(first(none), end(none), "nothing below the basement's first key");
  }
}
