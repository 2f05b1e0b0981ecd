package dev.sapwood.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.sapwood.Database;
import dev.sapwood.Options;
import dev.sapwood.Tree;
import dev.sapwood.UpdateFunctions;
import dev.sapwood.cli.CliTest.Run;
import dev.sapwood.internal.tools.Inspect;
import dev.sapwood.internal.tools.TreeShape;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The command line's errors name their cause, failed commands leave nothing behind, and the
 * smaller commands and conventions: {@code drop}, escapes in {@code scan}, key counts of {@code
 * trees}, help summaries, {@code --version}, {@code stats}.
 */
class CliEdgesTest {
  @TempDir Path tmp;
  Path db;

  static Run run(String... args) {
    return CliTest.run(args);
  }

  @BeforeEach
  void makeDatabase() {
    db = tmp.resolve("db");
    run("put", "--create", db.toString(), "users", "alice", "admin").expect(0);
  }

  private String d() {
    return db.toString();
  }

  private List<String> treeNames() {
    try (Database open = Database.open(db)) {
      return open.treeNames();
    }
  }

  // ---- errors say the OS reason ----

  @Test
  void putCreateOnAPlainFileSaysNotADirectory() throws Exception {
    Path file = Files.writeString(tmp.resolve("afile"), "not a database");
    Run r = run("put", "--create", file.toString(), "t", "k", "v").expect(1);
    assertEquals("sapwood: cannot open " + file + ": not a directory (" + file + ")\n", r.err());
    assertEquals("not a database", Files.readString(file), "the file is left alone");
    Run get = run("get", file.toString(), "t", "k").expect(2);
    assertEquals("sapwood: " + file + " is not a directory\n", get.err());
  }

  @Test
  void anUnreadableDirectorySaysPermissionDenied() throws Exception {
    Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("---------"));
    try {
      assumeFalse(Files.isReadable(db), "running as root: permission checks pass, so no command can be"
          + " refused for a permission here (the not-a-directory case is tested on its own)");
      Run get = run("get", d(), "users", "alice").expect(1);
      assertEquals("sapwood: cannot open " + db + ": permission denied\n", get.err());
      Run put = run("put", "--create", d(), "users", "bob", "dev").expect(1);
      assertTrue(put.err().startsWith("sapwood: cannot open " + db + ": permission denied"), put.err());
    } finally {
      Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rwx------"));
    }
  }

  // ---- load and export leave nothing behind when they fail ----

  @Test
  void aBadLineLeavesNoTreeBehind() throws Exception {
    Path file = Files.writeString(tmp.resolve("bad.tsv"), "a\t1\nno tab here\n");
    Run r = run("load", d(), "fresh", file.toString()).expect(2);
    assertTrue(r.err().contains("line 2"), r.err());
    assertEquals(List.of("users"), treeNames(), "no empty tree 'fresh' was left behind");
    Path other = tmp.resolve("other");
    run("load", "--create", other.toString(), "t", file.toString()).expect(2);
    assertFalse(Files.exists(other), "no database was created either");
  }

  @Test
  void aBadLineAfterSeveralBatchesLeavesNothingBehind() throws Exception {
    StringBuilder sb = new StringBuilder();
    int good = LoadCommand.BATCH_OPS + 500;
    for (int i = 0; i < good; i++) {
      sb.append("key").append(i).append('\t').append("value").append(i).append('\n');
    }
    sb.append("bad\\q escape\tvalue\n");
    Path file = Files.writeString(tmp.resolve("big.tsv"), sb);
    Run r = run("load", d(), "users", file.toString()).expect(2);
    assertTrue(r.err().contains("line " + (good + 1)) && r.err().contains("unknown escape"), r.err());
    try (Database open = Database.open(db)) {
      assertEquals(null, open.tree("users").get("key0".getBytes(UTF_8)), "not one line was loaded");
    }
    InputStream stdin = System.in;
    try {
      System.setIn(new ByteArrayInputStream(sb.toString().getBytes(UTF_8)));
      run("load", d(), "piped", "-").expect(2);
    } finally {
      System.setIn(stdin);
    }
    assertEquals(List.of("users"), treeNames(), "standard input is checked before anything is written too");
  }

  @Test
  void aKeyOverTheLimitIsRefusedWithItsLine() throws Exception {
    Path file = Files.writeString(tmp.resolve("long.tsv"), "a\t1\n" + "k".repeat(20_000) + "\tv\n");
    Run r = run("load", d(), "t", file.toString()).expect(2);
    assertTrue(r.err().contains("line 2") && r.err().contains("key"), r.err());
    assertEquals(List.of("users"), treeNames());
  }

  @Test
  void aFailedExportLeavesNoFileBehind() throws Exception {
    try (Database open = Database.open(db, Options.defaults().nodeSize(16 << 10).basementSize(4 << 10))) {
      Tree t = open.tree("big");
      for (int i = 0; i < 8_000; i++) {
        t.put(String.format("key%08d", i).getBytes(UTF_8), ("v" + i).getBytes(UTF_8));
      }
    }
    TreeShape shape = Inspect.tree(db, "big");
    List<TreeShape.NodeInfo> leaves = shape.nodes().stream().filter(n -> n.height() == 0).toList();
    assertTrue(leaves.size() > 2, "several leaves, the last one damaged: " + shape.levels());
    TreeShape.NodeInfo last = leaves.get(leaves.size() - 1);
    try (RandomAccessFile f = new RandomAccessFile(Inspect.blockFile(db).toFile(), "rw")) {
      f.seek(last.offset() + last.blockBytes() - 10);
      int b = f.read();
      f.seek(last.offset() + last.blockBytes() - 10);
      f.write(b ^ 0x5a);
    }
    Path out = Files.createDirectories(tmp.resolve("out"));
    Path target = out.resolve("big.tsv");
    Run r = run("export", d(), "big", "-o", target.toString()).expect(1);
    assertTrue(r.err().contains("damaged"), r.err());
    try (Stream<Path> left = Files.list(out)) {
      assertEquals(List.of(), left.toList(), "neither the file nor a partial one is left");
    }
    Files.writeString(target, "an older export\n");
    run("export", d(), "big", "-o", target.toString()).expect(1);
    assertEquals("an older export\n", Files.readString(target), "a file already there is kept as it was");
    run("export", d(), "users", "-o", target.toString()).expect(0);
    assertEquals("alice\tadmin\n", Files.readString(target), "a successful export replaces it");
  }

  // ---- compact ----

  @Test
  void compactDoesNotGrowATinyDatabase() throws Exception {
    for (String k : new String[] {"bob", "carol", "dave", "erin"}) {
      run("put", d(), "users", k, "x").expect(0);
    }
    long before = Files.size(Inspect.blockFile(db));
    Run r = run("compact", d()).expect(0);
    long after = Files.size(Inspect.blockFile(db));
    assertTrue(after <= before, "compact grew sapwood.db from " + before + " to " + after + " bytes: " + r.out());
    assertEquals("alice\tadmin\nbob\tx\ncarol\tx\ndave\tx\nerin\tx\n", run("scan", d(), "users").expect(0).out());
  }

  // ---- drop ----

  @Test
  void dropRemovesATreeAndRefusesAMissingOne() {
    run("put", d(), "junk", "k", "v").expect(0);
    Run r = run("drop", d(), "junk").expect(0);
    assertEquals("dropped tree 'junk'\n", r.out());
    assertEquals(List.of("users"), treeNames());
    Run missing = run("drop", d(), "junk").expect(1);
    assertEquals("sapwood: no tree named 'junk' in " + d() + " (its trees: users)\n", missing.err());
    assertEquals(2, run("drop", tmp.resolve("nope").toString(), "t").expect(2).status());
  }

  // ---- scan shows what export writes ----

  @Test
  void scanEscapesLikeExport() {
    try (Database open = Database.open(db)) {
      Tree t = open.tree("odd");
      t.put("note".getBytes(UTF_8), "line one\nline two".getBytes(UTF_8));
      t.put("0x41".getBytes(UTF_8), "text that looks like hex".getBytes(UTF_8));
      t.put(new byte[] {0x41}, "the byte 0x41".getBytes(UTF_8));
      t.put(new byte[] {0x00, (byte) 0xff}, new byte[] {'t', '\t', '\\'});
    }
    String scan = run("scan", d(), "odd").expect(0).out();
    assertEquals("\\x00\\xff\tt\\t\\\\\n0x41\ttext that looks like hex\nA\tthe byte 0x41\nnote\tline one\\nline two\n", scan);
    assertEquals(run("export", d(), "odd").expect(0).out(), scan, "scan prints the lines export writes");
    assertEquals("line one\\nline two\n", run("get", d(), "odd", "note").expect(0).out());
  }

  // ---- trees counts keys that only buffered updates made ----

  @Test
  void treesCountsKeysWhoseOnlyChangesAreBufferedUpdates() {
    try (Database open = Database.open(db)) {
      Tree t = open.tree("counters");
      t.put("a".getBytes(UTF_8), UpdateFunctions.fromLong(1));
      for (int round = 0; round < 10; round++) {
        for (String k : new String[] {"a", "x", "y", "z"}) {
          t.update(k.getBytes(UTF_8), UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(1));
        }
      }
      t.delete("a".getBytes(UTF_8));
    }
    assertTrue(Inspect.tree(db, "counters").levels().get(0).bufferedBytes() > 0, "the updates are still buffered");
    String json = run("trees", "--json", d()).expect(0).out();
    assertTrue(json.contains("{\"name\":\"counters\",\"keys\":3,"), json);
  }

  // ---- help and version ----

  @Test
  void everyHelpSummaryIsAWholeSentence() {
    CommandLine cl = new CommandLine(new Main(System.out, System.err));
    for (Map.Entry<String, CommandLine> e : cl.getSubcommands().entrySet()) {
      String[] description = e.getValue().getCommandSpec().usageMessage().description();
      assertTrue(description.length > 0, e.getKey());
      String first = description[0];
      assertTrue(first.endsWith(".") || first.endsWith(".)"), e.getKey() + "'s summary in 'sapwood --help' is cut: " + first);
    }
    String help = run("--help").expect(0).out();
    assertTrue(help.contains("  drop "), help);
  }

  @Test
  void everyVersionIsThePomsVersion() throws Exception {
    Matcher m = Pattern.compile("<parent>.*?<version>([^<]+)</version>", Pattern.DOTALL)
        .matcher(Files.readString(Path.of("pom.xml")));
    assertTrue(m.find(), "sapwood-cli/pom.xml names its parent's version");
    String expected = "sapwood " + m.group(1);
    String readme = Files.readString(Path.of("..", "README.md"));
    assertTrue(readme.contains("<artifactId>sapwood-core</artifactId>\n  <version>" + m.group(1) + "</version>"),
        "README's 'Use it from your project' names the pom's version");
    assertEquals(expected, run("--version").expect(0).out().lines().findFirst().orElseThrow());
    for (String sub : new String[] {"get", "scan", "load", "drop", "bench", "demo"}) {
      assertEquals(expected, run(sub, "--version").expect(0).out().lines().findFirst().orElseThrow(), sub);
    }
  }

  @Test
  void statsSaysWhoseCountersItShows() {
    Run r = run("stats", d()).expect(0);
    assertTrue(r.out().startsWith("counters of this command's own open of " + d()), r.out());
    assertArrayEquals(new byte[] {'{'}, run("stats", "--json", d()).expect(0).out().substring(0, 1).getBytes(UTF_8),
        "--json is one object, no heading");
  }
}
