package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.store.Header;
import dev.sapwood.internal.tools.TreeShape;
import dev.sapwood.internal.util.Compressors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Data-driven tests of the tree's shape: each file under {@code src/test/resources/testdata/tree/}
 * is a script of operations on one tree in an in-memory file, and each {@code shape} or
 * {@code counters} command is followed by the output it must print.
 *
 * <p>Script grammar (one command a line; {@code #} starts a comment line):
 * <pre>
 *   open node=4K basement=1K fanout=4 [cache=64M] [left-heavy=off] [promote=on]   a new tree in a new
 *                                      in-memory file (no codec); left-heavy=off: even splits of ascending
 *                                      loads too; promote=on: puts at the right edge go straight into the
 *                                      rightmost leaf (RightEdge; off in scripts, to show the buffered path)
 *   put k1..k200 [v=100] [step=1]                   puts keys k0000001..k0000200, values of v bytes
 *   delete k50..k150 [step=1]                       deletes those keys (one message each)
 *   flush-all                                       pushes every buffered message to the leaves
 *   checkpoint                                      writes every dirty node to the file
 *   shape                                           writes dirty nodes, prints the tree's shape
 *   counters split.leaf merge.leaf ...              prints those counters
 *   verify                                          checks the tree's invariants (prints nothing)
 * </pre>
 * A command with output is followed by a line {@code ----}, the expected lines, and a blank line.
 * The shape prints one line per node, depth first, indented by depth: its path from the root, its
 * height, its partitions, its buffered messages (internal) or entries (leaf), and its fill (raw
 * bytes over the node size, in percent).
 *
 * <p>Everything runs on the test's thread (background work is {@code INLINE}), so a script always
 * prints the same. To add a case, write the commands with an empty expected block ({@code ----}
 * and a blank line) and run with {@code -Dsapwood.testdata.rewrite=true}: the expected blocks are
 * rewritten from what the tree prints; then read them to check they show what the case claims.
 */
class TreeDataDrivenTest {
  private static final Path DIR = Path.of("src", "test", "resources", "testdata", "tree");
  private static final boolean REWRITE = Boolean.getBoolean("sapwood.testdata.rewrite");

  @TestFactory
  Stream<DynamicTest> everyScript() throws IOException {
    assertTrue(Files.isDirectory(DIR), "test data at " + DIR.toAbsolutePath());
    List<Path> files;
    try (Stream<Path> s = Files.list(DIR)) {
      files = s.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
    }
    assertFalse(files.isEmpty(), "no scripts in " + DIR);
    return files.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> run(p)));
  }

  private static void run(Path script) throws IOException {
    List<String> lines = Files.readAllLines(script, StandardCharsets.UTF_8);
    List<String> rewritten = new ArrayList<>();
    List<String> mismatches = new ArrayList<>();
    Script s = new Script();
    try {
      int i = 0;
      while (i < lines.size()) {
        String line = lines.get(i++);
        rewritten.add(line);
        String cmd = line.strip();
        if (cmd.isEmpty() || cmd.startsWith("#")) {
          continue;
        }
        List<String> out = s.exec(cmd, script.getFileName() + ":" + i);
        if (out == null) {
          continue;
        }
        List<String> expected = new ArrayList<>();
        if (i < lines.size() && lines.get(i).equals("----")) {
          i++;
          while (i < lines.size() && !lines.get(i).isEmpty()) {
            expected.add(lines.get(i++));
          }
          if (i < lines.size()) {
            i++; // the blank line that ends the block
          }
        }
        if (!expected.equals(out)) {
          mismatches.add(script.getFileName() + ":" + i + ": " + cmd + "\nexpected:\n" + String.join("\n", expected)
              + "\nactual:\n" + String.join("\n", out));
        }
        rewritten.add("----");
        rewritten.addAll(out);
        rewritten.add("");
      }
    } finally {
      s.close();
    }
    if (REWRITE) {
      while (!rewritten.isEmpty() && rewritten.get(rewritten.size() - 1).isEmpty()) {
        rewritten.remove(rewritten.size() - 1);
      }
      Files.writeString(script, String.join("\n", rewritten) + "\n", StandardCharsets.UTF_8);
    } else if (!mismatches.isEmpty()) {
      fail(String.join("\n\n", mismatches) + "\n\n(rerun with -Dsapwood.testdata.rewrite=true to rewrite the expected blocks)");
    }
  }

  /** The state of one script: the file, the context and the tree it opened. */
  private static final class Script implements AutoCloseable {
    private BlockFile file;
    private TreeContext ctx;
    private BeTree tree;
    private Counters counters;

    /** Runs one command; returns its output, or null for a command that prints nothing. */
    List<String> exec(String line, String where) {
      String[] words = line.split("\\s+");
      String cmd = words[0];
      Map<String, String> args = new HashMap<>();
      List<String> bare = new ArrayList<>();
      for (String w : Arrays.asList(words).subList(1, words.length)) {
        int eq = w.indexOf('=');
        if (eq > 0) {
          args.put(w.substring(0, eq), w.substring(eq + 1));
        } else {
          bare.add(w);
        }
      }
      if (!cmd.equals("open") && tree == null) {
        throw new IllegalArgumentException(where + ": '" + cmd + "' before 'open'");
      }
      switch (cmd) {
        case "open" -> open(args);
        case "put" -> {
          byte[] v = new byte[(int) size(args.getOrDefault("v", "100"))];
          Arrays.fill(v, (byte) 'v');
          for (byte[] k : range(bare, args, where)) {
            tree.put(k, v);
          }
        }
        case "delete" -> {
          for (byte[] k : range(bare, args, where)) {
            tree.delete(k);
          }
        }
        case "flush-all" -> tree.flushAll();
        case "checkpoint" -> ctx.nodes.writeDirtyNodes();
        case "verify" -> TreeVerifier.verify(ctx, tree.rootBlock());
        case "shape" -> {
          return shape();
        }
        case "counters" -> {
          List<String> out = new ArrayList<>();
          for (String name : bare) {
            out.add(name + "=" + counters.counter(name).sum());
          }
          return out;
        }
        default -> throw new IllegalArgumentException(where + ": unknown command '" + cmd + "'");
      }
      return null;
    }

    private void open(Map<String, String> args) {
      close();
      int nodeSize = (int) size(args.getOrDefault("node", "4K"));
      int basementSize = (int) size(args.getOrDefault("basement", "1K"));
      int fanout = Integer.parseInt(args.getOrDefault("fanout", "4"));
      long cacheBytes = size(args.getOrDefault("cache", "64M"));
      counters = new Counters();
      file = BlockFile.create(new MemoryFileIo(), Path.of("/db/script.sap"),
          new Header.Settings(nodeSize, basementSize, fanout, Compressors.NONE));
      ctx = new TreeContext(file, cacheBytes, nodeSize, basementSize, fanout, Compressors.NONE,
          MessageApplierTest.resolver(), 0, counters);
      ctx.shape.leftHeavySplits = !"off".equals(args.get("left-heavy"));
      // Scripts show the buffered path unless they ask for puts at the right edge to skip it.
      ctx.shape.promoteAtEdge = "on".equals(args.get("promote"));
      tree = new BeTree(ctx, BeTree.create(ctx));
    }

    private List<String> shape() {
      ctx.nodes.writeDirtyNodes();
      TreeShape shape = TreeShape.of(file, "script", tree.rootBlock());
      List<String> out = new ArrayList<>();
      out.add("height=" + shape.height() + " nodes=" + shape.nodes().size() + " keys~" + shape.approximateKeys());
      for (TreeShape.NodeInfo n : shape.nodes()) {
        int depth = n.path().isEmpty() ? 0 : n.path().split("/").length - 1;
        out.add("  ".repeat(depth) + (n.path().isEmpty() ? "root" : n.path()) + " height=" + n.height()
            + " parts=" + n.partitions() + (n.height() > 0 ? " msgs=" : " entries=") + n.items()
            + String.format(Locale.ROOT, " fill=%d%%", Math.round(100 * shape.fill(n))));
      }
      return out;
    }

    /** Keys named by "k1..k200" (or one key "k7"), every {@code step}th. */
    private static List<byte[]> range(List<String> bare, Map<String, String> args, String where) {
      if (bare.size() != 1 || !bare.get(0).startsWith("k")) {
        throw new IllegalArgumentException(where + ": expected a key range like k1..k200");
      }
      String[] ends = bare.get(0).split("\\.\\.");
      int from = Integer.parseInt(ends[0].substring(1));
      int to = ends.length == 1 ? from : Integer.parseInt(ends[1].replaceFirst("^k", ""));
      int step = Integer.parseInt(args.getOrDefault("step", "1"));
      List<byte[]> keys = new ArrayList<>();
      for (int i = from; i <= to; i += step) {
        keys.add(String.format(Locale.ROOT, "k%07d", i).getBytes(StandardCharsets.UTF_8));
      }
      return keys;
    }

    /** "100", "4K", "64M" in bytes. */
    private static long size(String s) {
      char unit = Character.toUpperCase(s.charAt(s.length() - 1));
      long mult = unit == 'K' ? 1024 : unit == 'M' ? 1024 * 1024 : 1;
      return Long.parseLong(mult == 1 ? s : s.substring(0, s.length() - 1)) * mult;
    }

    @Override
    public void close() {
      if (file != null) {
        file.close();
        file = null;
      }
    }
  }
}
