package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.sapwood.internal.store.BlockFile;

/**
 * For tests outside this package: checks that every internal node of a tree in a block file is
 * byte for byte what {@link NodeWriter} makes of the node it decodes to (buffer filters included),
 * however it got there (written from the heap, or a parked image given its filters on the way).
 */
public final class PlainImages {
  private PlainImages() {}

  /** Checks the internal nodes under {@code root}; returns how many there were. */
  public static int check(BlockFile file, long root, String ctx) {
    byte[] block = file.readBlock(root);
    Node node = NodeReader.read(file, root);
    if (node.height == 0) {
      return 0;
    }
    for (int i = 0; i < node.n; i++) {
      node.buffers[i] = PartitionReader.readBuffer(file, root, node.disk, i);
    }
    byte[] plain = NodeWriter.write(node, file.header().settings().compression()).block(); // the database's codec
    assertArrayEquals(plain, block, ctx + ": internal node " + root + " (height " + node.height + ") is its plain image");
    int checked = 1;
    if (node.height > 1) {
      for (long child : node.children) {
        checked += check(file, child, ctx);
      }
    }
    return checked;
  }
}
