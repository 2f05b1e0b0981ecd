package dev.sapwood;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The walls between packages hold: every main source file of the core module is read, and each
 * reference to another Sapwood package (import lines, and fully qualified names in code) must run
 * down the layers documented in {@code docs/design.md} ("Where things live") and in each
 * {@code package-info.java}. A package may use only packages of a lower rank, and of those only
 * the ones its {@code package-info.java} names; the public package {@code dev.sapwood} is the API
 * and its vocabulary, and reaches into the internals through {@code Database → engine} alone.
 */
class LayeringTest {
  /** Rank of each package: a package may import only packages of a strictly lower rank. */
  static final Map<String, Integer> RANK = Map.ofEntries(
      Map.entry("tools", 6),
      Map.entry("engine", 5),
      Map.entry("jmx", 4),
      Map.entry("view", 4),
      Map.entry("tree", 3),
      Map.entry("wal", 3),
      Map.entry("cache", 2),
      Map.entry("store", 2),
      Map.entry("io", 1),
      Map.entry("util", 1),
      Map.entry("stats", 1),
      Map.entry("events", 1));

  /**
   * What each internal package may use besides the public API, as its {@code package-info.java}
   * says; every entry must also run down {@link #RANK}. Tighter than the ranks: the log and the
   * tree share a rank, yet the log reaches neither the block file nor the cache.
   */
  static final Map<String, Set<String>> MAY_IMPORT = Map.ofEntries(
      Map.entry("tools", Set.of("engine", "tree", "store", "util")),
      Map.entry("engine", Set.of("jmx", "view", "tree", "wal", "cache", "store", "io", "util", "stats",
          "events")),
      Map.entry("jmx", Set.of()),
      Map.entry("view", Set.of()),
      Map.entry("tree", Set.of("cache", "store", "util", "stats", "events")),
      Map.entry("wal", Set.of("io", "util", "stats")),
      Map.entry("cache", Set.of("util", "stats", "events")),
      Map.entry("store", Set.of("io", "util", "stats")),
      Map.entry("io", Set.of()),
      Map.entry("util", Set.of()),
      Map.entry("stats", Set.of()),
      Map.entry("events", Set.of()));

  /**
   * The public package's one way into the internals: {@code Database.open} hands over to the
   * engine. Every other internal reference from {@code dev.sapwood} is a broken wall.
   */
  static final Set<String> API_SEAM = Set.of("Database.java -> engine");

  /**
   * Public types that packages below the engine (and the view) may use: the vocabulary of
   * errors, limits and settings. The façade types (Database, Tree, Cursor, ...) are the engine's
   * to implement and the view's to wrap, not for the tree, log, cache, store or io to reach.
   */
  static final Set<String> VOCABULARY = Set.of("SapwoodException", "CorruptionException",
      "StorageException", "SyncInterruptedException", "DatabaseLockedException", "Limits",
      "Compression", "UpdateFunction", "Bytes");

  /** Known exceptions to the walls, each with its reason. Keep this list short; empty is best. */
  static final Set<String> EXCEPTIONS = Set.of();

  private static final Pattern IMPORT =
      Pattern.compile("^import\\s+(?:static\\s+)?dev\\.sapwood\\.([\\w.]+);", Pattern.MULTILINE);
  private static final Pattern QUALIFIED = Pattern.compile("\\bdev\\.sapwood\\.internal\\.(\\w+)\\.");
  private static final Pattern COMMENTS = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);

  @Test
  void everyReferenceRunsDownTheLayers() throws IOException {
    Path root = Path.of("src", "main", "java", "dev", "sapwood");
    assertTrue(Files.isDirectory(root), "main sources at " + root.toAbsolutePath());
    List<String> broken = new ArrayList<>();
    Set<String> seen = new TreeSet<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).collect(Collectors.toList())) {
        String from = packageOf(root.relativize(f.getParent()));
        if (!from.equals("api") && !RANK.containsKey(from)) {
          broken.add(f + ": package " + from + " has no place in the layers (add it to RANK and docs/design.md)");
          continue;
        }
        String code = COMMENTS.matcher(Files.readString(f)).replaceAll("");
        for (String ref : references(code)) {
          String to = ref.startsWith("internal.") ? ref.split("\\.")[1] : "api";
          String type = ref.substring(ref.lastIndexOf('.') + 1);
          String edge = f.getFileName() + " -> " + (to.equals("api") ? type : to);
          seen.add(from + " -> " + to);
          if (EXCEPTIONS.contains(edge) || to.equals(from)) {
            continue;
          }
          if (!allowed(from, to, type, f.getFileName().toString())) {
            broken.add(f + ": " + from + " may not use " + ref);
          }
        }
      }
    }
    assertTrue(broken.isEmpty(), "imports that run up the layers:\n  " + String.join("\n  ", broken)
        + "\n(package edges seen: " + seen + ")");
  }

  private static boolean allowed(String from, String to, String type, String file) {
    if (from.equals("api")) {
      return API_SEAM.contains(file + " -> " + to);
    }
    if (to.equals("api")) {
      // Whole packages (wildcards) and the façade types are for the engine, tools, view and jmx.
      return RANK.get(from) >= RANK.get("jmx") || VOCABULARY.contains(type);
    }
    return MAY_IMPORT.get(from).contains(to);
  }

  @Test
  void theDocumentedImportsRunDownTheRanks() {
    assertEquals(RANK.keySet(), MAY_IMPORT.keySet());
    MAY_IMPORT.forEach((from, tos) -> tos.forEach(to -> assertTrue(RANK.get(to) < RANK.get(from),
        from + " may import " + to + ", which is not below it")));
  }

  /** The referenced Sapwood names of {@code code}, relative to {@code dev.sapwood.}. */
  private static Set<String> references(String code) {
    Set<String> refs = new TreeSet<>();
    Matcher m = IMPORT.matcher(code);
    while (m.find()) {
      refs.add(m.group(1));
    }
    Matcher q = QUALIFIED.matcher(IMPORT.matcher(code).replaceAll(""));
    while (q.find()) {
      refs.add("internal." + q.group(1) + ".*");
    }
    return refs;
  }

  private static String packageOf(Path relative) {
    String p = relative.toString().replace('\\', '/');
    if (p.isEmpty()) {
      return "api";
    }
    return p.startsWith("internal/") ? p.substring("internal/".length()) : p;
  }

  @Test
  void everyPackageSaysWhatItIsFor() throws IOException {
    Path root = Path.of("src", "main", "java", "dev", "sapwood");
    List<String> missing = new ArrayList<>();
    try (Stream<Path> dirs = Files.walk(root)) {
      for (Path d : dirs.filter(Files::isDirectory).collect(Collectors.toList())) {
        boolean hasSources;
        try (Stream<Path> s = Files.list(d)) {
          hasSources = s.anyMatch(p -> p.toString().endsWith(".java"));
        }
        if (hasSources && !Files.exists(d.resolve("package-info.java"))) {
          missing.add(d.toString());
        }
      }
    }
    assertEquals(List.of(), missing, "packages without a package-info.java");
  }
}
