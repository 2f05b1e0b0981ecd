package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sapwood.Cursor;
import dev.sapwood.Database;
import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.StorageException;
import dev.sapwood.Tree;
import dev.sapwood.internal.io.FaultInjectingFileIo;
import dev.sapwood.internal.io.FaultInjectingFileIo.Kind;
import dev.sapwood.internal.io.FaultInjectingFileIo.Mode;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The block file's write-behind across crashes: acknowledged ({@code SYNC}) puts and deletes over
 * a cache far smaller than the tree, so nodes are written back between checkpoints, with a
 * write-behind sync after every step and a checkpoint now and then; the power goes after every
 * number of steps, or the Nth fsync fails for good (the write-behind's among them) and then the
 * power goes. After each, a clean open holds every acknowledged write (and the one in flight, or
 * not): syncing written nodes early never makes a header refer to what it should not.
 */
@dev.sapwood.testlog.CapturesEngineLog
class WriteBehindCrashTest {
  private static final long SEED = 20261203L;
  private static final Path DIR = Path.of("/db");
  private static final int STEPS = 1200;
  private static final int KEYS = 3000;

  private static Options options() {
    return Options.defaults().nodeSize(4 << 10).basementSize(1 << 10).fanout(4).cacheSize(64 << 10)
        .durability(Durability.SYNC).syncInterval(Duration.ofHours(1)).checkpointInterval(Duration.ofDays(1));
  }

  private static byte[] key(int i) {
    return String.format("key%05d", i).getBytes();
  }

  private static final class Model {
    final TreeMap<byte[], byte[]> acked = new TreeMap<>(Arrays::compareUnsigned);
    TreeMap<byte[], byte[]> inFlight;
  }

  private static void run(DatabaseImpl db, Model m, int stopAfter) {
    db.writeBehind().syncEvery(1);
    Random r = new Random(SEED);
    Tree t = db.tree("t");
    for (int step = 0; step < Math.min(STEPS, stopAfter); step++) {
      int op = r.nextInt(100);
      int k = r.nextInt(KEYS);
      TreeMap<byte[], byte[]> next = new TreeMap<>(m.acked);
      m.inFlight = next;
      if (op < 75) {
        byte[] v = new byte[100 + r.nextInt(200)];
        r.nextBytes(v);
        next.put(key(k), v);
        t.put(key(k), v);
      } else if (op < 98) {
        next.remove(key(k));
        t.delete(key(k));
      } else {
        db.checkpoint();
      }
      m.acked.clear();
      m.acked.putAll(next);
      m.inFlight = null;
      db.writeBehind().tick();
    }
  }

  private static void check(MemoryFileIo mem, Model m, String ctx) {
    try (Database db = TestSeams.open(DIR, options(), mem)) {
      TreeMap<byte[], byte[]> found = new TreeMap<>(Arrays::compareUnsigned);
      try (Cursor c = db.tree("t").cursor()) {
        for (boolean ok = c.first(); ok; ok = c.next()) {
          found.put(c.key(), c.value());
        }
      }
      if (!same(found, m.acked) && (m.inFlight == null || !same(found, m.inFlight))) {
        fail(ctx + ": recovered " + found.size() + " keys, acknowledged state has " + m.acked.size());
      }
      for (Map.Entry<byte[], byte[]> e : found.entrySet()) {
        assertArrayEquals(e.getValue(), db.tree("t").get(e.getKey()), ctx + ": get agrees with the cursor");
      }
    }
  }

  private static boolean same(TreeMap<byte[], byte[]> a, TreeMap<byte[], byte[]> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (Map.Entry<byte[], byte[]> e : a.entrySet()) {
      if (!Arrays.equals(e.getValue(), b.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  private static MemoryFileIo created() {
    MemoryFileIo mem = new MemoryFileIo();
    try (Database db = TestSeams.open(DIR, options(), mem)) {
      db.tree("t");
      db.checkpoint();
    }
    return mem;
  }

  private static MemoryFileIo copy(MemoryFileIo src) {
    MemoryFileIo dst = new MemoryFileIo();
    List<Path> files = new ArrayList<>(src.list(DIR));
    files.addAll(src.list(DIR.resolve(DatabaseOpener.WAL_DIR)));
    for (Path p : files) {
      dst.setContents(p, src.contents(p));
    }
    return dst;
  }

  @Test
  void aPowerCutAfterAnyStepKeepsEveryAcknowledgedWrite() {
    MemoryFileIo base = created();
    try (DatabaseImpl probe = TestSeams.open(DIR, options(), copy(base))) {
      run(probe, new Model(), Integer.MAX_VALUE);
      long syncs = probe.stats().get("store.write_behind_syncs");
      long evicted = probe.stats().get("node.written") - probe.stats().get("checkpoint.nodes_written");
      assertTrue(syncs > 10, "the write-behind synced " + syncs + " times");
      assertTrue(evicted > 50, "few nodes written back between checkpoints: " + evicted + " " + probe.stats());
    }
    for (int stop = 29; stop <= STEPS; stop += 97) {
      MemoryFileIo mem = copy(base);
      Model m = new Model();
      DatabaseImpl db = TestSeams.open(DIR, options(), mem);
      run(db, m, stop);
      TestSeams.halt(db);
      mem.crash();
      check(mem, m, "seed " + SEED + ", power cut after step " + stop);
    }
  }

  @Test
  void aFailedSyncLosesNoAcknowledgedWrite() {
    MemoryFileIo base = created();
    FaultInjectingFileIo probe = new FaultInjectingFileIo(copy(base), SEED);
    long before;
    try (DatabaseImpl db = TestSeams.open(DIR, options(), probe)) {
      before = probe.count(Kind.FSYNC);
      run(db, new Model(), Integer.MAX_VALUE);
    }
    long total = probe.count(Kind.FSYNC);
    long stride = Math.max(1, (total - before) / 8);
    int injected = 0;
    for (long n = before + 1; n <= total; n += stride) {
      String ctx = "seed " + SEED + ", fsync #" + n + " of " + total + " fails for good";
      MemoryFileIo mem = copy(base);
      FaultInjectingFileIo io = new FaultInjectingFileIo(mem, SEED + n);
      DatabaseImpl db = TestSeams.open(DIR, options(), io);
      io.failAt(Kind.FSYNC, n, Mode.FOREVER);
      Model m = new Model();
      try {
        run(db, m, Integer.MAX_VALUE);
      } catch (StorageException | IllegalStateException e) {
        // the failure reached the writer or the write-behind; the step in flight may or may not survive
      }
      if (io.firstInjected() != null) {
        injected++;
      }
      TestSeams.halt(db);
      io.crashAndTear(null, true);
      check(mem, m, ctx);
    }
    assertTrue(injected > 0, "no fault was injected");
  }
}
