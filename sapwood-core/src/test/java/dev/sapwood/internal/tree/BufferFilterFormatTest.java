package dev.sapwood.internal.tree;

import static dev.sapwood.internal.tree.MessageBufferTest.add;
import static dev.sapwood.internal.tree.MessageBufferTest.b;
import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.CorruptionException;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.store.Header;
import dev.sapwood.internal.tree.MessageBufferTest.Msg;
import dev.sapwood.internal.util.BigEndian;
import dev.sapwood.internal.util.Checksums;
import dev.sapwood.internal.util.Compressors;
import java.nio.file.Path;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The key filters of internal nodes' buffers in the node header (docs/format/node.md, "Buffer filters"). */
class BufferFilterFormatTest {
  private final BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/db/filters.sap"),
      new Header.Settings(16384, 1024, 4, Compressors.NONE));

  @AfterEach
  void close() {
    file.close();
  }

  private long write(Node node, byte codec, boolean filters) {
    byte[] block = NodeWriter.write(node, codec, filters).block();
    file.writeBlock(node.key(), block, 0, block.length);
    return node.key();
  }

  /** Reads a node and every partition of it. */
  private Node readFully(long block) {
    Node node = NodeReader.read(file, block);
    for (int i = 0; i < node.n; i++) {
      if (node.height == 0) {
        node.basements[i] = PartitionReader.readBasement(file, block, node.disk, i);
      } else {
        node.buffers[i] = PartitionReader.readBuffer(file, block, node.disk, i);
      }
    }
    return node;
  }

  private static int heightField(byte[] block) {
    return BigEndian.getU16(block, 8);
  }

  /** An internal node of 4 buffers with {@code perBuffer} point messages each (buffer 2 empty, buffer 3 also a range). */
  private static Node internal(long block, int perBuffer) {
    Node node = new Node(block);
    byte[][] pivots = {b("k1"), b("k2"), b("k3")};
    MessageBuffer[] bufs = new MessageBuffer[4];
    for (int i = 0; i < 4; i++) {
      bufs[i] = new MessageBuffer();
      for (int j = 0; i != 2 && j < perBuffer; j++) {
        add(bufs[i], new Msg(MessageType.PUT, 1 + i * perBuffer + j, b("k" + i + "-" + j), b("v" + j), null));
      }
    }
    add(bufs[3], new Msg(MessageType.DELETE_RANGE, 1_000_000, b("k3-x"), b("k3-y"), null));
    node.setInternal(2, pivots, new long[] {10, 11, 12, 13}, bufs);
    node.maxMsn = 1_000_000;
    return node;
  }

  @ParameterizedTest
  @ValueSource(bytes = {Compressors.NONE, Compressors.LZ4, Compressors.ZSTD})
  void aWrittenInternalNodeCarriesFiltersThatAdmitEveryPointKeyAfterReopen(byte codec) {
    Node node = internal(file.allocateBlockNumber(), 500);
    long block = write(node, codec, true);
    byte[] bytes = file.readBlock(block);
    assertEquals(2 | NodeFormat.HEIGHT_FILTER_FLAG, heightField(bytes));
    PartitionDirectory d = NodeReader.read(file, block).disk;
    int ruledOut = 0;
    for (int i = 0; i < 4; i++) {
      assertEquals(i != 2, d.hasFilter(i), "buffer " + i + " has a filter exactly when it has point messages");
      for (int j = 0; j < 500; j++) {
        assertTrue(i == 2 || d.pointsMayHold(i, b("k" + i + "-" + j)), "buffer " + i + " key " + j);
        ruledOut += d.pointsMayHold(i, b("k" + i + "+" + j)) ? 0 : 1;
      }
    }
    assertTrue(ruledOut > 4 * 500 * 9 / 10 - 500, "filters rule most absent keys out: " + ruledOut);
    assertTrue(d.filterBytes() >= 3 * 500 * KeyFilter.BITS_PER_KEY / 8, "10 bits per key: " + d.filterBytes());
    NodeCodecTest.assertSameNode(node, readFully(block));
  }

  /** The example of docs/format/node.md, "Buffer filters": one point message of key "c". */
  @Test
  void workedExampleOfTheFormatDoc() {
    MessageBuffer buf = new MessageBuffer();
    add(buf, new Msg(MessageType.PUT, 8, b("c"), b("x"), null));
    byte[] entry = new byte[13];
    BufferFilters.write(entry, 0, new KeyFilter[] {KeyFilter.of(buf, KeyFilter.BITS_PER_KEY)});
    assertEquals("06000000080840800004200001", java.util.HexFormat.of().formatHex(entry));
  }

  /** A filter that would hide a message its buffer holds is reported by the inspector (and so by `sapwood verify`). */
  @Test
  void theInspectorReportsAFilterThatHidesAKey() {
    Node node = internal(file.allocateBlockNumber(), 20);
    long block = write(node, Compressors.NONE, true);
    byte[] good = file.readBlock(block);
    int at = filterSection(node, good)[0];
    int len0 = BigEndian.getInt(good, at + 1);
    byte[] bad = good.clone();
    java.util.Arrays.fill(bad, at + 5, at + 5 + len0, (byte) 0); // buffer 0's filter: all "absent"
    int headerLen = BigEndian.getInt(bad, 4);
    BigEndian.putInt(bad, headerLen - 4, Checksums.crc32c(bad, 0, headerLen - 4));
    file.writeBlock(block, bad, 0, bad.length);
    NodeInspector inspector = NodeInspector.read(file, block);
    assertThrows(CorruptionException.class, () -> inspector.buffer(0));
    assertEquals(20, inspector.buffer(1).size(), "the other buffers' filters admit their keys");
  }

  /** What a get reads of a buffer whose filter rules its key out but that has range messages. */
  @Test
  void aRangesOnlyPeekReadsTheRangeMessagesAndNoPointMessage() {
    Node node = internal(file.allocateBlockNumber(), 300);
    long block = write(node, Compressors.LZ4, true);
    PartitionDirectory d = NodeReader.read(file, block).disk;
    assertTrue(d.pointFrameEnd(3) - d.firstFrame(3) > 1, "buffer 3 has several point frames");
    MessageBuffer got = FramePeeks.peekBufferRanges(file, null, block, d, 3);
    assertEquals(0, got.pointCount());
    assertEquals(1, got.rangeCount());
    MessageBuffer none = FramePeeks.peekBufferRanges(file, null, block, d, 0);
    assertEquals(0, none.pointCount() + none.rangeCount());
  }

  @Test
  void aNodeWithoutPointMessagesAndALeafHaveNoFilters() {
    Node empty = internal(file.allocateBlockNumber(), 0);
    assertEquals(2, heightField(NodeWriter.write(empty, Compressors.NONE).block()));
    Node leaf = NodeCodecTest.sampleLeaf(file.allocateBlockNumber(), 100);
    assertEquals(0, heightField(NodeWriter.write(leaf, Compressors.NONE).block()));
  }

  @Test
  void aNodeOfFormat8ReadsAsHavingNoFilterAndAnswersMaybe() {
    Node node = internal(file.allocateBlockNumber(), 50);
    long block = write(node, Compressors.LZ4, false);
    assertEquals(2, heightField(file.readBlock(block)), "no flag: the format-8 header");
    PartitionDirectory d = NodeReader.read(file, block).disk;
    for (int i = 0; i < 4; i++) {
      assertFalse(d.hasFilter(i));
      assertTrue(d.pointsMayHold(i, b("absent")));
    }
    assertEquals(0, d.filterBytes());
    NodeCodecTest.assertSameNode(node, readFully(block));
  }

  @Test
  void aNodeOverTheCapWritesFewerBitsPerKeyThenNoFilters() {
    int many = BufferFilters.MAX_NODE_BYTES * 8 / KeyFilter.BITS_PER_KEY / 3 + 1_000; // > 10 bits per key over 3 buffers
    Node node = internal(file.allocateBlockNumber(), many);
    PartitionDirectory d = NodeWriter.write(node, Compressors.LZ4).directory();
    assertTrue(d.hasFilter(0));
    assertTrue(d.filterBytes() <= BufferFilters.MAX_NODE_BYTES, "capped: " + d.filterBytes());
    for (int j = 0; j < many; j += 97) {
      assertTrue(d.pointsMayHold(1, b("k1-" + j)));
    }
    int tooMany = BufferFilters.MAX_NODE_BYTES * 8 / (BufferFilters.MIN_BITS_PER_KEY - 1) / 3;
    Node huge = internal(file.allocateBlockNumber(), tooMany);
    assertEquals(2, heightField(NodeWriter.write(huge, Compressors.NONE).block()), "below 4 bits per key: no filters");
  }

  /** The filter section of a node written with filters: [start, end) in its block. */
  private static int[] filterSection(Node node, byte[] block) {
    int headerLen = BigEndian.getInt(block, 4);
    int len = (int) BufferFilters.headerBytes(BufferFilters.build(node.buffers, node.n));
    return new int[] {headerLen - 4 - len, headerLen - 4};
  }

  /** Changes a copy of {@code good} with {@code change}, fixes its header CRC, and reads the node whole. */
  private void readChanged(long block, byte[] good, Consumer<byte[]> change) {
    byte[] bad = good.clone();
    change.accept(bad);
    int headerLen = BigEndian.getInt(bad, 4);
    if (headerLen >= 8 && headerLen <= bad.length) {
      BigEndian.putInt(bad, headerLen - 4, Checksums.crc32c(bad, 0, headerLen - 4));
    }
    file.writeBlock(block, bad, 0, bad.length);
    readFully(block);
  }

  @Test
  void badFilterFieldsUnderAGoodChecksumAreCorruption() {
    Node node = internal(file.allocateBlockNumber(), 20);
    long block = write(node, Compressors.NONE, true);
    byte[] good = file.readBlock(block);
    int at = filterSection(node, good)[0]; // buffer 0's entry
    int len0 = BigEndian.getInt(good, at + 1);
    int entry2 = at + 5 + len0 + 5 + BigEndian.getInt(good, at + 5 + len0 + 1); // the empty buffer's
    assertCorrupt(block, good, b -> b[at] = 0, "hashes 0 with a length");
    assertCorrupt(block, good, b -> b[at] = (byte) (KeyFilter.MAX_HASHES + 1), "too many probes");
    assertCorrupt(block, good, b -> BigEndian.putInt(b, at + 1, 0), "an empty filter with probes");
    assertCorrupt(block, good, b -> BigEndian.putInt(b, at + 1, Integer.MAX_VALUE), "a length past the header");
    assertCorrupt(block, good, b -> BigEndian.putInt(b, at + 1, -1), "a negative length");
    assertCorrupt(block, good, b -> BigEndian.putInt(b, at + 1, len0 + 1), "a length one past its bytes");
    assertCorrupt(block, good, b -> { b[entry2] = 6; BigEndian.putInt(b, entry2 + 1, 1); },
        "a filter on a buffer without point messages");
    assertCorrupt(block, good, b -> BigEndian.putU16(b, 8, 0 | NodeFormat.HEIGHT_FILTER_FLAG), "the flag on a leaf");
    assertCorrupt(block, good, b -> BigEndian.putU16(b, 8, 2), "filters without the flag: bytes before the CRC left over");
    byte[] leaf = NodeWriter.write(NodeCodecTest.sampleLeaf(block, 100), Compressors.NONE).block();
    assertCorrupt(block, leaf, b -> BigEndian.putU16(b, 8, NodeFormat.HEIGHT_FILTER_FLAG), "a leaf flagged");
    byte[] plain = NodeWriter.write(node, Compressors.NONE, false).block();
    assertCorrupt(block, plain, b -> BigEndian.putU16(b, 8, 2 | NodeFormat.HEIGHT_FILTER_FLAG), "the flag without filters");
    file.writeBlock(block, good, 0, good.length);
    NodeCodecTest.assertSameNode(node, readFully(block));
  }

  private void assertCorrupt(long block, byte[] good, Consumer<byte[]> change, String what) {
    assertThrows(CorruptionException.class, () -> readChanged(block, good, change), what);
  }

  /**
   * Every byte of the filter section set to other values under a good checksum reads as
   * corruption or as a node (a changed filter bit is a valid filter), never as another exception.
   */
  @Test
  void everyByteOfTheFiltersChangedUnderAGoodChecksumIsCorruptionOrANode() {
    Node node = internal(file.allocateBlockNumber(), 8);
    long block = write(node, Compressors.LZ4, true);
    byte[] good = file.readBlock(block);
    int[] span = filterSection(node, good);
    long seed = new Random().nextLong();
    Random rnd = new Random(seed);
    for (int at = span[0]; at < span[1]; at++) {
      for (int v : new int[] {0, 0xFF, 1, rnd.nextInt(256)}) {
        int where = at;
        try {
          readChanged(block, good, b -> b[where] = (byte) v);
        } catch (CorruptionException expected) {
          // good
        } catch (RuntimeException | AssertionError other) {
          throw new AssertionError("byte " + at + " set to " + v + " (seed " + seed + ") gave " + other, other);
        }
      }
    }
  }
}
