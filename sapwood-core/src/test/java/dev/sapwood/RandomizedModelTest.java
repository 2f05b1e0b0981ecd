package dev.sapwood;

import static dev.sapwood.TestUtil.assertBytesEqual;
import static dev.sapwood.TestUtil.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random sequences of every public operation, checked step by step against a {@link TreeMap}
 * ordered like Sapwood (unsigned bytes). Small node shapes make the tree deep after a few hundred
 * keys, so splits, merges, cascades and buffered messages are exercised; checkpoints and reopens
 * are interleaved. A failure names the seed, the configuration and the last operations; rerun one
 * seed with {@link #replay}.
 */
class RandomizedModelTest {
  /** Tiny shapes: 16 KiB nodes, 4 KiB basements, fanout 4. */
  static Options shape(long cacheSize, Compression compression) {
    return Options.defaults()
        .nodeSize(16 << 10)
        .basementSize(4 << 10)
        .fanout(4)
        .cacheSize(cacheSize)
        .compression(compression)
        .register(XOR_OR_DELETE);
  }

  /**
   * A user update function: an empty argument deletes the key; otherwise the new value is the old
   * one XOR the argument, byte by byte, as long as the longer of the two (absent counts as empty).
   */
  static final UpdateFunction XOR_OR_DELETE = new UpdateFunction() {
    @Override
    public String name() {
      return "test.xor_or_delete";
    }

    @Override
    public byte[] apply(byte[] key, byte[] old, byte[] arg) {
      if (arg.length == 0) {
        return null;
      }
      byte[] o = old == null ? new byte[0] : old;
      byte[] out = Arrays.copyOf(o, Math.max(o.length, arg.length)); // past the old value: 0 ^ arg
      for (int i = 0; i < arg.length; i++) {
        out[i] ^= arg[i];
      }
      return out;
    }
  };

  /** Operations per seed in the default run (the stress run does many more). */
  static final int DEFAULT_OPS = 20_000;
  static final long SMALL_CACHE = 256 << 10;
  static final long ROOMY_CACHE = 8 << 20;

  static Stream<Arguments> fixedSeeds() {
    return Stream.of(
        Arguments.of(0x5A9_0001L, Compression.NONE, ROOMY_CACHE),
        Arguments.of(0x5A9_0002L, Compression.LZ4, ROOMY_CACHE),
        Arguments.of(0x5A9_0003L, Compression.ZSTD, ROOMY_CACHE),
        Arguments.of(0x5A9_0004L, Compression.NONE, SMALL_CACHE),
        Arguments.of(0x5A9_0005L, Compression.LZ4, SMALL_CACHE),
        Arguments.of(0x5A9_0006L, Compression.ZSTD, SMALL_CACHE));
  }

  @ParameterizedTest(name = "seed={0} {1} cache={2}")
  @MethodSource("fixedSeeds")
  void behavesLikeTreeMap(long seed, Compression compression, long cacheSize, @TempDir Path dir) {
    new Run(seed, dir, shape(cacheSize, compression), DEFAULT_OPS).execute();
  }

  @Test
  void behavesLikeTreeMapWithFreshSeed(@TempDir Path dir) {
    long seed = System.nanoTime();
    System.out.println("RandomizedModelTest fresh seed=" + seed);
    Random r = new Random(seed);
    Compression c = Compression.values()[r.nextInt(3)];
    long cache = r.nextBoolean() ? SMALL_CACHE : ROOMY_CACHE;
    new Run(seed, dir, shape(cache, c), DEFAULT_OPS).execute();
  }

  /** Many more seeds and operations; run with {@code mvn verify -Pstress}. */
  @Tag("stress")
  @Test
  void behavesLikeTreeMapUnderStress(@TempDir Path dir) throws Exception {
    long base = Long.getLong("sapwood.stress.seed", System.nanoTime());
    int seeds = Integer.getInteger("sapwood.stress.seeds", 24);
    System.out.println("RandomizedModelTest stress base seed=" + base);
    for (int i = 0; i < seeds; i++) {
      long seed = base + i;
      Random r = new Random(seed);
      Compression c = Compression.values()[r.nextInt(3)];
      long cache = r.nextInt(3) == 0 ? Options.MIN_CACHE_SIZE : r.nextBoolean() ? SMALL_CACHE : ROOMY_CACHE;
      Path sub = Files.createDirectories(dir.resolve("seed-" + i));
      new Run(seed, sub, shape(cache, c), 40_000).execute();
    }
  }

  /**
   * Reruns one seed by hand: {@code mvn -pl sapwood-core test -Dtest=RandomizedModelTest#replay
   * -Dsapwood.replay.seed=N}, optionally with {@code -Dsapwood.replay.ops=N},
   * {@code -Dsapwood.replay.compression=NONE|LZ4|ZSTD} and {@code -Dsapwood.replay.cache=BYTES}
   * (the failure message prints all three); without them, as the fresh-seed test derives them.
   */
  @Test
  @EnabledIfSystemProperty(named = "sapwood.replay.seed", matches = "-?[0-9]+")
  void replay(@TempDir Path dir) {
    long seed = Long.getLong("sapwood.replay.seed");
    Random r = new Random(seed);
    Compression c = Compression.values()[r.nextInt(3)];
    long cache = r.nextBoolean() ? SMALL_CACHE : ROOMY_CACHE;
    c = Compression.valueOf(System.getProperty("sapwood.replay.compression", c.name()));
    cache = Long.getLong("sapwood.replay.cache", cache);
    new Run(seed, dir, shape(cache, c), Integer.getInteger("sapwood.replay.ops", DEFAULT_OPS)).execute();
  }

  /** One randomized run: its own random stream, database, models and log of recent operations. */
  static final class Run {
    private static final byte[] COUNTER_PREFIX = "CTR".getBytes(StandardCharsets.US_ASCII);
    private static final String[] TREE_NAMES = {"alpha", "beta"};
    private static final byte[] ALPHABET = {0x00, 0x01, 'a', 'b', 'c', 0x7F, (byte) 0x80, (byte) 0xFE, (byte) 0xFF};
    private static final int LARGE_VALUE = 40 << 10;
    private static final int APPEND_LIMIT = 64 << 10;

    private final long seed;
    private final Random rnd;
    private final Path dir;
    private Options options;
    private final Options initialOptions;
    private final int ops;
    private final List<byte[]> keys = new ArrayList<>(); // regular keys, sorted unsigned
    private final List<byte[]> counters = new ArrayList<>(); // keys that only ever hold 8-byte longs
    private final List<TreeMap<byte[], byte[]>> models = new ArrayList<>();
    private final ArrayDeque<String> recent = new ArrayDeque<>();
    private Database db;
    private final Tree[] trees = new Tree[TREE_NAMES.length];
    private int step;
    private final Map<String, Long> totals = new TreeMap<>();

    Run(long seed, Path dir, Options options, int ops) {
      this.seed = seed;
      this.rnd = new Random(seed);
      this.dir = dir;
      this.options = options;
      this.initialOptions = options;
      this.ops = ops;
    }

    void execute() {
      try {
        makeKeys();
        for (int i = 0; i < TREE_NAMES.length; i++) {
          models.add(TestUtil.newModel());
        }
        open();
        for (step = 0; step < ops; step++) {
          oneStep();
        }
        verifyAll("end");
        reopen();
        verifyAll("end, reopened");
        db.close();
        if (Boolean.getBoolean("sapwood.test.verbose")) {
          System.out.println("seed=" + seed + " " + options + " counters summed over all opens:\n" + new Stats(totals));
        }
      } catch (Throwable t) {
        throw new AssertionError("seed=" + seed + " ops=" + ops + " options=" + initialOptions
            + " (now compression=" + options.compression() + ") failed at step " + step
            + "\nlast operations (oldest first):\n  " + String.join("\n  ", recent) + "\n" + t, t);
      } finally {
        if (db != null) {
          try {
            db.close();
          } catch (RuntimeException ignoredAfterFailure) {
            // the original failure is what matters
          }
        }
      }
    }

    private void makeKeys() {
      int n = 300 + rnd.nextInt(1700);
      TreeMap<byte[], Boolean> set = new TreeMap<>(Arrays::compareUnsigned);
      set.put(new byte[0], true);
      for (byte b : ALPHABET) {
        set.put(new byte[] {b}, true);
      }
      List<byte[]> made = new ArrayList<>(set.keySet());
      while (set.size() < n) {
        byte[] k;
        int kind = rnd.nextInt(100);
        if (kind < 30 && !made.isEmpty()) {
          byte[] base = made.get(rnd.nextInt(made.size())); // extend an existing key: shared prefixes
          k = Arrays.copyOf(base, base.length + 1 + rnd.nextInt(3));
          for (int i = base.length; i < k.length; i++) {
            k[i] = ALPHABET[rnd.nextInt(ALPHABET.length)];
          }
        } else {
          int len = kind < 90 ? 1 + rnd.nextInt(16) : kind < 98 ? 17 + rnd.nextInt(48) : 200 + rnd.nextInt(1800);
          k = new byte[len];
          for (int i = 0; i < len; i++) {
            k[i] = rnd.nextBoolean() ? ALPHABET[rnd.nextInt(ALPHABET.length)] : (byte) rnd.nextInt(256);
          }
        }
        if (k.length > Limits.MAX_KEY_SIZE || startsWith(k, COUNTER_PREFIX)) {
          continue;
        }
        if (set.put(k, true) == null) {
          made.add(k);
        }
      }
      keys.addAll(set.keySet());
      for (int i = 0; i < 24; i++) {
        byte[] c = Arrays.copyOf(COUNTER_PREFIX, COUNTER_PREFIX.length + 1);
        c[COUNTER_PREFIX.length] = (byte) (i * 10);
        counters.add(c);
      }
    }

    private static boolean startsWith(byte[] k, byte[] prefix) {
      return k.length >= prefix.length && Arrays.equals(k, 0, prefix.length, prefix, 0, prefix.length);
    }

    private void open() {
      db = Database.open(dir, options);
      for (int i = 0; i < trees.length; i++) {
        trees[i] = db.tree(TREE_NAMES[i]);
      }
    }

    private void reopen() {
      db.stats().counters().forEach((k, v) -> totals.merge(k, v, Long::sum));
      db.close();
      db = null;
      if (rnd.nextInt(5) == 0) {
        // Compression is chosen per partition, so a database may be reopened with another one.
        options = options.compression(Compression.values()[rnd.nextInt(3)]);
      }
      open();
    }

    private void log(String s) {
      if (recent.size() == 60) {
        recent.removeFirst();
      }
      recent.addLast(step + ": " + s);
    }

    private void oneStep() {
      int t = rnd.nextInt(trees.length);
      Tree tree = trees[t];
      TreeMap<byte[], byte[]> model = models.get(t);
      String tn = TREE_NAMES[t];
      int dice = rnd.nextInt(1000);
      if (dice < 280) {
        byte[] k = regularKey();
        byte[] v = value();
        log(tn + ".put " + hex(k) + " = " + hex(v));
        tree.put(k, v);
        model.put(k, v);
      } else if (dice < 330) {
        byte[] k = counterKey();
        long v = rnd.nextLong();
        log(tn + ".put counter " + hex(k) + " = " + v);
        tree.put(k, UpdateFunctions.fromLong(v));
        model.put(k, UpdateFunctions.fromLong(v));
      } else if (dice < 420) {
        byte[] k = rnd.nextInt(5) == 0 ? counterKey() : regularKey();
        log(tn + ".delete " + hex(k));
        tree.delete(k);
        model.remove(k);
      } else if (dice < 440) {
        deleteRange(tn, tree, model);
      } else if (dice < 520) {
        byte[] k = counterKey();
        long a = rnd.nextInt(4) == 0 ? rnd.nextLong() : rnd.nextInt(2001) - 1000;
        log(tn + ".update ADD_LONG " + hex(k) + " + " + a);
        tree.update(k, UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(a));
        applyUpdate(model, k, UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(a));
      } else if (dice < 570) {
        byte[] k = regularKey();
        byte[] old = model.get(k);
        byte[] a = old != null && old.length > APPEND_LIMIT ? new byte[0] : smallValue();
        log(tn + ".update APPEND " + hex(k) + " + " + hex(a));
        tree.update(k, UpdateFunctions.APPEND, a);
        applyUpdate(model, k, UpdateFunctions.APPEND, a);
      } else if (dice < 610) {
        boolean counter = rnd.nextInt(3) == 0;
        byte[] k = counter ? counterKey() : regularKey();
        byte[] a = counter ? UpdateFunctions.fromLong(rnd.nextInt(100)) : value();
        log(tn + ".update PUT_IF_ABSENT " + hex(k) + " = " + hex(a));
        tree.update(k, UpdateFunctions.PUT_IF_ABSENT, a);
        applyUpdate(model, k, UpdateFunctions.PUT_IF_ABSENT, a);
      } else if (dice < 660) {
        byte[] k = regularKey();
        byte[] a = rnd.nextInt(6) == 0 ? new byte[0] : smallValue();
        log(tn + ".update XOR_OR_DELETE " + hex(k) + " ^ " + hex(a));
        tree.update(k, XOR_OR_DELETE, a);
        applyUpdate(model, k, XOR_OR_DELETE, a);
      } else if (dice < 820) {
        byte[] k = rnd.nextInt(8) == 0 ? randomBytes(rnd.nextInt(20)) : rnd.nextInt(6) == 0 ? counterKey() : regularKey();
        log(tn + ".get " + hex(k));
        byte[] got = tree.get(k);
        assertBytesEqual(model.get(k), got, () -> "get " + hex(k) + " returned " + hex(got));
      } else if (dice < 900) {
        cursorSession(tn, tree, model);
      } else if (dice < 960) {
        batch();
      } else if (dice < 990) {
        byte[] k = counterKey();
        log(tn + ".get counter " + hex(k));
        assertBytesEqual(model.get(k), tree.get(k), () -> "get " + hex(k));
      } else if (dice < 997) {
        log("checkpoint");
        db.checkpoint();
        verifyScans("after checkpoint");
      } else {
        log("close + reopen");
        reopen();
        verifyScans("after reopen");
      }
    }

    private void deleteRange(String tn, Tree tree, TreeMap<byte[], byte[]> model) {
      byte[] from;
      byte[] to;
      int kind = rnd.nextInt(10);
      if (kind == 0) {
        from = regularKey();
        to = from; // empty range
      } else if (kind == 1) {
        int i = rnd.nextInt(keys.size());
        int j = Math.max(0, i - 1 - rnd.nextInt(20));
        from = keys.get(i);
        to = keys.get(j); // inverted (or equal) range
      } else if (kind == 2) {
        from = new byte[0];
        to = keys.get(rnd.nextInt(Math.min(keys.size(), 12))); // from the very start
      } else if (kind == 3) {
        from = counterKey();
        to = counterKey();
      } else {
        int i = rnd.nextInt(keys.size());
        int j = Math.min(keys.size() - 1, i + 1 + rnd.nextInt(25));
        from = keys.get(i);
        to = rnd.nextInt(4) == 0 ? Arrays.copyOf(keys.get(j), keys.get(j).length + 1) : keys.get(j);
      }
      log(tn + ".deleteRange [" + hex(from) + ", " + hex(to) + ")");
      tree.deleteRange(from, to);
      if (Arrays.compareUnsigned(from, to) < 0) {
        model.subMap(from, true, to, false).clear();
      }
    }

    private void cursorSession(String tn, Tree tree, TreeMap<byte[], byte[]> model) {
      try (Cursor c = tree.cursor()) {
        assertFalse(c.isValid(), "new cursor is positioned");
        byte[] at = null; // the model's position, null when unpositioned
        int moves = 1 + rnd.nextInt(12);
        for (int m = 0; m < moves; m++) {
          int kind = rnd.nextInt(10);
          if (at == null || kind < 3) {
            int how = rnd.nextInt(3);
            if (how == 0) {
              log(tn + ".cursor.first");
              boolean ok = c.first();
              at = model.isEmpty() ? null : model.firstKey();
              assertEquals(at != null, ok, "first()");
            } else if (how == 1) {
              log(tn + ".cursor.last");
              boolean ok = c.last();
              at = model.isEmpty() ? null : model.lastKey();
              assertEquals(at != null, ok, "last()");
            } else {
              byte[] k = rnd.nextInt(4) == 0 ? randomBytes(rnd.nextInt(6)) : rnd.nextInt(5) == 0 ? counterKey() : regularKey();
              log(tn + ".cursor.seek " + hex(k));
              boolean ok = c.seek(k);
              at = model.ceilingKey(k);
              assertEquals(at != null, ok, () -> "seek(" + hex(k) + ")");
            }
            checkCursor(c, at, model);
          } else {
            boolean forward = rnd.nextBoolean();
            int run = 1 + rnd.nextInt(rnd.nextInt(8) == 0 ? 300 : 30);
            log(tn + ".cursor." + (forward ? "next" : "prev") + " x" + run + " from " + hex(at));
            for (int r = 0; r < run && at != null; r++) {
              boolean ok = forward ? c.next() : c.prev();
              at = forward ? model.higherKey(at) : model.lowerKey(at);
              final int rr = r;
              assertEquals(at != null, ok, () -> (forward ? "next()" : "prev()") + " #" + rr);
              checkCursor(c, at, model);
            }
          }
        }
      }
    }

    private static void checkCursor(Cursor c, byte[] at, TreeMap<byte[], byte[]> model) {
      if (at == null) {
        assertFalse(c.isValid(), "cursor should be unpositioned");
        return;
      }
      assertTrue(c.isValid(), "cursor should be positioned");
      byte[] k = c.key();
      assertBytesEqual(at, k, () -> "cursor key " + hex(k) + ", expected " + hex(at));
      assertBytesEqual(model.get(at), c.value(), () -> "cursor value at " + hex(at));
    }

    private void batch() {
      WriteBatch b = new WriteBatch();
      List<Runnable> modelOps = new ArrayList<>();
      int n = 1 + rnd.nextInt(16);
      StringBuilder desc = new StringBuilder("batch of " + n + ":");
      byte[] repeat = regularKey(); // some batches hit one key several times; order must hold
      for (int i = 0; i < n; i++) {
        int t = rnd.nextInt(trees.length);
        Tree tree = trees[t];
        TreeMap<byte[], byte[]> model = models.get(t);
        int kind = rnd.nextInt(6);
        byte[] k = rnd.nextInt(4) == 0 ? repeat : regularKey();
        desc.append(' ').append(TREE_NAMES[t]).append('.');
        switch (kind) {
          case 0, 1 -> {
            byte[] v = value();
            b.put(tree, k, v);
            modelOps.add(() -> model.put(k, v));
            desc.append("put ").append(hex(k));
          }
          case 2 -> {
            b.delete(tree, k);
            modelOps.add(() -> model.remove(k));
            desc.append("delete ").append(hex(k));
          }
          case 3 -> {
            byte[] ck = counterKey();
            byte[] a = UpdateFunctions.fromLong(rnd.nextInt(50));
            b.update(tree, ck, UpdateFunctions.ADD_LONG, a);
            modelOps.add(() -> applyUpdate(model, ck, UpdateFunctions.ADD_LONG, a));
            desc.append("ADD_LONG ").append(hex(ck));
          }
          case 4 -> {
            byte[] old = model.get(k);
            byte[] a = old != null && old.length > APPEND_LIMIT / 2 ? new byte[0] : smallValue();
            b.update(tree, k, UpdateFunctions.APPEND, a);
            modelOps.add(() -> applyUpdate(model, k, UpdateFunctions.APPEND, a));
            desc.append("APPEND ").append(hex(k));
          }
          default -> {
            byte[] a = rnd.nextInt(5) == 0 ? new byte[0] : smallValue();
            b.update(tree, k, XOR_OR_DELETE, a);
            modelOps.add(() -> applyUpdate(model, k, XOR_OR_DELETE, a));
            desc.append("XOR ").append(hex(k));
          }
        }
      }
      log(desc.toString());
      db.write(b);
      modelOps.forEach(Runnable::run);
    }

    private static void applyUpdate(TreeMap<byte[], byte[]> model, byte[] k, UpdateFunction fn, byte[] a) {
      byte[] nv = fn.apply(k, model.get(k), a);
      if (nv == null) {
        model.remove(k);
      } else {
        model.put(k, nv);
      }
    }

    private byte[] regularKey() {
      return keys.get(rnd.nextInt(keys.size()));
    }

    private byte[] counterKey() {
      return counters.get(rnd.nextInt(counters.size()));
    }

    private byte[] randomBytes(int n) {
      byte[] b = new byte[n];
      rnd.nextBytes(b);
      return b;
    }

    private byte[] smallValue() {
      return filled(rnd.nextInt(rnd.nextInt(4) == 0 ? 600 : 40));
    }

    private byte[] value() {
      int r = rnd.nextInt(100);
      int len = r < 5 ? 0 : r < 45 ? 1 + rnd.nextInt(32) : r < 85 ? 33 + rnd.nextInt(400) : r < 98 ? 400 + rnd.nextInt(2600) : LARGE_VALUE;
      return filled(len);
    }

    /** Half random bytes (incompressible), half a repeated pattern (compressible). */
    private byte[] filled(int len) {
      byte[] b = new byte[len];
      if (rnd.nextBoolean()) {
        rnd.nextBytes(b);
      } else {
        byte[] pattern = randomBytes(1 + rnd.nextInt(7));
        for (int i = 0; i < len; i++) {
          b[i] = pattern[i % pattern.length];
        }
      }
      return b;
    }

    private void verifyScans(String when) {
      for (int i = 0; i < trees.length; i++) {
        TestUtil.assertScansEqual(trees[i], models.get(i), when + ", tree " + TREE_NAMES[i]);
      }
    }

    private void verifyAll(String when) {
      verifyScans(when);
      for (int i = 0; i < trees.length; i++) {
        TreeMap<byte[], byte[]> model = models.get(i);
        for (byte[] k : keys) {
          final int ti = i;
          assertBytesEqual(model.get(k), trees[i].get(k), () -> when + ": " + TREE_NAMES[ti] + ".get " + hex(k));
        }
        for (byte[] k : counters) {
          final int ti = i;
          assertBytesEqual(model.get(k), trees[i].get(k), () -> when + ": " + TREE_NAMES[ti] + ".get " + hex(k));
        }
      }
      List<String> names = db.treeNames();
      for (String n : TREE_NAMES) {
        assertTrue(names.contains(n), () -> when + ": treeNames " + names + " lacks " + n);
      }
    }
  }
}
