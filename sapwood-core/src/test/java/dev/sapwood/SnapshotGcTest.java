package dev.sapwood;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Old versions are kept for as long as a snapshot needs them, and no longer. */
class SnapshotGcTest {
  @Test
  void aHeldSnapshotKeepsItsValueThroughManyOverwritesAndItsVersionsGoWhenItCloses(@TempDir Path dir) throws Exception {
    Options opts = RandomizedModelTest.shape(1 << 20, Compression.NONE).durability(Durability.NONE);
    try (Database db = Database.open(dir, opts)) {
      Tree t = db.tree("t");
      byte[] key = "hot".getBytes(StandardCharsets.UTF_8);
      byte[] original = "original".getBytes(StandardCharsets.UTF_8);
      t.put(key, original);
      for (int i = 0; i < 200; i++) {
        t.put(String.format("other%04d", i).getBytes(StandardCharsets.UTF_8), new byte[100]);
      }
      Snapshot s = db.snapshot();
      long maxRetained = 0;
      for (int i = 0; i < 100_000; i++) {
        t.put(key, ("value " + i).getBytes(StandardCharsets.UTF_8));
        if (i % 10_000 == 0) {
          assertArrayEquals(original, s.get(t, key), "overwrite " + i);
          maxRetained = Math.max(maxRetained, db.stats().get("versions.retained"));
        }
      }
      db.compact(); // every overwrite reaches the leaf
      assertArrayEquals(original, s.get(t, key));
      maxRetained = Math.max(maxRetained, db.stats().get("versions.retained"));
      assertTrue(maxRetained >= 1, "the old value was kept as a version");
      // One snapshot needs one version of the key, however often it is overwritten.
      assertTrue(maxRetained <= 2, "versions kept: " + maxRetained);
      assertEquals(1, db.stats().get("snapshots.open"));
      s.close();
      assertEquals(0, db.stats().get("versions.retained"));
      assertTrue(db.stats().get("versions.collected") >= 1);
      assertEquals(0, db.stats().get("snapshots.open"));
      assertArrayEquals("value 99999".getBytes(StandardCharsets.UTF_8), t.get(key));
      db.compact();
      // Nothing of the versions reached the file: it holds ~200 small entries.
      assertTrue(Files.size(dir.resolve("sapwood.db")) < (4L << 20),
          "file size " + Files.size(dir.resolve("sapwood.db")));
    }
  }
}
