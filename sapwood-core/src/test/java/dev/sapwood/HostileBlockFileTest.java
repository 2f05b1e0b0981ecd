package dev.sapwood;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crafted block files: a real database made with the public API, then damaged by targeted edits
 * through the documented format ({@link BlockFileImage}) — lengths that would size huge
 * allocations (in sparse files, so the file looks big enough), structural lies (cycles, a leaf
 * root, unmapped or shared blocks) and plain damage. Each case is opened, read whole, written and
 * verified in a child JVM with a 64 MiB heap and a time limit ({@link HostileChild}); the outcome
 * must be a {@link CorruptionException} — never an OutOfMemoryError, another exception, a hang or a
 * wrong answer. A pristine copy is the control: it must read back exactly, with a clean verify.
 */
class HostileBlockFileTest {
  private static final String FILE = "sapwood.db";
  private static final long CASE_TIMEOUT_MS = 30_000;
  private static final String CONTROL = "control-pristine";

  /**
   * Not damage: a next block number of 2^40 is legal (numbers are never reused). The file must read
   * back exactly and verify clean, in bounded time (the verifier once counted up to it).
   */
  private static final String HIGH_NEXT = "sound-next-block-number-2^40";

  @TempDir Path tmp;

  /** A case: an edit of the image (which writes the file itself). */
  interface Edit {
    void apply(BlockFileImage img) throws IOException;
  }

  private static Map<String, Edit> cases() {
    Map<String, Edit> c = new LinkedHashMap<>();
    c.put(CONTROL, BlockFileImage::write);
    // Header and block table.
    int bigTable = 28 + 20 * ((Integer.MAX_VALUE - 28) / 20);
    c.put("table-size-2g-sparse", img -> {
      img.headerField(88, bigTable, false);
      img.headerField(96, 1L << 40, true);
      img.write(img.tableOffset() + bigTable + 4096, 0, null);
    });
    c.put("table-size-2g-few-numbers-sparse", img -> {
      img.headerField(88, bigTable, false);
      img.write(img.tableOffset() + bigTable + 4096, 0, null);
    });
    c.put(HIGH_NEXT, img -> {
      img.headerField(96, 1L << 40, true);
      img.write();
    });
    c.put("table-entry-past-eof", img -> {
      BlockFileImage.Block b = img.table.get(img.catalogBlock);
      img.remap(b, b.offset(), 1 << 30);
      img.write();
    });
    c.put("table-byte-flipped", img -> {
      img.bytes[(int) img.tableOffset() + 30] ^= 0x40;
      img.write();
    });
    c.put("header-slots-garbage", img -> {
      img.putI64(0, 0x1234);
      img.putI64(4096, 0x1234);
      img.write();
    });
    c.put("file-truncated-to-half", img -> {
      img.bytes = java.util.Arrays.copyOf(img.bytes, img.bytes.length / 2);
      img.write();
    });
    // Catalog.
    c.put("catalog-1.5g-sparse", img -> {
      BlockFileImage.Block b = img.table.get(img.catalogBlock);
      long at = img.alignedEnd();
      int size = 1_500_000_000;
      byte[] original = img.copy(b.offset(), b.size());
      img.remap(b, at, size);
      img.write(at + size, at, original);
    });
    c.put("catalog-root-is-leaf", img -> {
      img.setRoot("a", leaf(img, "a", 0).block().number());
      img.write();
    });
    c.put("catalog-root-unmapped", img -> {
      img.setRoot("a", img.nextBlockNumber() + 7);
      img.write();
    });
    c.put("catalog-root-shared", img -> {
      img.setRoot("b", img.trees.get("a").root());
      img.write();
    });
    c.put("catalog-root-is-catalog", img -> {
      img.setRoot("a", img.catalogBlock);
      img.write();
    });
    c.put("catalog-byte-flipped", img -> {
      img.bytes[(int) img.table.get(img.catalogBlock).offset() + 9] ^= 1;
      img.write();
    });
    // Node lengths.
    c.put("node-header-1.4g-sparse", img -> {
      BlockFileImage.Block b = leaf(img, "a", 1).block();
      long at = img.alignedEnd();
      int size = 1_400_000_000;
      byte[] original = img.copy(b.offset(), b.size());
      java.nio.ByteBuffer.wrap(original).putInt(4, size - 100);
      img.remap(b, at, size);
      img.write(at + size, at, original);
    });
    c.put("leaf-block-1g-sparse", img -> {
      BlockFileImage.Block b = leaf(img, "a", 2).block();
      long at = img.alignedEnd();
      int size = 1 << 30;
      byte[] original = img.copy(b.offset(), b.size());
      img.remap(b, at, size);
      img.write(at + size, at, original);
    });
    c.put("leaf-frame-raw-1g", img -> rawLie(img, leaf(img, "a", 3), 1 << 30));
    c.put("leaf-frame-raw-30m", img -> rawLie(img, leaf(img, "a", 4), 30 << 20));
    c.put("buffer-frame-raw-1g", img -> rawLie(img, withBuffer(img), 1 << 30));
    c.put("buffer-frame-raw-30m", img -> rawLie(img, withBuffer(img), 30 << 20));
    c.put("node-header-length-8", img -> {
      BlockFileImage.NodeHeader h = leaf(img, "a", 5);
      img.putI32((int) h.block().offset() + 4, 8);
      img.write();
    });
    c.put("node-partition-count-2^20", img -> {
      BlockFileImage.NodeHeader h = leaf(img, "a", 6);
      img.putI32((int) h.block().offset() + 10, 1 << 20);
      img.resealNode(h);
      img.write();
    });
    c.put("node-frame-compressed-plus-1", img -> {
      BlockFileImage.NodeHeader h = leaf(img, "a", 7);
      BlockFileImage.Frame f = h.partitions().get(0).frames().get(0);
      int at = (int) h.block().offset() + f.compAt();
      img.putI32(at, img.i32(at) + 1);
      img.resealNode(h);
      img.write();
    });
    c.put("node-frame-byte-flipped", img -> {
      BlockFileImage.NodeHeader h = leaf(img, "a", 8);
      img.bytes[(int) h.block().offset() + h.headerLen() + 3] ^= 0x10;
      img.write();
    });
    c.put("node-zeroed", img -> {
      BlockFileImage.Block b = leaf(img, "a", 9).block();
      java.util.Arrays.fill(img.bytes, (int) b.offset(), (int) b.offset() + b.size(), (byte) 0);
      img.write();
    });
    // Structure.
    c.put("node-own-child", img -> {
      BlockFileImage.NodeHeader root = img.node(img.trees.get("a").root());
      setChild(img, root, 0, root.block().number());
    });
    c.put("node-own-child-below-root", img -> {
      BlockFileImage.NodeHeader h = atHeight(img, "a", 1);
      setChild(img, h, h.n() - 1, h.block().number());
    });
    c.put("node-parent-as-child", img -> {
      BlockFileImage.NodeHeader h = atHeight(img, "a", 1);
      BlockFileImage.NodeHeader parent = parentOf(img, "a", h.block().number());
      setChild(img, h, 0, parent.block().number());
    });
    c.put("node-child-unmapped", img -> {
      BlockFileImage.NodeHeader h = atHeight(img, "a", 1);
      setChild(img, h, 0, img.nextBlockNumber() + 11);
    });
    c.put("node-child-is-catalog", img -> {
      BlockFileImage.NodeHeader h = atHeight(img, "a", 1);
      setChild(img, h, 0, img.catalogBlock);
    });
    c.put("node-child-of-other-tree", img -> {
      BlockFileImage.NodeHeader h = atHeight(img, "a", 1);
      setChild(img, h, 0, leaf(img, "b", 0).block().number());
    });
    c.put("leaf-claims-height-1", img -> {
      BlockFileImage.NodeHeader h = leaf(img, "a", 10);
      img.bytes[(int) h.block().offset() + 9] = 1;
      img.resealNode(h);
      img.write();
    });
    return c;
  }

  private static BlockFileImage.NodeHeader leaf(BlockFileImage img, String tree, int i) {
    List<BlockFileImage.NodeHeader> leaves = new ArrayList<>();
    for (BlockFileImage.NodeHeader h : img.nodes(tree)) {
      if (h.height() == 0 && !h.partitions().get(0).frames().isEmpty()) {
        leaves.add(h);
      }
    }
    return leaves.get(i % leaves.size());
  }

  private static BlockFileImage.NodeHeader atHeight(BlockFileImage img, String tree, int height) {
    for (BlockFileImage.NodeHeader h : img.nodes(tree)) {
      if (h.height() == height) {
        return h;
      }
    }
    throw new IllegalStateException("no node at height " + height);
  }

  private static BlockFileImage.NodeHeader parentOf(BlockFileImage img, String tree, long child) {
    for (BlockFileImage.NodeHeader h : img.nodes(tree)) {
      for (long c : h.children()) {
        if (c == child) {
          return h;
        }
      }
    }
    throw new IllegalStateException("no parent of " + child);
  }

  /** An internal node of tree "a" with a buffered message in partition 0's frames, or any. */
  private static BlockFileImage.NodeHeader withBuffer(BlockFileImage img) {
    for (BlockFileImage.NodeHeader h : img.nodes("a")) {
      if (h.height() > 0 && !h.partitions().get(0).frames().isEmpty()) {
        return h;
      }
    }
    throw new IllegalStateException("no internal node with a buffered message");
  }

  private static void setChild(BlockFileImage img, BlockFileImage.NodeHeader h, int i, long child) throws IOException {
    img.putI64((int) h.block().offset() + h.childrenAt() + 8 * i, child);
    img.resealNode(h);
    img.write();
  }

  /** Makes partition 0's last frame claim {@code raw} raw bytes (and the partition with it). */
  private static void rawLie(BlockFileImage img, BlockFileImage.NodeHeader h, int raw) throws IOException {
    BlockFileImage.Partition p = h.partitions().get(0);
    List<BlockFileImage.Frame> fs = p.frames();
    int others = 0;
    for (int f = 0; f < fs.size() - 1; f++) {
      others += fs.get(f).raw();
    }
    int base = (int) h.block().offset();
    img.putI32(base + fs.get(fs.size() - 1).rawAt(), raw - others);
    img.putI32(base + p.rawAt(), raw);
    img.resealNode(h);
    img.write();
  }

  /** Tree "a" deep (several levels, buffered messages at the root), tree "b" small. */
  private static void buildPristine(Path dir) {
    Random r = new Random(42);
    try (Database db = Database.open(dir, HostileChild.options())) {
      Tree a = db.tree("a");
      Tree b = db.tree("b");
      for (int i = 0; i < 6000; i++) {
        byte[] v = new byte[40 + r.nextInt(80)];
        for (int j = 0; j < v.length; j++) {
          v[j] = (byte) ('a' + r.nextInt(6));
        }
        a.put(String.format("key%07d", i * 7919 % 6000).getBytes(US_ASCII), v);
        if (i % 10 == 0) {
          b.put(String.format("b%05d", i).getBytes(US_ASCII), v);
        }
      }
      db.checkpoint();
      for (int i = 0; i < 50; i++) {
        a.put(String.format("key%07d", r.nextInt(6000)).getBytes(US_ASCII), "late".getBytes(US_ASCII));
      }
    }
  }

  @Test
  void everyCraftedBlockFileIsReportedAsCorruption() throws Exception {
    Path pristine = Files.createDirectories(tmp.resolve("pristine"));
    buildPristine(pristine);
    Path reference = Files.createDirectories(tmp.resolve("reference"));
    Files.copy(pristine.resolve(FILE), reference.resolve(FILE));
    String expectedHash = Long.toHexString(HostileChild.readAll(reference));

    Map<String, Edit> cases = cases();
    List<String> args = new ArrayList<>();
    for (Map.Entry<String, Edit> e : cases.entrySet()) {
      Path d = Files.createDirectories(tmp.resolve(e.getKey()));
      Files.copy(pristine.resolve(FILE), d.resolve(FILE));
      e.getValue().apply(new BlockFileImage(d.resolve(FILE)));
      args.add(e.getKey() + "=" + d);
    }
    Map<String, String> results = runChildren(args);

    List<String> failures = new ArrayList<>();
    for (String name : cases.keySet()) {
      String result = results.getOrDefault(name, "MISSING (the child died)");
      System.out.printf("hostile %-34s %s%n", name, result.length() > 160 ? result.substring(0, 160) + "..." : result);
      boolean corrupt = result.startsWith("CORRUPT ") && result.contains(FILE);
      boolean good = name.equals(CONTROL) || name.equals(HIGH_NEXT)
          ? result.equals("OK " + expectedHash + " 0")
          : corrupt;
      if (!good) {
        failures.add(name + ": " + result);
      }
    }
    System.out.printf("hostile block files: %d cases, %d as required%n", cases.size(), cases.size() - failures.size());
    assertTrue(failures.isEmpty(), () -> failures.size() + " of " + cases.size() + " cases failed:\n" + String.join("\n", failures));
  }

  /**
   * Runs the cases in child JVMs (-Xmx64m), starting a new child after the cases a previous one
   * finished if it stopped early (a hang ends a child); returns each case's result line.
   */
  private Map<String, String> runChildren(List<String> args) throws Exception {
    Map<String, String> results = new LinkedHashMap<>();
    List<String> remaining = new ArrayList<>(args);
    int child = 0;
    while (!remaining.isEmpty()) {
      Path out = tmp.resolve("child-" + child + ".out");
      Path err = tmp.resolve("child-" + child + ".err");
      child++;
      List<String> cmd = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
          "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
          HostileChild.class.getName(), Long.toString(CASE_TIMEOUT_MS)));
      cmd.addAll(remaining);
      Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      long limit = CASE_TIMEOUT_MS * (remaining.size() + 2);
      if (!p.waitFor(limit, TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor();
      }
      int before = results.size();
      for (String line : Files.readAllLines(out, US_ASCII)) {
        if (line.startsWith("R ")) {
          int sp = line.indexOf(' ', 2);
          results.put(line.substring(2, sp), line.substring(sp + 1));
        }
      }
      remaining.removeIf(a -> results.containsKey(a.substring(0, a.indexOf('='))));
      if (results.size() == before) {
        System.out.println("hostile child made no progress; stderr: " + Files.readString(err));
        break;
      }
    }
    return results;
  }

  @Test
  void theImageParserFindsADeepTreeWithBufferedMessages() throws Exception {
    Path d = Files.createDirectories(tmp.resolve("shape"));
    buildPristine(d);
    BlockFileImage img = new BlockFileImage(d.resolve(FILE));
    BlockFileImage.NodeHeader root = img.node(img.trees.get("a").root());
    assertTrue(root.height() >= 2, "tree a should have a root at height 2 or more: " + root.height());
    assertEquals(2, img.trees.size());
    assertFalse(withBuffer(img).partitions().get(0).frames().isEmpty());
    try (RandomAccessFile f = new RandomAccessFile(d.resolve(FILE).toFile(), "r")) {
      assertEquals(img.bytes.length, f.length());
    }
  }
}
