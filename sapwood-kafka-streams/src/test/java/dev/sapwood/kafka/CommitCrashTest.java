package dev.sapwood.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.ChildJvm;
import dev.sapwood.UpdateFunctions;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store's process killed with SIGKILL while it commits, over and over: on every reopen, the data
 * is exactly what the committed changelog offset covers (no round half there, none counted twice
 * or lost), and the committed offset is at least the last one the child reported.
 */
class CommitCrashTest {
  @TempDir
  Path dir;

  @Test
  void afterSigkillMidCommitDataAndCommittedOffsetAgree() throws Exception {
    long seed = System.nanoTime();
    System.out.println("afterSigkillMidCommitDataAndCommittedOffsetAgree seed=" + seed);
    Random rnd = new Random(seed);
    Path stateDir = dir.resolve("state");
    long reported = 0;
    for (int cycle = 0; cycle < 3; cycle++) {
      long target = reported + 20 + rnd.nextInt(60);
      try (ChildJvm child = ChildJvm.start(CommitCrashChild.class, dir.resolve("out" + cycle), dir.resolve("err" + cycle),
          stateDir.toString())) {
        assertTrue(child.awaitLine(l -> l.equals("committed " + target), 120_000),
            "child reached round " + target + " (seed " + seed + ", see " + dir.resolve("err" + cycle) + ")");
        Thread.sleep(rnd.nextInt(30));
        List<String> lines = child.killAndCollect();
        for (String l : lines) {
          if (l.startsWith("committed ")) {
            reported = Math.max(reported, Long.parseLong(l.substring("committed ".length())));
          }
        }
      }
      long committed = check(stateDir, seed);
      assertTrue(committed >= reported, "committed " + committed + " < reported " + reported + " (seed " + seed + ")");
      reported = committed;
    }
  }

  /** Reopens the store and checks that its data is exactly that of its committed round. */
  private static long check(Path stateDir, long seed) {
    TestStoreContext ctx = new TestStoreContext(stateDir.toFile());
    SapwoodKeyValueStore store = (SapwoodKeyValueStore) SapwoodStores.keyValueStore("crash-store").get();
    store.init(ctx, store);
    try {
      Long c = store.committedOffset(CommitCrashChild.CHANGELOG);
      assertNotNull(c, "seed " + seed);
      assertEquals(c, UpdateFunctions.toLong(store.get(CommitCrashChild.key("n"))), "counter n, seed " + seed);
      assertArrayEquals(Long.toString(c).getBytes(UTF_8), store.get(CommitCrashChild.key("last")), "seed " + seed);
      for (long g = 0; g < CommitCrashChild.GROUPS; g++) {
        long lastRound = c - Math.floorMod(c - g, CommitCrashChild.GROUPS);
        for (int i = 0; i < CommitCrashChild.KEYS; i++) {
          byte[] got = store.get(CommitCrashChild.groupKey(g, i));
          if (lastRound < 1) {
            assertEquals(null, got, "seed " + seed);
          } else {
            assertArrayEquals(Long.toString(lastRound).getBytes(UTF_8), got, "group " + g + " key " + i + ", seed " + seed);
          }
        }
      }
      return c;
    } finally {
      store.close();
    }
  }
}
