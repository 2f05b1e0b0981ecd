package dev.sapwood;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One process at a time: a second open fails at once, from this process or another; a killed holder lets go. */
class LockTest {
  @TempDir Path tmp;

  @Test
  void aSecondOpenInTheSameProcessFailsAtOnce() {
    Path dir = tmp.resolve("db");
    try (Database db = Database.open(dir)) {
      long start = System.nanoTime();
      DatabaseLockedException e = assertThrows(DatabaseLockedException.class, () -> Database.open(dir));
      assertTrue(System.nanoTime() - start < 5_000_000_000L, "the second open waited");
      assertTrue(e.getMessage().contains(dir.toString()), "the message names the directory: " + e.getMessage());
      db.tree("t").put(new byte[] {1}, new byte[] {2}); // the holder is unharmed
    }
    try (Database again = Database.open(dir)) { // and a closed database lets go
      assertArrayEquals(new byte[] {2}, again.tree("t").get(new byte[] {1}));
    }
  }

  @Test
  @SuppressWarnings("try") // held open, unused, while the child tries
  void anotherProcessCannotOpenWhileThisOneHoldsIt() throws Exception {
    Path dir = tmp.resolve("db");
    try (Database db = Database.open(dir);
        ChildJvm child = ChildJvm.start(tmp.resolve("out"), tmp.resolve("err"), "try", dir.toString())) {
      List<String> lines = child.awaitExit(60_000);
      assertTrue(lines.stream().anyMatch(l -> l.startsWith("L ")), "the child opened a held database: " + lines);
    }
  }

  @Test
  void aDatabaseHeldByAnotherProcessCannotBeOpenedUntilItIsKilled() throws Exception {
    Path dir = tmp.resolve("db");
    try (ChildJvm holder = ChildJvm.start(tmp.resolve("out"), tmp.resolve("err"), "hold", dir.toString())) {
      assertTrue(holder.awaitLine("O"::equals, 60_000), "the holder did not open: " + holder.lines());
      assertThrows(DatabaseLockedException.class, () -> Database.open(dir));
      holder.killAndCollect(); // SIGKILL: the operating system releases the lock
    }
    try (Database db = Database.open(dir)) {
      assertArrayEquals("v".getBytes(StandardCharsets.US_ASCII), db.tree("held").get("k".getBytes(StandardCharsets.US_ASCII)),
          "the killed holder's acknowledged write is there");
    }
  }
}
