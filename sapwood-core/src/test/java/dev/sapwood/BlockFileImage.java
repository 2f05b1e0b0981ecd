package dev.sapwood;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * A block file read into memory and parsed by the documented format alone (docs/format/
 * blockfile.md, catalog.md, node.md; no engine code), so that a test can make targeted edits —
 * change a field, then reseal the checksum that covers it — and write the file back, optionally
 * with a sparse tail. Used to craft hostile files ({@link HostileBlockFileTest}).
 */
final class BlockFileImage {
  static final int SLOT = 4096;

  /** One block table entry: where it is in the file, and where the entry itself is. */
  record Block(long number, long offset, int size, int entryAt) {}

  /** A tree in the catalog: where its root field is (offset in the catalog block). */
  record CatalogTree(String name, int id, long root, int rootAt) {}

  /** A frame entry: where its fields are, offsets in the node block. */
  record Frame(int compAt, int rawAt, int comp, int raw) {}

  /** A partition's directory entry and its frames. */
  record Partition(int rawAt, int raw, int codec, List<Frame> frames) {}

  /** A node header as parsed. */
  record NodeHeader(Block block, int headerLen, int height, int n, int childrenAt, long[] children,
      List<Partition> partitions) {}

  final Path path;
  byte[] bytes;
  final int slot;
  final Map<Long, Block> table = new TreeMap<>();
  final long catalogBlock;
  final Map<String, CatalogTree> trees = new LinkedHashMap<>();

  BlockFileImage(Path path) throws IOException {
    this.path = path;
    this.bytes = Files.readAllBytes(path);
    int best = -1;
    for (int s = 0; s < 2; s++) {
      if (slotValid(s) && (best < 0 || i64(s * SLOT + 16) > i64(best * SLOT + 16))) {
        best = s;
      }
    }
    if (best < 0) {
      throw new IllegalStateException("no valid header slot in " + path);
    }
    slot = best;
    long tableAt = tableOffset();
    int n = i32((int) tableAt + 16);
    for (int i = 0; i < n; i++) {
      int at = (int) tableAt + 24 + 20 * i;
      table.put(i64(at), new Block(i64(at), i64(at + 8), i32(at + 16), at));
    }
    catalogBlock = i64(slot * SLOT + 32);
    Block c = table.get(catalogBlock);
    int p = (int) c.offset() + 8;
    int count = i32((int) c.offset() + 4);
    for (int i = 0; i < count; i++) {
      int len = u16(p);
      String name = new String(bytes, p + 2, len, StandardCharsets.UTF_8);
      p += 2 + len;
      trees.put(name, new CatalogTree(name, i32(p), i64(p + 4), p + 4 - (int) c.offset()));
      p += 12;
    }
  }

  private boolean slotValid(int s) {
    int at = s * SLOT;
    return bytes.length >= at + SLOT && i64(at) == 0x5341505748445231L
        && crc(at, SLOT - 4) == i32(at + SLOT - 4);
  }

  long tableOffset() {
    return i64(slot * SLOT + 80);
  }

  int tableSize() {
    return i32(slot * SLOT + 88);
  }

  long nextBlockNumber() {
    return i64(slot * SLOT + 96);
  }

  // ---- node headers

  NodeHeader node(long number) {
    Block b = table.get(number);
    if (b == null) {
      throw new IllegalArgumentException("block " + number + " is not mapped");
    }
    int base = (int) b.offset();
    int headerLen = i32(base + 4);
    int height = u16(base + 8);
    boolean hasDelta = height == 0x8000; // format 6: a leaf naming its delta block after the pivots
    if (hasDelta) {
      height = 0;
    }
    height &= ~0x4000; // format 9: an internal node whose buffer filters follow its directory
    int n = i32(base + 10);
    int p = base + 22;
    for (int i = 0; i < n - 1; i++) {
      p += 2 + u16(p);
    }
    int childrenAt = p - base;
    long[] children = new long[height > 0 ? n : 0];
    for (int i = 0; i < children.length; i++) {
      children[i] = i64(p);
      p += 8;
    }
    if (hasDelta) {
      p += 8;
    }
    List<Partition> parts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int rawAt = p + 4 - base;
      int raw = i32(p + 4);
      int codec = bytes[p + 8] & 0xff;
      int frames = i32(p + 25);
      p += 33;
      List<Frame> fs = new ArrayList<>();
      for (int f = 0; f < frames; f++) {
        fs.add(new Frame(p - base, p + 4 - base, i32(p), i32(p + 4)));
        p += 14 + u16(p + 12);
      }
      parts.add(new Partition(rawAt, raw, codec, fs));
    }
    return new NodeHeader(b, headerLen, height, n, childrenAt, children, parts);
  }

  /** Every node of {@code tree}, parents before children. */
  List<NodeHeader> nodes(String tree) {
    List<NodeHeader> out = new ArrayList<>();
    collect(trees.get(tree).root(), out);
    return out;
  }

  private void collect(long block, List<NodeHeader> out) {
    NodeHeader h = node(block);
    out.add(h);
    for (long c : h.children()) {
      collect(c, out);
    }
  }

  /** Recomputes a node's header CRC after its header was edited. */
  void resealNode(NodeHeader h) {
    int base = (int) h.block().offset();
    putI32(base + h.headerLen() - 4, crc(base, h.headerLen() - 4));
  }

  // ---- catalog, table, header

  void resealCatalog() {
    Block c = table.get(catalogBlock);
    putI32((int) c.offset() + c.size() - 4, crc((int) c.offset(), c.size() - 4));
  }

  void setRoot(String tree, long root) {
    putI64((int) table.get(catalogBlock).offset() + trees.get(tree).rootAt(), root);
    resealCatalog();
  }

  void resealTable() {
    int at = (int) tableOffset();
    putI32(at + tableSize() - 4, crc(at, tableSize() - 4));
  }

  /** Moves block {@code b}'s table entry to a new offset and size, resealing the table. */
  void remap(Block b, long offset, int size) {
    putI64(b.entryAt() + 8, offset);
    putI32(b.entryAt() + 16, size);
    resealTable();
  }

  /** Sets a header field in both slots (so neither is a fallback) and reseals them. */
  void headerField(int field, long value, boolean isLong) {
    for (int s = 0; s < 2; s++) {
      if (isLong) {
        putI64(s * SLOT + field, value);
      } else {
        putI32(s * SLOT + field, (int) value);
      }
      putI32(s * SLOT + SLOT - 4, crc(s * SLOT, SLOT - 4));
    }
  }

  /** The first aligned offset at or past the end of the file image. */
  long alignedEnd() {
    return (bytes.length + 4095L) / 4096 * 4096;
  }

  /** Writes the image back; then, if {@code sparseLength > 0}, extends the file (sparse) to it and
   *  writes {@code tail} at {@code tailAt}. */
  void write(long sparseLength, long tailAt, byte[] tail) throws IOException {
    Files.write(path, bytes);
    if (sparseLength > 0) {
      try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "rw")) {
        f.setLength(sparseLength);
        if (tail != null) {
          f.seek(tailAt);
          f.write(tail);
        }
      }
    }
  }

  void write() throws IOException {
    write(0, 0, null);
  }

  // ---- bytes

  int crc(int at, int len) {
    CRC32C c = new CRC32C();
    c.update(bytes, at, len);
    return (int) c.getValue();
  }

  int u16(int at) {
    return ((bytes[at] & 0xff) << 8) | (bytes[at + 1] & 0xff);
  }

  int i32(int at) {
    return ByteBuffer.wrap(bytes).getInt(at);
  }

  long i64(int at) {
    return ByteBuffer.wrap(bytes).getLong(at);
  }

  void putI32(int at, int v) {
    ByteBuffer.wrap(bytes).putInt(at, v);
  }

  void putI64(int at, long v) {
    ByteBuffer.wrap(bytes).putLong(at, v);
  }

  byte[] copy(long at, int len) {
    byte[] out = new byte[len];
    System.arraycopy(bytes, (int) at, out, 0, len);
    return out;
  }
}
