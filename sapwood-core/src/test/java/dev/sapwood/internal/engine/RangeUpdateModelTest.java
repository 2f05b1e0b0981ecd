package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sapwood.Cursor;
import dev.sapwood.Database;
import dev.sapwood.Durability;
import dev.sapwood.Limits;
import dev.sapwood.Options;
import dev.sapwood.Tree;
import dev.sapwood.UpdateFunction;
import dev.sapwood.UpdateFunctions;
import dev.sapwood.WriteBatch;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Range and broadcast updates ({@link Tree#updateRange}, {@link Tree#updateAll}) interleaved at
 * random with puts, deletes, point updates and range deletes of the same keys, checked after every
 * step against a {@link TreeMap} that applies each change at once, in order. Tiny nodes make the
 * messages sit at every level of the tree; checkpoints, clean reopens and crashes (a halted
 * database on a file system that loses what was not synced; every write is SYNC, so nothing
 * acknowledged may be lost) are interleaved, so range updates are flushed, written in nodes, read
 * back, logged and replayed. A failure names the seed and the last operations.
 */
class RangeUpdateModelTest {
  /** Argument: op byte, then data. 0: delete the key if its first byte is below data[0]; 1: XOR with data; 2: fail. */
  static final UpdateFunction MIXED = new UpdateFunction() {
    @Override
    public String name() {
      return "test.range_mixed";
    }

    @Override
    public byte[] apply(byte[] key, byte[] old, byte[] arg) {
      if (old == null) {
        throw new AssertionError("a range update saw an absent key " + HexFormat.of().formatHex(key));
      }
      switch (arg[0]) {
        case 0 -> {
          return old.length > 0 && (old[0] & 0xFF) < (arg[1] & 0xFF) ? null : old;
        }
        case 1 -> {
          byte[] out = old.clone();
          for (int i = 0; i < out.length && i + 1 < arg.length; i++) {
            out[i] ^= arg[i + 1];
          }
          return out;
        }
        default -> throw new IllegalStateException("this update cannot apply");
      }
    }
  };

  private static Options options() {
    return Options.defaults().nodeSize(16 << 10).basementSize(4 << 10).fanout(4).cacheSize(1 << 20)
        .durability(Durability.SYNC).checkpointInterval(Duration.ofHours(1)).syncInterval(Duration.ofHours(1))
        .register(MIXED);
  }

  @ParameterizedTest(name = "seed={0}")
  @ValueSource(longs = {0x15_0001L, 0x15_0002L, 0x15_0003L})
  void rangeUpdatesBehaveLikeTheModel(long seed) {
    new Run(seed, 6_000).execute();
  }

  @Test
  void rangeUpdatesBehaveLikeTheModelWithAFreshSeed() {
    long seed = System.nanoTime();
    System.out.println("RangeUpdateModelTest fresh seed=" + seed);
    new Run(seed, 6_000).execute();
  }

  @Tag("stress")
  @Test
  void rangeUpdatesBehaveLikeTheModelUnderStress() {
    long base = Long.getLong("sapwood.stress.seed", System.nanoTime());
    System.out.println("RangeUpdateModelTest stress base seed=" + base);
    for (int i = 0; i < 16; i++) {
      new Run(base + i, 40_000).execute();
    }
  }

  /**
   * Fresh seeds of the model run, each beside a thread that runs cleaner passes back to back (the
   * engine runs one every 200 ms): background flushes race the model's writes, cursors, gets,
   * checkpoints and reopens far more often than in the default run. This is the amplified
   * reproduction of the rare fresh-seed failure (docs/design.md, "Concurrency"): on 2026-12-02 it
   * failed in about 1 run in 75, until a root collapsing under a cascade was fixed
   * ({@code RootCollapseCascadeTest}). {@code sapwood.stress.runs} seeds (default 40);
   * {@code sapwood.stress.checkEveryStep=true} compares a full scan with the model after every
   * step, naming the step after which the tree first differs.
   */
  @Tag("stress")
  @Test
  void rangeUpdatesBehaveLikeTheModelBesideABusyCleaner() {
    long base = Long.getLong("sapwood.stress.seed", System.nanoTime());
    int runs = Integer.getInteger("sapwood.stress.runs", 40);
    System.out.println("RangeUpdateModelTest busy cleaner base seed=" + base + " runs=" + runs);
    for (int i = 0; i < runs; i++) {
      Run r = new Run(base + i, 6_000);
      r.busyCleaner = true;
      r.checkEveryStep = Boolean.getBoolean("sapwood.stress.checkEveryStep");
      r.execute();
    }
  }

  private static final byte[] ALPHABET = {0, 1, 2, 0x61, 0x62, 0x63, 0x78, 0x79, 0x7A, (byte) 0xFF};

  private static final class Run {
    private final long seed;
    private final Random rnd;
    private final int ops;
    private final MemoryFileIo io = new MemoryFileIo();
    private final Path dir = Path.of("/range-updates");
    private final List<byte[]> keys = new ArrayList<>();
    private final TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
    private final ArrayDeque<String> recent = new ArrayDeque<>();
    private volatile DatabaseImpl db;
    private Tree tree;
    private int step;
    /** Whether a thread runs cleaner passes back to back beside the run. */
    boolean busyCleaner;
    /** Whether a full scan is compared with the model after every step. */
    boolean checkEveryStep;
    /** Held by the busy cleaner's passes and by closes, halts and crashes: never the two at once. */
    private final ReentrantLock reopenLock = new ReentrantLock(true);
    private volatile Throwable cleanerFailure;

    Run(long seed, int ops) {
      this.seed = seed;
      this.rnd = new Random(seed);
      this.ops = ops;
    }

    void execute() {
      try {
        int n = 200 + rnd.nextInt(800);
        TreeMap<byte[], Boolean> set = new TreeMap<>(Arrays::compareUnsigned);
        set.put(new byte[0], true);
        while (set.size() < n) {
          byte[] k = new byte[1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 300 : 6)];
          for (int i = 0; i < k.length; i++) {
            k[i] = ALPHABET[rnd.nextInt(ALPHABET.length)];
          }
          set.put(k, true);
        }
        keys.addAll(set.keySet());
        open();
        AtomicBoolean done = new AtomicBoolean();
        Thread cleaner = busyCleaner ? startBusyCleaner(done) : null;
        try {
          for (step = 0; step < ops; step++) {
            oneStep();
            if (checkEveryStep) {
              String wrong = scanAgainstModel();
              if (wrong != null) {
                throw new AssertionError("after this step the tree differs from the model: " + wrong);
              }
            }
          }
        } finally {
          done.set(true);
          if (cleaner != null) {
            cleaner.join();
          }
        }
        if (cleanerFailure != null) {
          throw new AssertionError("the busy cleaner failed", cleanerFailure);
        }
        verify("end");
        db.close();
        open();
        verify("end, reopened");
        db.close();
      } catch (Throwable t) {
        throw new AssertionError("seed=" + seed + " ops=" + ops + " failed at step " + step
            + "\nlast operations (oldest first):\n  " + String.join("\n  ", recent) + "\n" + t, t);
      }
    }

    private Thread startBusyCleaner(AtomicBoolean done) {
      Thread t = new Thread(() -> {
        while (!done.get()) {
          reopenLock.lock();
          try {
            db.upkeep().cleanWithoutBudget(); // busy: flushes whatever is heavy, writes or not
          } catch (RuntimeException | Error e) {
            cleanerFailure = e;
            return;
          } finally {
            reopenLock.unlock();
          }
        }
      }, "busy-cleaner");
      t.setDaemon(true);
      t.start();
      return t;
    }

    /** A full scan against the model: null if they agree, else where they first differ. */
    private String scanAgainstModel() {
      try (Cursor c = tree.cursor()) {
        boolean ok = c.first();
        for (Map.Entry<byte[], byte[]> e : model.entrySet()) {
          if (!ok) {
            return "the scan ended before " + hex(e.getKey());
          }
          if (!Arrays.equals(e.getKey(), c.key())) {
            return "the scan has " + hex(c.key()) + " where the model has " + hex(e.getKey());
          }
          if (!Arrays.equals(e.getValue(), c.value())) {
            return "the scan's value at " + hex(e.getKey()) + " differs";
          }
          ok = c.next();
        }
        return ok ? "the scan has more than the model: " + hex(c.key()) : null;
      }
    }

    private void open() {
      db = TestSeams.open(dir, options(), io);
      tree = db.tree("t");
    }

    private void log(String s) {
      if (recent.size() == 40) {
        recent.removeFirst();
      }
      recent.addLast(step + ": " + s);
    }

    private void oneStep() {
      int dice = rnd.nextInt(1000);
      if (dice < 300) {
        byte[] k = key();
        byte[] v = value();
        log("put " + hex(k) + " = " + hex(v));
        tree.put(k, v);
        model.put(k, v);
      } else if (dice < 380) {
        byte[] k = key();
        log("delete " + hex(k));
        tree.delete(k);
        model.remove(k);
      } else if (dice < 440) {
        byte[] k = key();
        byte[] a = smallValue();
        log("update APPEND " + hex(k) + " " + hex(a));
        tree.update(k, UpdateFunctions.APPEND, a);
        apply(k, UpdateFunctions.APPEND, a);
      } else if (dice < 470) {
        byte[][] r = range();
        log("deleteRange [" + hex(r[0]) + ", " + hex(r[1]) + ")");
        tree.deleteRange(r[0], r[1]);
        if (Arrays.compareUnsigned(r[0], r[1]) < 0) {
          model.subMap(r[0], true, r[1], false).clear();
        }
      } else if (dice < 560) {
        byte[][] r = range();
        UpdateFunction fn = function();
        byte[] a = argument(fn);
        log("updateRange [" + hex(r[0]) + ", " + hex(r[1]) + ") " + fn.name() + " " + hex(a));
        tree.updateRange(r[0], r[1], fn, a);
        if (Arrays.compareUnsigned(r[0], r[1]) < 0) {
          applyRange(model.subMap(r[0], true, r[1], false), fn, a);
        }
      } else if (dice < 575) {
        UpdateFunction fn = function();
        byte[] a = argument(fn);
        log("updateAll " + fn.name() + " " + hex(a));
        tree.updateAll(fn, a);
        applyRange(model, fn, a);
      } else if (dice < 615) {
        batch();
      } else if (dice < 800) {
        byte[] k = rnd.nextInt(5) == 0 ? randomKey() : key();
        log("get " + hex(k));
        assertArrayEquals(model.get(k), tree.get(k), () -> "get " + hex(k));
      } else if (dice < 980) {
        scan();
      } else if (dice < 990) {
        log("checkpoint");
        db.checkpoint();
      } else if (dice < 995) {
        log("close + reopen");
        reopenLock.lock();
        try {
          db.close();
          open();
        } finally {
          reopenLock.unlock();
        }
      } else {
        log("crash + reopen");
        reopenLock.lock();
        try {
          TestSeams.halt(db);
          io.crash();
          open();
        } finally {
          reopenLock.unlock();
        }
      }
    }

    private void batch() {
      WriteBatch b = new WriteBatch();
      List<Runnable> modelOps = new ArrayList<>();
      StringBuilder desc = new StringBuilder("batch:");
      int n = 1 + rnd.nextInt(6);
      for (int i = 0; i < n; i++) {
        int kind = rnd.nextInt(4);
        if (kind == 0) {
          byte[] k = key();
          byte[] v = value();
          b.put(tree, k, v);
          modelOps.add(() -> model.put(k, v));
          desc.append(" put ").append(hex(k));
        } else if (kind == 1) {
          byte[] k = key();
          b.delete(tree, k);
          modelOps.add(() -> model.remove(k));
          desc.append(" delete ").append(hex(k));
        } else if (kind == 2) {
          byte[][] r = range();
          UpdateFunction fn = function();
          byte[] a = argument(fn);
          b.updateRange(tree, r[0], r[1], fn, a);
          modelOps.add(() -> {
            if (Arrays.compareUnsigned(r[0], r[1]) < 0) {
              applyRange(model.subMap(r[0], true, r[1], false), fn, a);
            }
          });
          desc.append(" updateRange [").append(hex(r[0])).append(", ").append(hex(r[1])).append(") ").append(fn.name()).append(' ').append(hex(a));
        } else {
          UpdateFunction fn = function();
          byte[] a = argument(fn);
          b.updateAll(tree, fn, a);
          modelOps.add(() -> applyRange(model, fn, a));
          desc.append(" updateAll ").append(fn.name()).append(' ').append(hex(a));
        }
      }
      log(desc.toString());
      db.write(b);
      modelOps.forEach(Runnable::run);
    }

    private void scan() {
      byte[] from = rnd.nextBoolean() ? key() : new byte[0];
      log("scan from " + hex(from));
      try {
        scanFrom(from);
      } catch (AssertionError first) {
        // Tells a read that raced something (the same scan then agrees) from a tree that lost or
        // kept something (it fails again, and so does a full scan).
        String again;
        try {
          scanFrom(from);
          again = "the same scan again agrees with the model (a transient read)";
        } catch (AssertionError second) {
          String full = scanAgainstModel();
          again = "the same scan again fails too (" + second.getMessage() + "); a full scan: "
              + (full == null ? "agrees" : full);
        }
        throw new AssertionError(first.getMessage() + "; " + again, first);
      }
    }

    private void scanFrom(byte[] from) {
      try (Cursor c = tree.cursor()) {
        boolean ok = c.seek(from);
        Map.Entry<byte[], byte[]> e = model.ceilingEntry(from);
        for (int i = 0; i < 40 && (ok || e != null); i++) {
          assertEquals(e != null, ok, "cursor validity");
          byte[] ek = e.getKey();
          assertArrayEquals(ek, c.key(), () -> "cursor key, expected " + hex(ek));
          assertArrayEquals(e.getValue(), c.value(), () -> "cursor value at " + hex(ek));
          ok = c.next();
          e = model.higherEntry(ek);
        }
      }
    }

    private void verify(String when) {
      for (byte[] k : keys) {
        assertArrayEquals(model.get(k), tree.get(k), () -> when + ": get " + hex(k));
      }
      try (Cursor c = tree.cursor()) {
        boolean ok = c.first();
        for (Map.Entry<byte[], byte[]> e : model.entrySet()) {
          assertEquals(true, ok, () -> when + ": scan ended before " + hex(e.getKey()));
          assertArrayEquals(e.getKey(), c.key(), when + ": scan key");
          assertArrayEquals(e.getValue(), c.value(), when + ": scan value");
          ok = c.next();
        }
        assertEquals(false, ok, () -> when + ": scan has more than the model");
      }
    }

    /** Applies an update to each key present, as the tree must: in key order, skipping failures. */
    private static void applyRange(Map<byte[], byte[]> range, UpdateFunction fn, byte[] a) {
      for (var it = range.entrySet().iterator(); it.hasNext();) {
        Map.Entry<byte[], byte[]> e = it.next();
        byte[] nv;
        try {
          nv = fn.apply(e.getKey(), e.getValue(), a);
        } catch (RuntimeException ex) {
          continue;
        }
        if (nv == null) {
          it.remove();
        } else if (nv.length <= Limits.MAX_VALUE_SIZE) {
          e.setValue(nv);
        }
      }
    }

    private void apply(byte[] k, UpdateFunction fn, byte[] a) {
      byte[] nv = fn.apply(k, model.get(k), a);
      if (nv == null) {
        model.remove(k);
      } else {
        model.put(k, nv);
      }
    }

    private UpdateFunction function() {
      int r = rnd.nextInt(10);
      return r < 6 ? MIXED : r < 9 ? UpdateFunctions.APPEND : UpdateFunctions.ADD_LONG;
    }

    private byte[] argument(UpdateFunction fn) {
      if (fn == UpdateFunctions.APPEND) {
        return new byte[] {(byte) rnd.nextInt(256)};
      }
      if (fn == UpdateFunctions.ADD_LONG) {
        return UpdateFunctions.fromLong(rnd.nextInt(10)); // fails on every value that is not 8 bytes
      }
      int op = rnd.nextInt(10);
      if (op < 3) {
        return new byte[] {0, (byte) rnd.nextInt(100)};
      }
      return op < 9 ? new byte[] {1, (byte) rnd.nextInt(256), (byte) rnd.nextInt(256), (byte) rnd.nextInt(256)} : new byte[] {2};
    }

    private byte[][] range() {
      int kind = rnd.nextInt(10);
      if (kind == 0) {
        byte[] k = key();
        return new byte[][] {k, k};
      }
      int i = rnd.nextInt(keys.size());
      int j = Math.min(keys.size() - 1, i + 1 + rnd.nextInt(kind < 3 ? keys.size() : 40));
      byte[] to = rnd.nextInt(4) == 0 ? Arrays.copyOf(keys.get(j), keys.get(j).length + 1) : keys.get(j);
      return kind == 1 ? new byte[][] {to, keys.get(i)} : new byte[][] {keys.get(i), to};
    }

    private byte[] key() {
      return keys.get(rnd.nextInt(keys.size()));
    }

    private byte[] randomKey() {
      byte[] k = new byte[rnd.nextInt(5)];
      rnd.nextBytes(k);
      return k;
    }

    private byte[] value() {
      int r = rnd.nextInt(100);
      byte[] v = new byte[r < 5 ? 0 : r < 95 ? 1 + rnd.nextInt(60) : 2000 + rnd.nextInt(3000)];
      rnd.nextBytes(v);
      return v;
    }

    private byte[] smallValue() {
      byte[] v = new byte[rnd.nextInt(8)];
      rnd.nextBytes(v);
      return v;
    }

    private static String hex(byte[] b) {
      if (b == null) {
        return "null";
      }
      String h = HexFormat.of().formatHex(b, 0, Math.min(b.length, 24));
      return b.length > 24 ? h + "..(" + b.length + ")" : h;
    }
  }
}
