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
import dev.sapwood.internal.util.Compressors;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A parked image given its buffer filters on the way to the file ({@link ParkedFilters}) is byte
 * for byte the image {@link NodeWriter} makes of the node with filters, so every filter probe
 * answers as the plain node's would: random internal nodes (point messages of every type, range
 * messages, empty buffers, each codec), a node past the filters' cap, one with none, and damage.
 */
class ParkedFiltersTest {
  private final BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/db/parked.sap"),
      new Header.Settings(16384, 1024, 4, Compressors.NONE));

  @AfterEach
  void close() {
    file.close();
  }

  /** An internal node of {@code n} buffers of up to {@code perBuffer} random messages each (some empty). */
  private static Node randomNode(Random r, long block, int n, int perBuffer) {
    byte[][] pivots = new byte[n - 1][];
    for (int i = 0; i < n - 1; i++) {
      pivots[i] = b(String.format("k%03d", i + 1));
    }
    MessageBuffer[] bufs = new MessageBuffer[n];
    long msn = 1;
    for (int i = 0; i < n; i++) {
      bufs[i] = new MessageBuffer();
      int count = r.nextInt(5) == 0 ? 0 : r.nextInt(perBuffer + 1);
      for (int j = 0; j < count; j++) {
        byte[] key = b(String.format("k%03d-%d", i, r.nextInt(perBuffer * 4 + 1)));
        byte[] value = new byte[r.nextInt(120)];
        r.nextBytes(value);
        int kind = r.nextInt(10);
        byte type = kind < 6 ? MessageType.PUT : kind < 8 ? MessageType.DELETE : MessageType.UPDATE;
        add(bufs[i], new Msg(type, msn++, key, type == MessageType.DELETE ? new byte[0] : value,
            type == MessageType.UPDATE ? "sapwood.append" : null));
      }
      if (r.nextInt(4) == 0) {
        add(bufs[i], new Msg(MessageType.DELETE_RANGE, msn++, b(String.format("k%03d-a", i)), b(String.format("k%03d-b", i)), null));
      }
    }
    Node node = new Node(block);
    long[] children = new long[n];
    for (int i = 0; i < n; i++) {
      children[i] = 100 + i;
    }
    node.setInternal(1 + r.nextInt(3), pivots, children, bufs);
    node.maxMsn = msn;
    return node;
  }

  /** Adds the filters to a copy of {@code parked} with {@code room} spare bytes; the bytes for the file. */
  private byte[] filtered(long block, NodeWriter.Result parked, int room) {
    byte[] image = Arrays.copyOf(parked.block(), parked.length() + room);
    ParkedFilters.Filtered out = ParkedFilters.add(file, block, image, parked.length());
    assertEquals(room >= out.length() - parked.length(), out.bytes() == image, "in place exactly when there is room");
    return Arrays.copyOf(out.bytes(), out.length());
  }

  @ParameterizedTest
  @ValueSource(bytes = {Compressors.NONE, Compressors.LZ4, Compressors.ZSTD})
  void aParkedImageWithItsFiltersAddedIsTheNodesFileImageByteForByte(byte codec) {
    long seed = new Random().nextLong();
    System.out.println("ParkedFiltersTest codec " + codec + " seed " + seed);
    Random r = new Random(seed);
    for (int round = 0; round < 25; round++) {
      long block = file.allocateBlockNumber();
      Node node = randomNode(r, block, 1 + r.nextInt(12), 1 + r.nextInt(400));
      byte[] plain = NodeWriter.write(node, codec).block();
      NodeWriter.Result parked = NodeWriter.write(node, codec, false);
      String ctx = "seed " + seed + " round " + round;
      assertEquals(BigEndian.getU16(plain, 8) & ~NodeFormat.HEIGHT_FILTER_FLAG, BigEndian.getU16(parked.block(), 8), ctx);
      byte[] inPlace = filtered(block, parked, ParkedFilters.ROOM);
      byte[] copied = filtered(block, parked, 0);
      assertArrayEquals(plain, inPlace, ctx + ": in place");
      assertArrayEquals(plain, copied, ctx + ": copied");
      PartitionDirectory want = NodeReader.readImage(file, block, plain, plain.length).disk;
      PartitionDirectory got = NodeReader.readImage(file, block, inPlace, inPlace.length).disk;
      for (int i = 0; i < node.n; i++) {
        assertEquals(want.hasFilter(i), got.hasFilter(i), ctx + " buffer " + i);
        for (int j = 0; j < 200; j++) {
          byte[] probe = b(String.format("k%03d-%d", i, j));
          assertEquals(want.pointsMayHold(i, probe), got.pointsMayHold(i, probe), ctx + " buffer " + i + " probe " + j);
        }
      }
      NodeCodecTest.assertSameNode(node, decoded(block, inPlace));
    }
  }

  /** The node an image decodes to, every buffer read. */
  private Node decoded(long block, byte[] image) {
    Node node = NodeReader.readImage(file, block, image, image.length);
    for (int i = 0; i < node.n; i++) {
      node.buffers[i] = PartitionReader.decodeBuffer(file, block, node.disk, i, image);
    }
    return node;
  }

  /** Four buffers of {@code perBuffer} PUTs each, buffer 2 empty. */
  private static Node uniform(long block, int perBuffer) {
    MessageBuffer[] bufs = new MessageBuffer[4];
    for (int i = 0; i < 4; i++) {
      bufs[i] = new MessageBuffer();
      for (int j = 0; i != 2 && j < perBuffer; j++) {
        add(bufs[i], new Msg(MessageType.PUT, 1 + i * perBuffer + j, b("k" + i + "-" + j), b("v" + j), null));
      }
    }
    Node node = new Node(block);
    node.setInternal(1, new byte[][] {b("k1"), b("k2"), b("k3")}, new long[] {10, 11, 12, 13}, bufs);
    node.maxMsn = 4L * perBuffer + 1;
    return node;
  }

  @Test
  void aNodePastTheCapGetsTheSameFewerBitsPerKeyAndOneWithTooManyKeysNone() {
    int many = BufferFilters.MAX_NODE_BYTES * 8 / KeyFilter.BITS_PER_KEY / 3 + 1_000;
    long block = file.allocateBlockNumber();
    Node node = uniform(block, many);
    byte[] plain = NodeWriter.write(node, Compressors.LZ4).block();
    assertTrue((BigEndian.getU16(plain, 8) & NodeFormat.HEIGHT_FILTER_FLAG) != 0, "capped, but filtered");
    assertArrayEquals(plain, filtered(block, NodeWriter.write(node, Compressors.LZ4, false), ParkedFilters.ROOM));

    int tooMany = BufferFilters.MAX_NODE_BYTES * 8 / (BufferFilters.MIN_BITS_PER_KEY - 1) / 3;
    long other = file.allocateBlockNumber();
    Node huge = uniform(other, tooMany);
    NodeWriter.Result parked = NodeWriter.write(huge, Compressors.NONE, false);
    ParkedFilters.Filtered out = ParkedFilters.add(file, other, parked.block(), parked.length());
    assertSame(parked.block(), out.bytes(), "no filters: the image as it is");
    assertEquals(parked.length(), out.length());
    assertEquals(0, out.built());
    assertArrayEquals(NodeWriter.write(huge, Compressors.NONE).block(), Arrays.copyOf(out.bytes(), out.length()));
  }

  @Test
  void theCountsNameTheFiltersBuiltAndTheKeysHashed() {
    long block = file.allocateBlockNumber();
    Node node = uniform(block, 300);
    NodeWriter.Result parked = NodeWriter.write(node, Compressors.LZ4, false);
    ParkedFilters.Filtered out = ParkedFilters.add(file, block, Arrays.copyOf(parked.block(), parked.length()), parked.length());
    assertEquals(3, out.built());
    assertEquals(900, out.keys());
    assertEquals(NodeWriter.write(node, Compressors.LZ4).directory().filterBytes(), out.filterBytes());
  }

  @Test
  void aDamagedParkedImageIsCorruptionNotAFilterThatHidesKeys() {
    long block = file.allocateBlockNumber();
    Node node = uniform(block, 300);
    NodeWriter.Result parked = NodeWriter.write(node, Compressors.LZ4, false);
    file.writeBlock(block, parked.block(), 0, parked.length()); // mapped: an older, sound image is in the file
    int headerLen = BigEndian.getInt(parked.block(), 4);
    byte[] frame = Arrays.copyOf(parked.block(), parked.length());
    frame[headerLen + 5] ^= 0x40; // in buffer 0's first frame
    CorruptionException e = assertThrows(CorruptionException.class, () -> ParkedFilters.add(file, block, frame, frame.length));
    assertNamesTheParkedImage(e, block, headerLen);
    byte[] header = Arrays.copyOf(parked.block(), parked.length());
    header[NodeFormat.FIXED_HEADER + 1] ^= 0x01; // a pivot's byte, under the header's checksum
    e = assertThrows(CorruptionException.class, () -> ParkedFilters.add(file, block, header, header.length));
    assertNamesTheParkedImage(e, block, headerLen - 4);
  }

  /**
   * The damaged bytes are in memory, not at the block's extent (which holds an older image): the
   * error names the parked image of the block and the byte in it, and no file offset.
   */
  private static void assertNamesTheParkedImage(CorruptionException e, long block, int byteInImage) {
    assertEquals(-1, e.offset(), e.getMessage());
    assertTrue(e.getMessage().contains("parked image of block " + block + ", its byte " + byteInImage), e.getMessage());
  }

  @Test
  void aDamagedImageOfABlockTheFileNeverHeldIsCorruptionToo() {
    long block = file.allocateBlockNumber(); // never written: a parked image's first home
    Node node = uniform(block, 300);
    NodeWriter.Result parked = NodeWriter.write(node, Compressors.LZ4, false);
    int headerLen = BigEndian.getInt(parked.block(), 4);
    byte[] frame = Arrays.copyOf(parked.block(), parked.length());
    frame[headerLen + 5] ^= 0x40;
    CorruptionException e = assertThrows(CorruptionException.class, () -> ParkedFilters.add(file, block, frame, frame.length));
    assertNamesTheParkedImage(e, block, headerLen);
  }
}
