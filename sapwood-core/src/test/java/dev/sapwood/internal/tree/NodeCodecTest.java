package dev.sapwood.internal.tree;

import static dev.sapwood.internal.tree.MessageBufferTest.add;
import static dev.sapwood.internal.tree.MessageBufferTest.b;
import static dev.sapwood.internal.tree.MessageBufferTest.key;
import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.CorruptionException;
import dev.sapwood.internal.io.ForwardingFileIo;
import dev.sapwood.internal.io.ForwardingIoFile;
import dev.sapwood.internal.io.IoFile;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.store.Header;
import dev.sapwood.internal.tree.MessageBufferTest.Msg;
import dev.sapwood.internal.util.Compressors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NodeCodecTest {
  /** Records every read (position, length) made through it. */
  static final class CountingIo extends ForwardingFileIo {
    final List<long[]> reads = new ArrayList<>();

    CountingIo() {
      super(new MemoryFileIo());
    }

    @Override
    protected IoFile wrap(IoFile f) {
      return new ForwardingIoFile(f) {
        @Override
        public int read(long position, ByteBuffer dst) throws IOException {
          int n = inner.read(position, dst);
          synchronized (reads) {
            reads.add(new long[] {position, n});
          }
          return n;
        }
      };
    }
  }

  private final CountingIo io = new CountingIo();
  private final BlockFile file = BlockFile.create(io, Path.of("/db/nodes.sap"),
      new Header.Settings(16384, 1024, 4, Compressors.NONE));

  @AfterEach
  void close() {
    file.close();
  }

  static Basement basement(long maxMsn, byte[]... kv) {
    BasementBuilder bb = new BasementBuilder(Integer.MAX_VALUE, 64, maxMsn);
    for (int i = 0; i < kv.length; i += 2) {
      bb.emit(kv[i], 0, kv[i].length, kv[i + 1], 0, kv[i + 1].length);
    }
    return bb.finish().get(0);
  }

  /** A leaf of four basements: plain, empty, with empty key and value, with a large value. */
  static Node sampleLeaf(long block, int largeValue) {
    Node leaf = new Node(block);
    byte[] big = new byte[largeValue];
    new Random(5).nextBytes(big);
    leaf.setLeaf(new byte[][] {b("c"), b("m"), b("t")}, new Basement[] {
        basement(7, new byte[0], new byte[0], b("a"), b("apple"), b("bb"), new byte[0]),
        Basement.empty(),
        basement(9, b("m"), b("mango"), b("p"), b("pear".repeat(20))),
        basement(3, b("t"), big, b("zz"), b("last")),
    });
    leaf.maxMsn = 12;
    return leaf;
  }

  static Node sampleInternal(long block, int extraPivots) {
    Node node = new Node(block);
    int n = 4 + extraPivots;
    byte[][] pivots = new byte[n - 1][];
    for (int i = 0; i < n - 1; i++) {
      pivots[i] = b(String.format("p%04d-%s", i * 10, "x".repeat(20)));
    }
    long[] children = new long[n];
    MessageBuffer[] bufs = new MessageBuffer[n];
    for (int i = 0; i < n; i++) {
      children[i] = 100 + i * 3;
      bufs[i] = new MessageBuffer();
    }
    // messages of every type in the first partitions; one empty buffer
    byte[] lo1 = pivots[0];
    add(bufs[0], new Msg(MessageType.PUT, 10, b("a"), b("v1"), null));
    add(bufs[0], new Msg(MessageType.PUT, 11, new byte[0], new byte[0], null));
    add(bufs[0], new Msg(MessageType.DELETE, 12, b("a"), new byte[0], null));
    add(bufs[0], new Msg(MessageType.UPDATE, 13, b("b"), b("arg"), "sapwood.append"));
    add(bufs[0], new Msg(MessageType.DELETE_RANGE, 14, b("a"), b("b"), null));
    add(bufs[1], new Msg(MessageType.UPDATE, 20, lo1, new byte[0], "f".repeat(255)));
    add(bufs[1], new Msg(MessageType.DELETE_RANGE, 21, lo1, pivots[1], null));
    add(bufs[1], new Msg(MessageType.DELETE_RANGE, 15, lo1, pivots[1], null));
    add(bufs[3], new Msg(MessageType.PUT, 30, pivots[2], b("v".repeat(300)), null));
    node.setInternal(3, pivots, children, bufs);
    node.maxMsn = 30;
    return node;
  }

  private long write(Node node, byte codec) {
    NodeWriter.Result r = NodeWriter.write(node, codec);
    file.writeBlock(node.key(), r.block(), 0, r.block().length);
    return node.key();
  }

  /** Reads a node with every partition (the reader itself fetches none). */
  private Node readFully(long block) {
    Node node = NodeReader.read(file, block);
    for (int i = 0; i < node.n; i++) {
      assertFalse(node.loaded(i), "a node is read without its partitions");
      if (node.height == 0) {
        node.basements[i] = PartitionReader.readBasement(file, block, node.disk, i);
      } else {
        node.buffers[i] = PartitionReader.readBuffer(file, block, node.disk, i);
      }
    }
    return node;
  }

  static void assertSameNode(Node e, Node a) {
    assertEquals(e.key(), a.key());
    assertEquals(e.height, a.height);
    assertEquals(e.n, a.n);
    assertEquals(e.maxMsn, a.maxMsn);
    assertEquals(e.pivots.length, a.pivots.length);
    for (int i = 0; i < e.pivots.length; i++) {
      assertArrayEquals(e.pivots[i], a.pivots[i], "pivot " + i);
    }
    if (e.height == 0) {
      for (int i = 0; i < e.n; i++) {
        assertSameBasement(e.basements[i], a.basements[i], "basement " + i);
      }
    } else {
      assertArrayEquals(e.children, a.children);
      for (int i = 0; i < e.n; i++) {
        MessageBufferTest.assertSameMessages(MessageBufferTest.points(e.buffers[i]), MessageBufferTest.points(a.buffers[i]), "points " + i);
        MessageBufferTest.assertSameMessages(MessageBufferTest.ranges(e.buffers[i]), MessageBufferTest.ranges(a.buffers[i]), "ranges " + i);
        assertEquals(e.buffers[i].bytes(), a.buffers[i].bytes());
      }
    }
  }

  static void assertSameBasement(Basement e, Basement a, String what) {
    assertEquals(e.maxMsn(), a.maxMsn(), what);
    assertEquals(e.count(), a.count(), what);
    assertEquals(e.bytes(), a.bytes(), what);
    for (int j = 0; j < e.count(); j++) {
      assertArrayEquals(e.key(j), a.key(j), what + " key " + j);
      assertArrayEquals(e.value(j), a.value(j), what + " value " + j);
    }
  }

  @ParameterizedTest
  @ValueSource(bytes = {Compressors.NONE, Compressors.LZ4, Compressors.ZSTD})
  void leafRoundTrips(byte codec) {
    Node leaf = sampleLeaf(file.allocateBlockNumber(), 200_000);
    long block = write(leaf, codec);
    Node back = readFully(block);
    assertSameNode(leaf, back);
    assertNotNull(back.disk, "a leaf read from disk keeps its partition directory");
    assertEquals(codec, back.disk.codec(1), "an empty basement");
    assertEquals(codec, back.disk.codec(2), "the compressible basement");
    assertEquals(Compressors.NONE, back.disk.codec(3), "the random value's basement: compressing it does not pay");
  }

  /** Basement entries {@code k<first>..} of {@code len}-byte values, random where {@code random[e]}, else zeros. */
  private static Basement values(int first, int len, boolean... random) {
    Random rnd = new Random(first);
    BasementBuilder bb = new BasementBuilder(Integer.MAX_VALUE, 64, 1);
    for (int e = 0; e < random.length; e++) {
      byte[] k = b(String.format("k%05d", first + e));
      byte[] v = new byte[len];
      if (random[e]) {
        rnd.nextBytes(v);
      }
      bb.emit(k, 0, k.length, v, 0, v.length);
    }
    return bb.finish().get(0);
  }

  private static boolean[] runs(int zeros, int random, int zerosAfter) {
    boolean[] r = new boolean[zeros + random + zerosAfter];
    java.util.Arrays.fill(r, zeros, zeros + random, true);
    return r;
  }

  /**
   * A partition is stored as it is (codec NONE) where compressing saves less than an eighth of its
   * bytes, judged on its first frame (the rest is then not tried) and on the whole; elsewhere with
   * the node's codec. Every partition reads back the same, whichever its codec.
   */
  @ParameterizedTest
  @ValueSource(bytes = {Compressors.LZ4, Compressors.ZSTD})
  void aPartitionWhoseCompressionSavesLessThanAnEighthIsStoredAsItIs(byte codec) {
    int frame = NodeFormat.FRAME_TARGET / 500 + 1; // entries of a 500-byte value per frame
    Node leaf = new Node(file.allocateBlockNumber());
    leaf.setLeaf(new byte[][] {b("k01000"), b("k02000"), b("k03000")}, new Basement[] {
        values(0, 500, runs(5 * frame, 0, 0)), // zeros: compresses
        values(1000, 500, runs(0, 5 * frame, 0)), // random: does not
        values(2000, 500, runs(frame, 8 * frame, 0)), // a first frame of zeros, then random: not as a whole
        values(3000, 500, runs(0, frame, 8 * frame)), // a random first frame, then zeros: the rest untried
    });
    leaf.maxMsn = 1;
    Node back = readFully(write(leaf, codec));
    assertSameNode(leaf, back);
    PartitionDirectory dir = back.disk;
    assertEquals(codec, dir.codec(0));
    assertTrue(dir.compressedLength(0) < dir.rawLength(0) / 8, "zeros compress");
    for (int i = 1; i < 4; i++) {
      assertEquals(Compressors.NONE, dir.codec(i), "basement " + i);
      assertEquals(dir.rawLength(i), dir.compressedLength(i), "basement " + i + " stored as it is");
    }
    assertTrue(dir.frameEnd(2) - dir.firstFrame(2) > 1, "several frames in the partition judged whole");
  }

  @ParameterizedTest
  @ValueSource(bytes = {Compressors.NONE, Compressors.LZ4, Compressors.ZSTD})
  void singleEmptyLeafRoundTrips(byte codec) {
    Node leaf = Node.newLeaf(file.allocateBlockNumber());
    long block = write(leaf, codec);
    Node back = readFully(block);
    assertSameNode(leaf, back);
    assertEquals(0, back.basements[0].count());
  }

  @ParameterizedTest
  @ValueSource(bytes = {Compressors.NONE, Compressors.LZ4, Compressors.ZSTD})
  void internalNodeRoundTrips(byte codec) {
    Node node = sampleInternal(file.allocateBlockNumber(), 0);
    assertSameNode(node, readFully(write(node, codec)));
  }

  @ParameterizedTest
  @ValueSource(bytes = {Compressors.NONE, Compressors.LZ4, Compressors.ZSTD})
  void internalNodeWithAHeaderLargerThanTheProbeRoundTrips(byte codec) {
    Node node = sampleInternal(file.allocateBlockNumber(), 700);
    NodeWriter.Result r = NodeWriter.write(node, codec);
    assertTrue(r.directory().offset(0) > NodeFormat.HEADER_PROBE, "header must exceed the probe");
    assertSameNode(node, readFully(write(node, codec)));
  }

  /**
   * A header ending one to four bytes past the probe: its CRC straddles the probe's end (a
   * sound node of 16,385 bytes of header read as corrupt: "checksum of -3 bytes").
   */
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4})
  void internalNodeWhoseHeaderCrcStraddlesTheProbeRoundTrips(int past) {
    int h0 = headerLength(sampleInternal(1, 0));
    int perPivot = headerLength(sampleInternal(1, 1)) - h0; // each extra pivot adds the same
    int extra = (NodeFormat.HEADER_PROBE - 1 - h0) / perPivot; // the most that stay within the probe
    Node node = sampleInternal(file.allocateBlockNumber(), extra);
    int pad = NodeFormat.HEADER_PROBE + past - headerLength(node);
    byte[] last = node.pivots[node.n - 2];
    node.pivots[node.n - 2] = java.util.Arrays.copyOf(last, last.length + pad); // still the largest pivot
    assertEquals(NodeFormat.HEADER_PROBE + past, headerLength(node));
    assertSameNode(node, readFully(write(node, Compressors.NONE)));
  }

  private static int headerLength(Node node) {
    return java.nio.ByteBuffer.wrap(NodeWriter.write(node, Compressors.NONE).block()).getInt(4);
  }

  @Test
  void partialFetchReadsExactlyOneBasement() {
    Node leaf = sampleLeaf(file.allocateBlockNumber(), 5000);
    long block = write(leaf, Compressors.LZ4);
    Node shell = NodeReader.read(file, block);
    for (int i = 0; i < shell.n; i++) {
      assertNull(shell.basements[i]);
    }
    for (int i = shell.n - 1; i >= 0; i--) {
      io.reads.clear();
      Basement got = PartitionReader.readBasement(file, block, shell.disk, i);
      assertSameBasement(leaf.basements[i], got, "basement " + i);
      long bytesRead = io.reads.stream().mapToLong(r -> r[1]).sum();
      if (leaf.basements[i].count() == 0) {
        assertEquals(0, bytesRead, "an empty basement has no frames to read");
        continue;
      }
      assertEquals(shell.disk.compressedLength(i), bytesRead, "bytes read for basement " + i);
      long start = io.reads.stream().mapToLong(r -> r[0]).min().orElseThrow();
      assertEquals(file.blockOffset(block) + shell.disk.offset(i), start, "where basement " + i + " was read");
    }
  }

  @ParameterizedTest
  @ValueSource(bytes = {Compressors.NONE, Compressors.LZ4, Compressors.ZSTD})
  void flippingAnySingleByteOfALeafIsCorruption(byte codec) {
    assertEveryFlipIsCorruption(sampleLeaf(file.allocateBlockNumber(), 300), codec);
  }

  @ParameterizedTest
  @ValueSource(bytes = {Compressors.NONE, Compressors.LZ4, Compressors.ZSTD})
  void flippingAnySingleByteOfAnInternalNodeIsCorruption(byte codec) {
    assertEveryFlipIsCorruption(sampleInternal(file.allocateBlockNumber(), 2), codec);
  }

  private void assertEveryFlipIsCorruption(Node node, byte codec) {
    long block = write(node, codec);
    PartitionDirectory dir = NodeReader.read(file, block).disk;
    assertTrue(java.util.stream.IntStream.range(0, node.n).anyMatch(i -> dir.codec(i) == codec),
        "some partition is stored with codec " + codec + ": its decoder meets the flips");
    byte[] good = file.readBlock(block);
    Random rnd = new Random(codec);
    for (int at = 0; at < good.length; at++) {
      for (int mask : new int[] {0x01, 0xFF, 1 + rnd.nextInt(255)}) {
        byte[] bad = good.clone();
        bad[at] ^= (byte) mask;
        file.writeBlock(block, bad, 0, bad.length);
        try {
          Node got = readFully(block);
          fail("flip of byte " + at + " with mask " + mask + " of " + good.length + " (codec " + codec
              + ") read without error as " + got);
        } catch (CorruptionException expected) {
          // good
        } catch (RuntimeException | AssertionError other) {
          throw new AssertionError("flip of byte " + at + " with mask " + mask + " (codec " + codec
              + ") gave " + other, other);
        }
      }
    }
    file.writeBlock(block, good, 0, good.length);
    assertSameNode(node, readFully(block));
  }

  @Test
  void truncatedBlocksAreCorruption() {
    Node node = sampleInternal(file.allocateBlockNumber(), 0);
    long block = write(node, Compressors.NONE);
    byte[] good = file.readBlock(block);
    for (int len = 0; len < good.length; len += 7) {
      file.writeBlock(block, good, 0, len);
      assertThrows(CorruptionException.class, () -> readFully(block), "length " + len);
    }
  }
}
