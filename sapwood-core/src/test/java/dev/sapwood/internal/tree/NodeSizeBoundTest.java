package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Limits;
import dev.sapwood.Options;
import org.junit.jupiter.api.Test;

/** No node the tree can build is too large to serialize, and a larger one is refused plainly. */
class NodeSizeBoundTest {
  @Test
  void theLargestNodeOfTheLargestNodeSizeFitsTheWriterAndTheReader() {
    long n = Options.MAX_NODE_SIZE;
    long message = NodeFormat.MIN_MESSAGE + Limits.MAX_KEY_SIZE + Limits.MAX_VALUE_SIZE + 1 + 255;
    // the root: twice its size of messages and one more, pivots of half a node or two keys
    long internal = 2 * n + message + Math.max(n / 2, 2L * (Limits.MAX_KEY_SIZE + 2)) + 8L * Options.MAX_FANOUT;
    // a leaf over its size holds one entry
    long leaf = Math.max(n, Basement.ENTRY_OVERHEAD + (long) Limits.MAX_KEY_SIZE + Limits.MAX_VALUE_SIZE);
    assertTrue(internal <= NodeFormat.MAX_NODE_BYTES, "internal node of " + internal);
    assertTrue(leaf <= NodeFormat.MAX_NODE_BYTES, "leaf of " + leaf);
    assertTrue(NodeFormat.MAX_NODE_BYTES <= NodeFormat.MAX_RAW_PARTITION, "a partition the writer writes is read back");
    // a block: frames of at most their raw size (+0.4% for LZ4), a frame table of first keys of at
    // most the frames' raw bytes and 14 bytes per frame of at least FRAME_TARGET bytes
    double block = NodeFormat.MAX_NODE_BYTES * (2.01 + 14.0 / NodeFormat.FRAME_TARGET) + (64 << 20);
    assertTrue(block < Integer.MAX_VALUE, "a block's int lengths and offsets cannot overflow: " + block);
  }

  @Test
  void aNodeOverTheLargestIsRefusedBeforeItIsSerialized() {
    assertDoesNotThrow(() -> NodeWriter.checkSize(5, NodeFormat.MAX_NODE_BYTES));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> NodeWriter.checkSize(5, NodeFormat.MAX_NODE_BYTES + 1));
    assertTrue(e.getMessage().contains("node 5"), e.getMessage());
  }
}
