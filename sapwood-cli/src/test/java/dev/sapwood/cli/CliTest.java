package dev.sapwood.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Cursor;
import dev.sapwood.Database;
import dev.sapwood.Options;
import dev.sapwood.Tree;
import dev.sapwood.internal.tools.Inspect;
import dev.sapwood.internal.tools.TreeShape;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every command of the {@code sapwood} command line, including bad input. */
class CliTest {
  @TempDir Path tmp;
  Path db;

  /** One run's exit status and output. */
  record Run(int status, String out, String err) {
    Run expect(int expected) {
      assertEquals(expected, status, () -> "exit status; out:\n" + out + "\nerr:\n" + err);
      return this;
    }
  }

  static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @BeforeEach
  void makeDatabase() {
    db = tmp.resolve("db");
    run("put", "--create", db.toString(), "users", "alice", "admin").expect(0);
    run("put", db.toString(), "users", "bob", "dev").expect(0);
    run("put", db.toString(), "users", "carol", "ops").expect(0);
    run("put", db.toString(), "groups", "admins", "alice").expect(0);
  }

  private String d() {
    return db.toString();
  }

  @Test
  void getPutDelete() {
    assertEquals("admin\n", run("get", d(), "users", "alice").expect(0).out());
    Run missing = run("get", d(), "users", "zed").expect(1);
    assertTrue(missing.err().contains("not found"), missing.err());
    run("put", d(), "users", "alice", "root").expect(0);
    assertEquals("root\n", run("get", d(), "users", "alice").expect(0).out());
    run("delete", d(), "users", "alice").expect(0);
    run("get", d(), "users", "alice").expect(1);
    assertTrue(run("delete", d(), "users", "alice").expect(0).out().contains("was not there"));
  }

  @Test
  void hexAndJsonModes() {
    run("put", "--hex", d(), "bin", "00ff", "0x0102").expect(0);
    assertEquals("0102\n", run("get", "--hex", d(), "bin", "00ff").expect(0).out());
    assertEquals("{\"key_hex\":\"00ff\",\"value_hex\":\"0102\"}\n", run("get", "--json", "--hex", d(), "bin", "00ff").expect(0).out());
    assertEquals("\\x00\\xff\t\\x01\\x02\n", run("scan", d(), "bin").expect(0).out(), "unprintable bytes are escaped as export writes them");
    assertEquals("{\"key\":\"alice\",\"value\":\"admin\"}\n", run("get", "--json", d(), "users", "alice").expect(0).out());
    Run bad = run("get", "--hex", d(), "bin", "zz").expect(2);
    assertTrue(bad.err().contains("not hex"), bad.err());
  }

  @Test
  void scanRangesPrefixLimitReverse() {
    for (String k : new String[] {"a1", "a2", "a3", "b1", "b2"}) {
      run("put", d(), "s", k, "v" + k).expect(0);
    }
    assertEquals("a1\tva1\na2\tva2\na3\tva3\nb1\tvb1\nb2\tvb2\n", run("scan", d(), "s").expect(0).out());
    assertEquals("a2\tva2\na3\tva3\n", run("scan", d(), "s", "--from", "a2", "--to", "b1").expect(0).out());
    assertEquals("b1\tvb1\nb2\tvb2\n", run("scan", d(), "s", "--prefix", "b").expect(0).out());
    assertEquals("b2\tvb2\nb1\tvb1\na3\tva3\n", run("scan", d(), "s", "--reverse", "--limit", "3").expect(0).out());
    assertEquals("a3\tva3\na2\tva2\n", run("scan", d(), "s", "--reverse", "--prefix", "a", "--from", "a2").expect(0).out());
    assertEquals("a2\tva2\na1\tva1\n", run("scan", d(), "s", "--reverse", "--to", "a3").expect(0).out());
    assertEquals("{\"key\":\"b2\",\"value\":\"vb2\"}\n", run("scan", d(), "s", "--json", "--reverse", "--limit", "1").expect(0).out());
    run("scan", d(), "s", "--limit", "-1").expect(2);
  }

  /** Keys and values with every awkward byte: tabs, newlines, backslashes, bad UTF-8, empty. */
  private static List<byte[][]> awkwardEntries() {
    List<byte[][]> e = new ArrayList<>();
    e.add(new byte[][] {"".getBytes(StandardCharsets.UTF_8), "empty key".getBytes(StandardCharsets.UTF_8)});
    e.add(new byte[][] {"tab\there".getBytes(StandardCharsets.UTF_8), "line\nbreak\r\n".getBytes(StandardCharsets.UTF_8)});
    e.add(new byte[][] {"back\\slash \\x41".getBytes(StandardCharsets.UTF_8), new byte[0]});
    e.add(new byte[][] {"ünïcødé ✓ 𝄞".getBytes(StandardCharsets.UTF_8), "\u0000\u0085\u007f".getBytes(StandardCharsets.UTF_8)});
    e.add(new byte[][] {{(byte) 0xff, (byte) 0xc3, 0x28, (byte) 0xed, (byte) 0xa0, (byte) 0x80}, {(byte) 0xe2, (byte) 0x82}});
    for (int i = 0; i < 300; i++) {
      byte[] k = new byte[1 + i % 7];
      for (int j = 0; j < k.length; j++) {
        k[j] = (byte) (i * 31 + j * 17);
      }
      e.add(new byte[][] {k, ("value " + i).getBytes(StandardCharsets.UTF_8)});
    }
    return e;
  }

  private static List<String> contents(Path dir, String tree) {
    List<String> out = new ArrayList<>();
    try (Database d = Database.open(dir); Cursor c = d.tree(tree).cursor()) {
      for (boolean ok = c.first(); ok; ok = c.next()) {
        out.add(Text.hex(c.key()) + "=" + Text.hex(c.value()));
      }
    }
    return out;
  }

  @Test
  void exportAndLoadRoundTripByteForByte() throws Exception {
    try (Database d = Database.open(db)) {
      Tree t = d.tree("raw");
      for (byte[][] kv : awkwardEntries()) {
        t.put(kv[0], kv[1]);
      }
    }
    List<String> expected = contents(db, "raw");
    for (String[] mode : new String[][] {{}, {"--json"}, {"--hex"}, {"--json", "--hex"}}) {
      Path file = tmp.resolve("export" + String.join("", mode) + ".txt");
      List<String> export = new ArrayList<>(List.of("export", d(), "raw", "-o", file.toString()));
      export.addAll(List.of(mode));
      assertTrue(run(export.toArray(String[]::new)).expect(0).out().contains("exported " + expected.size() + " keys"));
      Path other = tmp.resolve("copy" + String.join("", mode));
      List<String> load = new ArrayList<>(List.of("load", "--create", other.toString(), "raw", file.toString()));
      load.addAll(List.of(mode));
      assertTrue(run(load.toArray(String[]::new)).expect(0).out().contains("loaded " + expected.size() + " keys"));
      assertEquals(expected, contents(other, "raw"), "mode " + List.of(mode));
      Path again = tmp.resolve("again" + String.join("", mode) + ".txt");
      export.set(4, again.toString());
      export.set(1, other.toString());
      run(export.toArray(String[]::new)).expect(0);
      assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(again), "export is byte for byte the same");
    }
    // Standard output, then standard input.
    String text = run("export", d(), "users").expect(0).out();
    assertEquals("alice\tadmin\nbob\tdev\ncarol\tops\n", text);
    InputStream stdin = System.in;
    try {
      System.setIn(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
      run("load", d(), "users2", "-").expect(0);
    } finally {
      System.setIn(stdin);
    }
    assertEquals(contents(db, "users"), contents(db, "users2"));
  }

  @Test
  void loadRejectsBadLinesWithTheirNumber() throws Exception {
    Path file = tmp.resolve("bad.tsv");
    Files.writeString(file, "a\t1\nno tab here\n");
    Run r = run("load", d(), "t", file.toString()).expect(2);
    assertTrue(r.err().contains("line 2") && r.err().contains("tab"), r.err());
    Files.writeString(file, "{\"key\":\"a\"}\n");
    r = run("load", "--json", d(), "t", file.toString()).expect(2);
    assertTrue(r.err().contains("line 1") && r.err().contains("value"), r.err());
    Files.write(file, new byte[] {'a', '\t', (byte) 0xff, '\n'});
    r = run("load", d(), "t", file.toString()).expect(2);
    assertTrue(r.err().contains("not UTF-8"), r.err());
    run("load", d(), "t", tmp.resolve("absent.tsv").toString()).expect(2);
  }

  @Test
  void treesAndStats() {
    Run trees = run("trees", d()).expect(0);
    assertTrue(trees.out().startsWith("TREE"), trees.out());
    assertTrue(trees.out().matches("(?s).*\\busers\\s+3\\s.*"), trees.out());
    assertTrue(trees.out().matches("(?s).*\\bgroups\\s+1\\s.*"), trees.out());
    assertTrue(run("trees", "--json", d()).expect(0).out().contains("{\"name\":\"users\",\"keys\":3,"));
    Run stats = run("stats", d()).expect(0);
    assertTrue(stats.out().contains("cache:\n") && stats.out().contains("budget_bytes"), stats.out());
    String json = run("stats", "--json", d()).expect(0).out().trim();
    assertTrue(json.startsWith("{\"") && json.endsWith("}") && json.contains("\"db.trees\":2"), json);
  }

  @Test
  void verifyPassesAHealthyDatabaseAndFindsDamage() throws Exception {
    try (Database d = Database.open(db, Options.defaults().nodeSize(16 << 10).basementSize(4 << 10))) {
      Tree t = d.tree("big");
      for (int i = 0; i < 20_000; i++) {
        t.put(String.format("key%08d", i).getBytes(StandardCharsets.UTF_8), ("v" + i).getBytes(StandardCharsets.UTF_8));
      }
    }
    Run ok = run("verify", d()).expect(0);
    assertTrue(ok.out().startsWith("ok: "), ok.out());
    TreeShape shape = Inspect.tree(db, "big");
    assertTrue(shape.height() >= 1, "a tree of several levels: " + shape.levels());
    TreeShape.NodeInfo leaf = shape.nodes().stream().filter(n -> n.height() == 0).skip(1).findFirst().orElseThrow();
    flip(Inspect.blockFile(db), leaf.offset() + leaf.blockBytes() - 10);
    Run bad = run("verify", d()).expect(1);
    assertTrue(bad.out().contains("problem: ") && bad.out().contains("block " + leaf.block()), bad.out());
    assertTrue(bad.out().contains("checksum"), bad.out());
    assertTrue(bad.out().contains("1 problem found"), bad.out());
  }

  @Test
  void aDamagedFileIsSaidToBeDamaged() throws Exception {
    run("verify", d()).expect(0);
    try (RandomAccessFile f = new RandomAccessFile(Inspect.blockFile(db).toFile(), "rw")) {
      f.seek(0);
      f.write(new byte[8192]); // both header slots
    }
    Run get = run("get", d(), "users", "alice").expect(1);
    assertTrue(get.err().startsWith("sapwood: the database is damaged: "), get.err());
    assertEquals(1, get.err().lines().count(), "one line, no stack trace: " + get.err());
    Run verify = run("verify", d()).expect(1);
    assertTrue(verify.out().contains("problem: ") && verify.out().contains("1 problem found"), verify.out());
    Run verbose = run("get", "--verbose", d(), "users", "alice").expect(1);
    assertTrue(verbose.err().contains("\tat dev.sapwood."), "--verbose prints the stack trace: " + verbose.err());
  }

  @Test
  void aLockedDatabaseIsSaidToBeLocked() {
    try (Database open = Database.open(db)) {
      for (String[] args : new String[][] {{"get", d(), "users", "alice"}, {"verify", d()}, {"trees", d()},
          {"dump", d(), "users"}, {"compact", d()}, {"stats", d()}, {"put", d(), "users", "x", "y"}}) {
        Run r = run(args).expect(1);
        assertTrue(r.err().contains("already open") && r.err().contains("locked"), args[0] + ": " + r.err());
        assertEquals(1, r.err().lines().count(), r.err());
      }
      assertEquals(List.of("groups", "users"), open.treeNames());
    }
  }

  @Test
  void missingDirectoryNoDatabaseUnknownTreeAreUsageErrors() throws Exception {
    String missing = tmp.resolve("nope").toString();
    for (String[] args : new String[][] {{"get", missing, "t", "k"}, {"scan", missing, "t"}, {"trees", missing},
        {"stats", missing}, {"verify", missing}, {"dump", missing, "t"}, {"compact", missing},
        {"export", missing, "t"}, {"delete", missing, "t", "k"}, {"put", missing, "t", "k", "v"}}) {
      Run r = run(args).expect(2);
      assertEquals("sapwood: no such directory: " + missing + "\n", r.err(), args[0]);
    }
    assertFalse(Files.exists(Path.of(missing)), "nothing was created");
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    assertTrue(run("get", empty.toString(), "t", "k").expect(2).err().contains("holds no Sapwood database"));
    for (String[] args : new String[][] {{"get", d(), "nosuch", "k"}, {"scan", d(), "nosuch"}, {"export", d(), "nosuch"},
        {"dump", d(), "nosuch"}, {"delete", d(), "nosuch", "k"}}) {
      Run r = run(args).expect(2);
      assertTrue(r.err().contains("no tree named 'nosuch'"), args[0] + ": " + r.err());
    }
    try (Database d = Database.open(db)) {
      assertEquals(List.of("groups", "users"), d.treeNames(), "reading an unknown tree does not create it");
    }
    assertTrue(run("frobnicate").expect(2).err().contains("Unmatched argument"));
    assertTrue(run().expect(2).err().contains("a command is needed"));
    assertTrue(run("get", d()).expect(2).err().contains("Missing required parameter"));
  }

  @Test
  void dumpShowsShapeAndOneNode() {
    Run shape = run("dump", d(), "users", "--nodes").expect(0);
    assertTrue(shape.out().startsWith("tree 'users': height "), shape.out());
    assertTrue(shape.out().contains("FILL MIN/AVG/MAX") && shape.out().contains("BLOCK"), shape.out());
    long root = Inspect.tree(db, "users").nodes().get(0).block();
    Run node = run("dump", d(), "users", "--node", Long.toString(root)).expect(0);
    assertTrue(node.out().startsWith("node " + root + " (path /)"), node.out());
    // 'alice' is in the root's buffer or, put first into an empty tree, in the leaf (an ascending
    // put may go straight to the rightmost leaf): one of the tree's nodes shows it.
    StringBuilder all = new StringBuilder();
    for (var n : Inspect.tree(db, "users").nodes()) {
      all.append(run("dump", d(), "users", "--node", Long.toString(n.block())).expect(0).out());
    }
    assertTrue(all.toString().contains("'alice' = 'admin'"), "the nodes' messages or entries: " + all);
    assertTrue(run("dump", d(), "users", "--node", "99999").expect(2).err().contains("is not a node of tree 'users'"));
  }

  @Test
  void compactReportsSizes() {
    try (Database d = Database.open(db)) {
      Tree t = d.tree("junk");
      for (int i = 0; i < 5000; i++) {
        t.put(("k" + i).getBytes(StandardCharsets.UTF_8), new byte[200]);
      }
      d.checkpoint();
      t.deleteRange(new byte[] {'k'}, new byte[] {'l'});
    }
    Run r = run("compact", d()).expect(0);
    assertTrue(r.out().matches("(?s)sapwood\\.db: .* -> .*\n.* -> .*"), r.out());
    run("verify", d()).expect(0);
    assertNull(getValue("junk", "k1"));
    assertEquals("admin", getValue("users", "alice"));
  }

  @Test
  void optimizeDrainsOnlineAndReportsItsSteps() {
    try (Database d = Database.open(db)) {
      Tree t = d.tree("opt");
      for (int i = 0; i < 5000; i++) {
        t.put(("k" + i).getBytes(StandardCharsets.UTF_8), new byte[50]);
      }
    }
    Run r = run("optimize", d()).expect(0);
    assertTrue(r.out().startsWith("optimized every tree in "), r.out());
    assertTrue(r.out().contains(" steps, "), r.out());
    run("optimize", d(), "--tree", "opt").expect(0);
    assertTrue(run("optimize", d(), "--tree", "nope").expect(2).err().contains("no tree named 'nope'"));
    run("verify", d()).expect(0);
    assertEquals("admin", getValue("users", "alice"));
  }

  private String getValue(String tree, String key) {
    try (Database d = Database.open(db)) {
      byte[] v = d.tree(tree).get(key.getBytes(StandardCharsets.UTF_8));
      return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }
  }

  @Test
  void helpListsEveryCommand() {
    String help = run("--help").expect(0).out();
    for (String c : new String[] {"get", "put", "delete", "scan", "trees", "stats", "load", "export", "verify", "dump", "compact", "demo", "drop", "optimize"}) {
      assertTrue(help.contains("  " + c + " "), c + " in\n" + help);
    }
    assertTrue(run("demo", "--keys", "5").expect(2).err().contains("at least 100"));
  }

  private static void flip(Path file, long offset) throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ 0x5a);
    }
  }
}
