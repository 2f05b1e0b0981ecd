package dev.sapwood.internal.events;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Database;
import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.Tree;
import dev.sapwood.WriteBatch;
import dev.sapwood.internal.engine.DatabaseImpl;
import dev.sapwood.internal.engine.TestSeams;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Flight Recorder events appear, with sane fields, in a recording made in this process: a
 * workload on small nodes and a small cache (flushes, evictions), a crash and a recovery (recovery
 * runs before the background threads start, so writers flush and evict inline: write stalls),
 * checkpoints and a backup.
 */
class FlightRecorderEventsTest {
  @TempDir Path tmp;

  @Test
  void aRecordingShowsCheckpointsFlushesStallsEvictionsAndBackups() throws Exception {
    Path file = tmp.resolve("sapwood.jfr");
    MemoryFileIo io = new MemoryFileIo();
    Path dir = Path.of("/jfr/db");
    Options options = Options.defaults().nodeSize(4 << 10).basementSize(1 << 10).fanout(4)
        .cacheSize(128 << 10).checkpointInterval(Duration.ofHours(1));
    try (Recording r = new Recording()) {
      for (String name : List.of("Checkpoint", "Flush", "WriteStall", "Eviction", "Backup")) {
        r.enable("dev.sapwood." + name).withoutThreshold();
      }
      r.start();
      DatabaseImpl db = TestSeams.open(dir, options, io);
      write(db, 0, 20_000);
      db.checkpoint();
      write(db, 20_000, 40_000);
      db.sync();
      TestSeams.halt(db);
      io.crash();
      try (Database again = TestSeams.open(dir, options, io)) { // replays 20,000 writes inline
        again.backup(tmp.resolve("copy"));
      }
      r.stop();
      r.dump(file);
    }
    Map<String, List<RecordedEvent>> byName = new TreeMap<>(RecordingFile.readAllEvents(file).stream()
        .collect(Collectors.groupingBy(e -> e.getEventType().getName())));
    for (String name : List.of("Checkpoint", "Flush", "WriteStall", "Eviction", "Backup")) {
      assertFalse(byName.getOrDefault("dev.sapwood." + name, List.of()).isEmpty(),
          "no dev.sapwood." + name + " event; recorded: " + counts(byName));
    }
    for (RecordedEvent e : byName.get("dev.sapwood.Checkpoint")) {
      assertEquals("Sapwood", e.getEventType().getCategoryNames().get(0));
      assertTrue(e.getLong("checkpoint") >= 1 && e.getLong("lsn") >= 0 && e.getLong("nodes") >= 0
          && e.getLong("fileBytes") >= 8192 && !e.getDuration().isNegative(), e.toString());
    }
    Set<String> kinds = byName.get("dev.sapwood.Flush").stream().map(e -> e.getString("kind")).collect(Collectors.toSet());
    assertTrue(kinds.contains(FlushEvent.ROOT), "a writer's inline flush during recovery: " + kinds);
    assertTrue(Set.of(FlushEvent.ROOT, FlushEvent.BACKGROUND, FlushEvent.CLEANER).containsAll(kinds), kinds.toString());
    for (RecordedEvent e : byName.get("dev.sapwood.Flush")) {
      assertTrue(e.getInt("height") >= 1 && e.getLong("block") > 0 && e.getLong("bytesBefore") > 0, e.toString());
    }
    for (RecordedEvent e : byName.get("dev.sapwood.WriteStall")) {
      String cause = e.getString("cause");
      assertTrue(Set.of(WriteStallEvent.ROOT_FULL, WriteStallEvent.CACHE_FULL).contains(cause), e.toString());
      assertTrue(e.getLong("bytes") > e.getLong("limit") && e.getLong("limit") > 0 && !e.getDuration().isNegative(),
          e.toString());
    }
    for (RecordedEvent e : byName.get("dev.sapwood.Eviction")) {
      assertTrue(Set.of(EvictionEvent.WHOLE, EvictionEvent.PARTIAL, EvictionEvent.WRITTEN).contains(e.getString("outcome"))
          && e.getLong("block") > 0 && (e.getLong("bytes") > 0 || !e.getString("outcome").equals(EvictionEvent.WHOLE)),
          e.toString());
    }
    assertTrue(byName.get("dev.sapwood.Eviction").stream().anyMatch(e -> e.getBoolean("dirty")), "a dirty node written back");
    RecordedEvent backup = byName.get("dev.sapwood.Backup").get(0);
    assertTrue(backup.getLong("bytes") > 8192 && backup.getString("target").endsWith("copy"), backup.toString());
  }

  private static void write(Database db, int from, int to) {
    Tree t = db.tree("t");
    for (int i = from; i < to; i += 10) {
      WriteBatch b = new WriteBatch();
      for (int j = i; j < i + 10; j++) {
        b.put(t, String.format("k%08d", (j * 7919L) % 1_000_003).getBytes(US_ASCII), ("value " + j).getBytes(US_ASCII));
      }
      db.write(b, Durability.ASYNC);
    }
  }

  private static Map<String, Integer> counts(Map<String, List<RecordedEvent>> byName) {
    Map<String, Integer> m = new TreeMap<>();
    byName.forEach((k, v) -> m.put(k, v.size()));
    return m;
  }
}
