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
 * The on-disk form of leaf deltas (docs/format/node.md, "Delta blocks"): a leaf names its delta
 * block in its header, a delta block round-trips, and anything bad read from one — any flipped
 * byte, a truncated block, a delta block of another leaf, a node where a delta should be — is a
 * {@link CorruptionException} naming the file and an offset.
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
    MessageBuffer peek = PartitionReader.peekBuffer(file, delta, NodeReader.readDelta(file, delta, leaf.key()), 0, key);
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
}
