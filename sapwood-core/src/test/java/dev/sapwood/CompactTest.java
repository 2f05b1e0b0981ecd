package dev.sapwood;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Database#compact} on small databases: it never leaves the file larger than it found it. */
class CompactTest {
  @TempDir Path dir;

  /** Five keys, each put in its own open (as five {@code sapwood put} commands do). */
  private long tinyDatabase() throws Exception {
    for (String k : new String[] {"alice", "bob", "carol", "dave", "erin"}) {
      try (Database db = Database.open(dir)) {
        db.tree("users").put(k.getBytes(UTF_8), ("role of " + k).getBytes(UTF_8));
      }
    }
    return Files.size(dir.resolve("sapwood.db"));
  }

  @Test
  void compactDoesNotGrowATinyDatabase() throws Exception {
    long before = tinyDatabase();
    try (Database db = Database.open(dir)) {
      db.compact();
    }
    long after = Files.size(dir.resolve("sapwood.db"));
    assertTrue(after <= before, "compact grew the file from " + before + " to " + after + " bytes");
    try (Database db = Database.open(dir)) {
      db.compact();
    }
    long again = Files.size(dir.resolve("sapwood.db"));
    // Once compact, every checkpoint (the one close() makes included) writes its block table to
    // free space, which may be the last 4 KiB unit or a hole below: the size may move by one unit.
    assertTrue(again <= after + 4096, "a second compact grew the file from " + after + " to " + again + " bytes");
    try (Database db = Database.open(dir)) {
      assertArrayEquals("role of carol".getBytes(UTF_8), db.tree("users").get("carol".getBytes(UTF_8)));
    }
  }

  @Test
  void checkpointsWithNothingChangedDoNotGrowTheFile() throws Exception {
    long before = tinyDatabase();
    try (Database db = Database.open(dir)) {
      for (int i = 0; i < 10; i++) {
        db.checkpoint();
      }
    }
    long after = Files.size(dir.resolve("sapwood.db"));
    assertTrue(after <= before, "idle checkpoints grew the file from " + before + " to " + after + " bytes");
  }
}
