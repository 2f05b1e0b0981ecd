package dev.sapwood;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sapwood.internal.tools.Verifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process killed (SIGKILL) in the middle of a hot backup, while it writes: the database opens,
 * verifies and holds every acknowledged write; each backup target present is complete (holds every
 * write acknowledged before its backup began); a backup cut short left no target.
 */
class BackupKillTest {
  static final int KILLS = 3;

  @TempDir Path tmp;

  @Test
  void aKillMidBackupLeavesTheSourceIntactAndNoHalfBackup() throws Exception {
    long seed = System.nanoTime();
    System.out.println("BackupKillTest seed " + seed);
    Random r = new Random(seed);
    Path dir = tmp.resolve("db");
    for (int kill = 0; kill < KILLS; kill++) {
      Path targets = Files.createDirectories(tmp.resolve("targets" + kill));
      List<String> lines;
      try (ChildJvm child = ChildJvm.start(tmp.resolve("out"), tmp.resolve("err"), "backup", dir.toString(),
          targets.toString())) {
        int nth = 1 + r.nextInt(3);
        if (!child.awaitLine(("B+ " + nth)::equals, 120_000)) {
          fail("the child did not reach backup " + nth + ": " + tail(child.lines()) + " "
              + Files.readString(tmp.resolve("err")));
        }
        Thread.sleep(r.nextInt(30));
        lines = child.killAndCollect();
      }
      for (String l : lines) {
        assertFalse(l.startsWith("X "), l);
      }
      check(dir, lines, lines.size(), "the source after kill " + kill);
      assertTrue(Verifier.verify(dir, null).ok(), "the source verifies");
      boolean cutShort = false;
      for (int i = 0; i < lines.size(); i++) {
        if (!lines.get(i).startsWith("B+ ")) {
          continue;
        }
        String n = lines.get(i).substring(3);
        Path target = targets.resolve("b" + n);
        boolean returned = lines.contains("B- " + n);
        if (Files.exists(target)) {
          assertTrue(Verifier.verify(target, null).ok(), "backup " + n + " verifies");
          check(target, lines, i, "backup " + n);
        } else {
          assertFalse(returned, "backup " + n + " returned but its target is missing");
          cutShort = true;
        }
      }
      System.out.println("kill " + kill + ": " + (cutShort ? "a backup was cut short" : "between backups"));
      try (Stream<Path> s = Files.list(targets)) {
        for (Path p : s.toList()) {
          String name = p.getFileName().toString();
          assertTrue(name.matches("b\\d+") || name.matches("\\.b\\d+\\.backup-[0-9a-f]+"), "unexpected " + p);
        }
      }
    }
  }

  /** Every write acknowledged in {@code lines} before line {@code upTo} is in the database at {@code dir}, whole. */
  private static void check(Path dir, List<String> lines, int upTo, String what) {
    try (Database db = Database.open(dir, BackupChild.options())) {
      Tree t = db.tree("t");
      for (int i = 0; i < upTo; i++) {
        String l = lines.get(i);
        if (l.startsWith("A ")) {
          String[] f = l.split(" ");
          int w = Integer.parseInt(f[1]);
          long seq = Long.parseLong(f[2]);
          assertArrayEquals(BackupChild.value(w, seq), t.get(BackupChild.key(w, seq, "a")), what + ": " + l);
          assertArrayEquals(BackupChild.value(w, seq), t.get(BackupChild.key(w, seq, "b")), what + ": " + l);
        }
      }
    }
  }

  private static String tail(List<String> lines) {
    return lines.subList(Math.max(0, lines.size() - 5), lines.size()).toString();
  }
}
