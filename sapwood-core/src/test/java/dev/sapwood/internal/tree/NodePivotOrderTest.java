package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.CorruptionException;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.store.Header;
import dev.sapwood.internal.util.Compressors;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The node reader refuses a header whose pivots are not strictly ascending, wherever the pair out
 * of order sits (the first two, the last two, a tie), and reads every pivot of an ordered one. The
 * writer does not check the order, so the nodes below are written with their CRCs right.
 */
class NodePivotOrderTest {
  private final BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/db/nodes.sap"),
      new Header.Settings(16384, 1024, 4, Compressors.NONE));

  @AfterEach
  void close() {
    file.close();
  }

  private long write(Node node) {
    NodeWriter.Result r = NodeWriter.write(node, Compressors.NONE);
    file.writeBlock(node.key(), r.block(), 0, r.block().length);
    return node.key();
  }

  private Node internalWithPivots(int... keys) {
    Node node = NodeCodecTest.sampleInternal(file.allocateBlockNumber(), keys.length - 3);
    for (int i = 0; i < keys.length; i++) {
      node.pivots[i] = String.format("p%04d", keys[i]).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
    return node;
  }

  @Test
  void orderedPivotsAreReadBackInOrder() {
    Node node = internalWithPivots(10, 20, 30, 40, 50);
    Node back = NodeReader.read(file, write(node));
    assertEquals(6, back.n);
    for (int i = 0; i < 5; i++) {
      assertArrayEquals(node.pivots[i], back.pivots[i], "pivot " + i);
    }
  }

  @Test
  void theFirstTwoPivotsOutOfOrderAreCorruption() {
    assertRefused(internalWithPivots(20, 10, 30, 40, 50));
  }

  @Test
  void theLastTwoPivotsOutOfOrderAreCorruption() {
    assertRefused(internalWithPivots(10, 20, 30, 50, 40));
  }

  @Test
  void twoEqualPivotsAreCorruption() {
    assertRefused(internalWithPivots(10, 20, 20, 30, 40));
  }

  private void assertRefused(Node node) {
    long block = write(node);
    CorruptionException e = assertThrows(CorruptionException.class, () -> NodeReader.read(file, block));
    assertTrue(e.getMessage().contains("pivots out of order"), e.getMessage());
  }
}
