package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Compression;
import dev.sapwood.Database;
import dev.sapwood.Options;
import dev.sapwood.Tree;
import dev.sapwood.internal.io.NioFileIo;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.store.Header;
import dev.sapwood.internal.tools.Inspect;
import dev.sapwood.internal.tools.TreeShape;
import dev.sapwood.internal.util.Compressors;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A database remembers its shape (node, basement, fanout, compression) unless an open overrides it. */
class StoredShapeTest {
  @TempDir Path dir;

  private static final Options SMALL = Options.defaults().nodeSize(16 << 10).basementSize(4 << 10).fanout(4)
      .compression(Compression.ZSTD);

  @Test
  void reopeningWithDefaultOptionsKeepsTheRecordedShape() {
    try (Database db = Database.open(dir, SMALL)) {
      db.tree("t").put(b("first"), b("x"));
    }
    try (Database db = Database.open(dir)) { // defaults: 1 MiB nodes unless the shape is remembered
      fill(db.tree("t"), 20_000);
    }
    assertEquals(new Header.Settings(16 << 10, 4 << 10, 4, Compressors.ZSTD), recorded());
    TreeShape s = Inspect.tree(dir, "t");
    assertTrue(s.nodes().size() > 50, "about 2 MB in 16 KiB nodes is many nodes, not " + s.nodes().size());
    for (TreeShape.NodeInfo n : s.nodes()) {
      assertTrue(n.rawBytes() < 4 * (16 << 10), "node " + n.block() + " holds " + n.rawBytes() + " raw bytes");
    }
  }

  @Test
  void anExplicitFieldOverridesTheRecordedOneAndIsRecordedInTurn() {
    try (Database db = Database.open(dir, SMALL)) {
      db.tree("t").put(b("k"), b("v"));
    }
    try (Database db = Database.open(dir, Options.defaults().nodeSize(64 << 10).compression(Compression.LZ4))) {
      db.tree("t").put(b("k2"), b("v"));
    }
    assertEquals(new Header.Settings(64 << 10, 4 << 10, 4, Compressors.LZ4), recorded(),
        "node size and compression as overridden, basement and fanout as recorded");
    try (Database db = Database.open(dir)) {
      db.tree("t").put(b("k3"), b("v"));
    }
    assertEquals(new Header.Settings(64 << 10, 4 << 10, 4, Compressors.LZ4), recorded());
  }

  @Test
  void anExplicitBasementLargerThanTheRecordedNodeIsRefused() {
    Database.open(dir, SMALL).close();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Database.open(dir, Options.defaults().basementSize(32 << 10)).close());
    assertTrue(e.getMessage().contains("set nodeSize too"), e.getMessage());
    Database.open(dir, Options.defaults().nodeSize(64 << 10).basementSize(32 << 10)).close();
    assertEquals(new Header.Settings(64 << 10, 32 << 10, 4, Compressors.ZSTD), recorded());
  }

  @Test
  void optionsKnowWhichShapeFieldsWereSet() {
    Options o = Options.defaults().fanout(8).cacheSize(1 << 20);
    assertTrue(o.isFanoutSet() && !o.isNodeSizeSet() && !o.isBasementSizeSet() && !o.isCompressionSet());
    assertTrue(Options.defaults().nodeSize(1 << 20).isNodeSizeSet(), "set to the default value is still set");
  }

  private Header.Settings recorded() {
    try (BlockFile f = BlockFile.open(new NioFileIo(), dir.resolve(DatabaseOpener.FILE_NAME))) {
      return f.header().settings();
    }
  }

  private static void fill(Tree t, int n) {
    byte[] value = new byte[100];
    for (int i = 0; i < n; i++) {
      t.put(String.format("key%08d", i).getBytes(StandardCharsets.UTF_8), value);
    }
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
