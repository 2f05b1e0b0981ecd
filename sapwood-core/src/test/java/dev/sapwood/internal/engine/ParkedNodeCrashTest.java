package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sapwood.Cursor;
import dev.sapwood.Database;
import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.Stats;
import dev.sapwood.StorageException;
import dev.sapwood.Tree;
import dev.sapwood.internal.io.FaultInjectingFileIo;
import dev.sapwood.internal.io.FaultInjectingFileIo.Kind;
import dev.sapwood.internal.io.FaultInjectingFileIo.Mode;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Dirty internal nodes parked off-heap ({@code tree.ParkedNodes}) across checkpoints, crashes and
 * failed writes: a random workload of acknowledged ({@code SYNC}) puts and deletes over a tree
 * whose internal level does not fit the heap cache, so the clock parks dirty internal nodes in the
 * tier's slabs, loads them back, and checkpoints write them; with a roomy tier nothing spills, with
 * a tight one the parked memory fills and the oldest images are written to make room. After a
 * power cut at points spread over the run (after checkpoints that wrote parked images and with
 * nodes parked at the cut), or the Nth write or fsync failing and then the power going, a clean
 * open holds every acknowledged write (and the one in flight, or not), and the verifier finds no
 * leaked, missing or damaged block.
 */
@dev.sapwood.testlog.CapturesEngineLog
class ParkedNodeCrashTest {
  private static final long SEED = 20261203L;
  private static final Path DIR = Path.of("/db");
  private static final int STEPS = 12_000;
  private static final int KEYS = 6_000;

  /**
   * Small nodes and a heap cache of 128 KiB (roomy) or 64 KiB (tight): the internal level (a few
   * hundred KiB) does not fit. A roomy tier lends up to 8 slabs of 64 KiB to parking; a tight one
   * a single slab, which fills.
   */
  private static Options options(boolean roomy) {
    long cache = roomy ? 832 << 10 : 192 << 10;
    double share = roomy ? 0.9 : 0.67;
    return Options.defaults().nodeSize(4 << 10).basementSize(1 << 10).fanout(4).cacheSize(cache)
        .offHeapCacheShare(share).durability(Durability.SYNC).syncInterval(Duration.ofHours(1))
        .checkpointInterval(Duration.ofDays(1));
  }

  private static byte[] key(int i) {
    return String.format("key%07d", i * 7919 % 1_000_003).getBytes();
  }

  /** The acknowledged state, and the step in flight (a key and its new value, null: deleted). */
  private static final class Model {
    final TreeMap<byte[], byte[]> acked = new TreeMap<>(Arrays::compareUnsigned);
    byte[] flyingKey;
    byte[] flyingValue;
  }

  /** Runs the workload until it ends, {@code stopAfter} steps, or the database fails. */
  private static void run(Database db, Model m, int stopAfter) {
    Random r = new Random(SEED);
    Tree t = db.tree("t");
    for (int step = 0; step < Math.min(STEPS, stopAfter); step++) {
      int op = r.nextInt(1000);
      byte[] k = key(r.nextInt(KEYS));
      if (op < 3) {
        db.checkpoint();
        continue;
      }
      byte[] v = null;
      if (op >= 120) {
        v = new byte[30 + r.nextInt(40)];
        r.nextBytes(v);
        Arrays.fill(v, 0, 10, (byte) step);
      }
      m.flyingKey = k;
      m.flyingValue = v;
      if (v == null) {
        t.delete(k);
        m.acked.remove(k);
      } else {
        t.put(k, v);
        m.acked.put(k, v);
      }
      m.flyingKey = null;
    }
  }

  private static void check(MemoryFileIo mem, Model m, Path scratch, String ctx) {
    try (Database db = TestSeams.open(DIR, options(false), mem)) {
      TreeMap<byte[], byte[]> found = new TreeMap<>(Arrays::compareUnsigned);
      try (Cursor c = db.tree("t").cursor()) {
        for (boolean ok = c.first(); ok; ok = c.next()) {
          found.put(c.key(), c.value());
        }
      }
      if (!same(found, m.acked, null, null) && (m.flyingKey == null || !same(found, m.acked, m.flyingKey, m.flyingValue))) {
        fail(ctx + ": recovered " + found.size() + " keys, acknowledged state has " + m.acked.size()
            + (m.flyingKey != null ? ", with a step in flight" : ""));
      }
      for (Map.Entry<byte[], byte[]> e : found.entrySet()) {
        assertArrayEquals(e.getValue(), db.tree("t").get(e.getKey()), ctx + ": get agrees with the cursor");
      }
    }
    LeafDeltaCrashTest.assertNoDamage(mem, scratch, ctx);
  }

  /** Whether {@code found} is {@code acked}, with {@code key} set to {@code value} (null: deleted) if key is not null. */
  private static boolean same(TreeMap<byte[], byte[]> found, TreeMap<byte[], byte[]> acked, byte[] key, byte[] value) {
    TreeMap<byte[], byte[]> want = acked;
    if (key != null) {
      want = new TreeMap<>(acked);
      if (value == null) {
        want.remove(key);
      } else {
        want.put(key, value);
      }
    }
    if (found.size() != want.size()) {
      return false;
    }
    for (Map.Entry<byte[], byte[]> e : found.entrySet()) {
      if (!Arrays.equals(e.getValue(), want.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  private static MemoryFileIo created() {
    MemoryFileIo mem = new MemoryFileIo();
    try (Database db = TestSeams.open(DIR, options(false), mem)) {
      db.tree("t");
      db.checkpoint();
    }
    return mem;
  }

  @Test
  void parkedNodesAreLoadedBackAndWrittenByTheCheckpoint() {
    MemoryFileIo mem = created();
    Model m = new Model();
    DatabaseImpl db = TestSeams.open(DIR, options(true), mem);
    try {
      run(db, m, STEPS);
      Stats st = db.stats();
      assertTrue(st.get("cache.parked") > 20, "dirty internal nodes were parked: " + st);
      assertTrue(st.get("cache.unparked") > 10, "and loaded back from their images: " + st);
      assertEquals(0, st.get("cache.parked_spills"), "a roomy tier never spills");
      assertTrue(st.get("cache.parked_checkpoint_writes") > 0, "checkpoints wrote parked images: " + st);
      assertTrue(st.get("cache.parked_held_bytes") <= st.get("cache.offheap_budget_bytes") * 15 / 16,
          "parking holds at most fifteen sixteenths of the tier");
      assertTrue(st.get("cache.offheap_bytes") <= st.get("cache.offheap_budget_bytes"), "within the tier's budget");
      Tree t = db.tree("t");
      for (Map.Entry<byte[], byte[]> e : m.acked.entrySet()) {
        assertArrayEquals(e.getValue(), t.get(e.getKey()), "while open");
      }
      db.checkpoint();
      assertEquals(0, db.stats().get("cache.parked_nodes"), "a checkpoint leaves nothing parked");
    } finally {
      db.close();
    }
    try (Database again = TestSeams.open(DIR, options(false), mem)) {
      Tree t = again.tree("t");
      for (Map.Entry<byte[], byte[]> e : m.acked.entrySet()) {
        assertArrayEquals(e.getValue(), t.get(e.getKey()), "after a clean close and reopen");
      }
    }
  }

  @ParameterizedTest(name = "roomy tier {0}")
  @CsvSource({"true", "false"})
  void aPowerCutWithNodesParkedKeepsEveryAcknowledgedWrite(boolean roomy, @TempDir Path scratch) {
    MemoryFileIo base = created();
    Stats whole;
    try (Database db = TestSeams.open(DIR, options(roomy), LeafDeltaCrashTest.copy(base))) {
      run(db, new Model(), Integer.MAX_VALUE);
      whole = db.stats();
    }
    assertTrue(whole.get("cache.parked") > 20, "nodes were parked: " + whole);
    assertTrue(whole.get("cache.parked_checkpoint_writes") > 0, "checkpoints wrote parked images: " + whole);
    if (!roomy) {
      assertTrue(whole.get("cache.parked_spills") > 10, "the parked memory filled and spilled: " + whole);
    }
    for (int stop = 1_111; stop <= STEPS; stop += 1_777) {
      MemoryFileIo mem = LeafDeltaCrashTest.copy(base);
      Model m = new Model();
      DatabaseImpl db = TestSeams.open(DIR, options(roomy), mem);
      run(db, m, stop);
      long parkedAtCut = db.stats().get("cache.parked_nodes");
      TestSeams.halt(db);
      mem.crash();
      check(mem, m, scratch, "seed " + SEED + ", roomy " + roomy + ", power cut after step " + stop
          + " with " + parkedAtCut + " nodes parked");
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"WRITE, ONCE", "WRITE, FOREVER", "FSYNC, FOREVER"})
  void aFailedWriteOrSyncWhileParkedImagesAreWrittenLosesNoAcknowledgedWrite(Kind kind, Mode mode,
      @TempDir Path scratch) {
    MemoryFileIo base = created();
    FaultInjectingFileIo probe = new FaultInjectingFileIo(LeafDeltaCrashTest.copy(base), SEED);
    long before;
    try (Database db = TestSeams.open(DIR, options(false), probe)) {
      before = probe.count(kind);
      run(db, new Model(), Integer.MAX_VALUE);
    }
    long total = probe.count(kind);
    long stride = Math.max(1, (total - before) / 8);
    int injected = 0;
    for (long n = before + stride / 2 + 1; n <= total; n += stride) {
      String ctx = "seed " + SEED + ", " + kind + " #" + n + " of " + total + " fails " + mode;
      MemoryFileIo mem = LeafDeltaCrashTest.copy(base);
      FaultInjectingFileIo io = new FaultInjectingFileIo(mem, SEED + n);
      DatabaseImpl db = TestSeams.open(DIR, options(false), io);
      io.failAt(kind, n, mode);
      Model m = new Model();
      try {
        run(db, m, Integer.MAX_VALUE);
      } catch (StorageException | IllegalStateException e) {
        // the failure reached the writer; the step in flight may or may not survive
      }
      if (io.firstInjected() != null) {
        injected++;
      }
      TestSeams.halt(db);
      io.crashAndTear(null, true);
      check(mem, m, scratch, ctx);
    }
    assertTrue(injected > 0, kind + " " + mode + ": no fault was injected");
  }
}
