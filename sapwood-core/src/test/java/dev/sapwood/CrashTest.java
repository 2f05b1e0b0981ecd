package dev.sapwood;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash tests with real processes: a {@link CrashChild} JVM opens a database directory (recovering
 * it), and several threads write {@code SYNC} and {@code ASYNC} batches and single writes, blind
 * {@code ADD_LONG} updates and range deletes, while a thread checkpoints every few milliseconds;
 * each write is reported before it is made and again when it returns. The parent kills the child
 * with SIGKILL at a random moment — during recovery, during a checkpoint, or while writing, once
 * the child has acknowledged a random number of writes (counted, not timed: on a loaded machine a
 * child killed a fixed time after opening had often written nothing) — and then checks a copy of
 * the directory as a new process would find it: every acknowledged write is there ({@code ASYNC}
 * ones too: they survive a killed process at once), each batch is whole or absent, and a full scan
 * of both trees matches the model, the one write each thread had in flight being either there or
 * not. The next child recovers the same (uncopied) directory.
 *
 * <p>{@code -Dsapwood.crashSeed=...} repeats a run; {@code -Dsapwood.crashCycles=...} sets the
 * number of kills. The stress variant runs under {@code mvn -Pstress verify}.
 */
class CrashTest {
  private static final int THREADS = 3;
  /** A kill while writing comes once the child has acknowledged 1 to this many writes. */
  private static final int MAX_ACKS = 300;
  /** How long a child may take to acknowledge them before the test calls it stuck. */
  private static final long ACKS_MILLIS = 300_000;

  @TempDir Path tmp;

  @Test
  void everyAcknowledgedWriteSurvivesSigkillAtRandomMoments() throws Exception {
    run(Integer.getInteger("sapwood.crashCycles", 50));
  }

  @Test
  @Tag("stress")
  void everyAcknowledgedWriteSurvivesThousandsOfSigkills() throws Exception {
    run(Integer.getInteger("sapwood.crashCycles", 2000));
  }

  /** One thread's keys: tree name to key to value (a counter's value is "#" + the long). */
  private static final class ThreadModel {
    final Map<String, TreeMap<String, String>> trees = new HashMap<>();

    ThreadModel copy() {
      ThreadModel m = new ThreadModel();
      trees.forEach((k, v) -> m.trees.put(k, new TreeMap<>(v)));
      return m;
    }

    TreeMap<String, String> tree(String name) {
      return trees.computeIfAbsent(name, n -> new TreeMap<>());
    }

    void apply(String ops) {
      for (String op : ops.split(";")) {
        String[] f = op.split(",", -1);
        TreeMap<String, String> t = tree(f[1]);
        switch (f[0]) {
          case "P" -> t.put(f[2], f[3]);
          case "D" -> t.remove(f[2]);
          case "U" -> {
            String old = t.get(f[2]);
            long v = old == null ? 0 : Long.parseLong(old.substring(1));
            t.put(f[2], "#" + (v + Long.parseLong(f[3])));
          }
          case "G" -> t.subMap(f[2], true, f[3], false).clear();
          default -> throw new AssertionError("bad op " + op);
        }
      }
    }

    boolean sameAs(ThreadModel other) {
      for (String n : List.of("a", "b")) {
        if (!tree(n).equals(other.tree(n))) {
          return false;
        }
      }
      return true;
    }

    @Override
    public String toString() {
      return trees.toString();
    }
  }

  /** What the parent learned from one child's lines, per thread. */
  private static final class Report {
    final Map<Integer, List<String>> acked = new HashMap<>();
    final Map<Integer, String> inFlight = new HashMap<>();
    boolean opened;
    boolean inCheckpoint;
    int writes;
  }

  private static Report parse(List<String> lines, String ctx) {
    Report r = new Report();
    Map<Integer, String[]> pending = new HashMap<>();
    for (String l : lines) {
      if (l.startsWith("X")) {
        fail(ctx + ": the child failed: " + l.replace('|', '\n'));
      } else if (l.equals("O")) {
        r.opened = true;
      } else if (l.equals("C+")) {
        r.inCheckpoint = true;
      } else if (l.equals("C-")) {
        r.inCheckpoint = false;
      } else if (l.startsWith("I ")) {
        String[] f = l.split(" ", 5);
        int t = Integer.parseInt(f[1]);
        assertTrue(!pending.containsKey(t), ctx + ": thread " + t + " began a write before its last returned: " + l);
        pending.put(t, f);
      } else if (l.startsWith("A ")) {
        String[] f = l.split(" ");
        int t = Integer.parseInt(f[1]);
        String[] begun = pending.remove(t);
        assertTrue(begun != null && begun[2].equals(f[2]), ctx + ": acknowledgment without its write: " + l);
        r.acked.computeIfAbsent(t, k -> new ArrayList<>()).add(begun[4]);
        r.writes++;
      }
    }
    pending.forEach((t, f) -> r.inFlight.put(t, f[4]));
    return r;
  }

  /** Every entry of both trees, split by the owning thread (key prefix "tNN/"). */
  private static Map<Integer, ThreadModel> readAll(Path dir) {
    Map<Integer, ThreadModel> out = new HashMap<>();
    try (Database db = Database.open(dir, CrashChild.options())) {
      for (String name : db.treeNames()) {
        try (Cursor c = db.tree(name).cursor()) {
          for (boolean ok = c.first(); ok; ok = c.next()) {
            String k = new String(c.key(), US_ASCII);
            int t = Integer.parseInt(k.substring(1, 3));
            String v = k.contains("/c") ? "#" + UpdateFunctions.toLong(c.value()) : new String(c.value(), US_ASCII);
            out.computeIfAbsent(t, x -> new ThreadModel()).tree(name).put(k, v);
          }
        }
      }
    }
    return out;
  }

  /** Copies a database directory; one the child was killed before creating copies as empty. */
  private static void copyDir(Path from, Path to) throws IOException {
    if (!Files.exists(from)) {
      Files.createDirectories(to);
      return;
    }
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path q = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(q);
        } else {
          Files.copy(p, q);
        }
      }
    }
  }

  private void run(int cycles) throws Exception {
    long seed = Long.getLong("sapwood.crashSeed", System.nanoTime());
    Random rnd = new Random(seed);
    Path dir = tmp.resolve("db");
    Path stderr = tmp.resolve("child.err");
    Path stdout = tmp.resolve("child.out");
    Map<Integer, ThreadModel> model = new HashMap<>();
    List<String> history = new ArrayList<>();
    int duringRecovery = 0;
    int duringCheckpoint = 0;
    long writes = 0;
    long start = System.nanoTime();
    for (int cycle = 0; cycle < cycles; cycle++) {
      String ctx = "seed " + seed + " (-Dsapwood.crashSeed=" + seed + "), cycle " + cycle;
      List<String> lines;
      int how = rnd.nextInt(10);
      try (ChildJvm child = ChildJvm.start(stdout, stderr, "write", dir.toString(), Long.toString(rnd.nextLong()),
          Integer.toString(THREADS), "c" + cycle)) {
        int wanted = 0;
        int acked = 0;
        if (how < 2) { // during startup and recovery
          child.awaitLine("R"::equals, 30_000);
          Thread.sleep(rnd.nextInt(40));
        } else if (how < 5) { // during a checkpoint
          child.awaitLine("O"::equals, 30_000);
          Thread.sleep(rnd.nextInt(100));
          child.awaitLine("C+"::equals, 5_000);
          Thread.sleep(rnd.nextInt(3));
        } else { // while writing, after the child acknowledged a number of writes
          wanted = 1 + rnd.nextInt(MAX_ACKS);
          acked = child.awaitLines(l -> l.startsWith("A "), wanted, ACKS_MILLIS);
        }
        if (!child.isAlive()) {
          fail(ctx + ": the child exited by itself: " + child.lines() + "\nstderr: " + Files.readString(stderr));
        }
        if (acked < wanted) {
          fail(ctx + ": the child acknowledged " + acked + " of " + wanted + " writes in " + ACKS_MILLIS / 1000
              + " s; stderr: " + Files.readString(stderr));
        }
        lines = child.killAndCollect();
      }
      Path log = Path.of("target", "crash-" + seed + "-cycle-" + cycle + ".log");
      Files.createDirectories(log.getParent());
      Files.write(log, lines);
      Report r = parse(lines, ctx);
      duringRecovery += r.opened ? 0 : 1;
      duringCheckpoint += r.inCheckpoint ? 1 : 0;
      writes += r.writes;

      Path copy = tmp.resolve("check-" + cycle);
      copyDir(dir, copy);
      Map<Integer, ThreadModel> actual;
      try {
        actual = readAll(copy);
      } catch (RuntimeException e) {
        throw new AssertionError(ctx + ": opening the killed database failed (" + (r.opened ? "" : "killed in recovery, ")
            + (r.inCheckpoint ? "killed in a checkpoint" : "") + "): " + e, e);
      }
      for (int t = 0; t < THREADS; t++) {
        ThreadModel acked = model.getOrDefault(t, new ThreadModel()).copy();
        for (String ops : r.acked.getOrDefault(t, List.of())) {
          acked.apply(ops);
        }
        ThreadModel found = actual.getOrDefault(t, new ThreadModel());
        if (found.sameAs(acked)) {
          model.put(t, acked);
          history.add("cycle " + cycle + " thread " + t + ": in flight " + r.inFlight.get(t) + " -> absent");
          continue;
        }
        String flying = r.inFlight.get(t);
        if (flying != null) {
          ThreadModel withIt = withIt(acked, flying);
          if (found.sameAs(withIt)) {
            model.put(t, withIt);
            history.add("cycle " + cycle + " thread " + t + ": in flight " + flying + " -> present");
            continue;
          }
        }
        fail(ctx + ", thread " + t + ": recovered keys match neither the acknowledged writes nor them plus the one in flight ("
            + flying + ")\n  acked " + r.acked.getOrDefault(t, List.of()).size() + " writes this cycle; last: "
            + lastOf(r.acked.get(t)) + "\n  without it: " + differences(acked, found) + "\n  with it: "
            + (flying == null ? "-" : differences(withIt(acked, flying), found)) + "\n  child output: " + log.toAbsolutePath()
            + "\n  earlier cycles: " + String.join("\n    ", history.subList(Math.max(0, history.size() - 3 * THREADS), history.size())));
      }
      deleteTree(copy);
      Files.delete(log);
    }
    System.out.printf("CrashTest: %d kills (%d during startup/recovery, %d during a checkpoint), %d acknowledged writes, %.1f s, seed %d%n",
        cycles, duringRecovery, duringCheckpoint, writes, (System.nanoTime() - start) / 1e9, seed);
  }

  private static String lastOf(List<String> l) {
    return l == null || l.isEmpty() ? "none" : l.get(l.size() - 1);
  }

  private static ThreadModel withIt(ThreadModel m, String ops) {
    ThreadModel c = m.copy();
    c.apply(ops);
    return c;
  }

  private static String differences(ThreadModel expected, ThreadModel found) {
    StringBuilder sb = new StringBuilder();
    int n = 0;
    for (String tree : List.of("a", "b")) {
      TreeMap<String, String> e = expected.tree(tree);
      TreeMap<String, String> f = found.tree(tree);
      TreeMap<String, String> all = new TreeMap<>(e);
      all.putAll(f);
      for (String k : all.keySet()) {
        if (!java.util.Objects.equals(e.get(k), f.get(k)) && n++ < 12) {
          sb.append("\n    ").append(tree).append(' ').append(k).append(": expected ").append(e.get(k))
              .append(", found ").append(f.get(k));
        }
      }
    }
    return n + " keys differ" + sb;
  }

  private static void deleteTree(Path p) throws IOException {
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
