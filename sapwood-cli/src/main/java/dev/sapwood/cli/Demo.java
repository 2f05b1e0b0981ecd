package dev.sapwood.cli;

import dev.sapwood.Cursor;
import dev.sapwood.Database;
import dev.sapwood.Stats;
import dev.sapwood.Tree;
import dev.sapwood.UpdateFunctions;
import dev.sapwood.WriteBatch;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * An end-to-end workload on a default-options database: write N keys in random order (in batches),
 * read them all back, scan both ways, delete half (single deletes and one range delete), run blind
 * ADD_LONG updates, checkpoint, reopen, and verify everything, printing count, time and rate of
 * each step. Any mismatch is a {@link CheckFailed}.
 *
 * <p>Keys are 16 bytes: 8 that scatter them (so insertion order is random in key order) followed by
 * the big-endian index. Values are 100 bytes derived from the index, so nothing is kept in memory.
 */
public final class Demo {
  public static final int DEFAULT_KEYS = 200_000;
  static final String MARKER = ".sapwood-demo";
  private static final int VALUE_SIZE = 100;
  private static final int BATCH = 1_000;
  private static final int COUNTERS = 1_000;
  /** Keys whose first byte is below this are removed by the one range delete. */
  private static final int RANGE_END = 0x40;

  /** A check of the database's answers failed. */
  public static final class CheckFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CheckFailed(String message) {
      super(message);
    }
  }

  private final Path dir;
  private final int n;
  private final PrintStream out;
  private Stats writingSession;

  public Demo(Path dir, int keys, PrintStream out) {
    this.dir = dir;
    this.n = keys;
    this.out = out;
  }

  static byte[] key(long i) {
    long h = mix(i);
    byte[] k = new byte[16];
    for (int b = 0; b < 8; b++) {
      k[b] = (byte) (h >>> (56 - 8 * b));
      k[8 + b] = (byte) (i >>> (56 - 8 * b));
    }
    return k;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }

  static byte[] value(long i, int generation) {
    byte[] v = new byte[VALUE_SIZE];
    // Half text-like (compressible), half random: a fair picture for the codec.
    byte[] text = String.format("value %d gen %d ", i, generation).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    for (int j = 0; j < VALUE_SIZE / 2; j++) {
      v[j] = text[j % text.length];
    }
    SplittableRandom r = new SplittableRandom(mix(i * 31 + generation));
    for (int j = VALUE_SIZE / 2; j < VALUE_SIZE; j++) {
      v[j] = (byte) r.nextInt(256);
    }
    return v;
  }

  /** Survives the deletes: outside the deleted range and not one of the singly deleted. */
  private static boolean survives(int i) {
    return (key(i)[0] & 0xFF) >= RANGE_END && i % 3 != 0;
  }

  private static byte[] counterKey(int c) {
    return String.format("counter-%05d", c).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  public void run() {
    prepareDirectory();
    out.printf("Sapwood demo: %,d keys (16-byte keys, %d-byte values) in %s%n%n", n, VALUE_SIZE, dir.toAbsolutePath());
    int[] order = permutation(n, 1);
    long[] counterSums = new long[COUNTERS];
    final long survivors = java.util.stream.IntStream.range(0, n).filter(Demo::survives).count();

    try (Database db = Database.open(dir)) {
      Tree data = db.tree("data");
      Tree counters = db.tree("counters");

      step("write in batches of " + BATCH + ", random order", n, () -> {
        WriteBatch b = new WriteBatch();
        for (int j = 0; j < n; j++) {
          int i = order[j];
          b.put(data, key(i), value(i, 0));
          if (b.size() == BATCH) {
            db.write(b);
            b.clear();
          }
        }
        if (b.size() > 0) {
          db.write(b);
        }
      });

      int[] readOrder = permutation(n, 2);
      step("read back and check, random order", n, () -> {
        for (int i : readOrder) {
          expectValue(data, i, value(i, 0), "read back");
        }
      });

      step("scan forward", n, () -> expectScan(data, n, true, false, "forward scan"));
      step("scan backward", n, () -> expectScan(data, n, false, false, "backward scan"));

      long singles = 0;
      for (int i = 0; i < n; i++) {
        if (i % 3 == 0 && (key(i)[0] & 0xFF) >= RANGE_END) {
          singles++;
        }
      }
      step("delete (single deletes)", singles, () -> {
        for (int i = 0; i < n; i += 3) {
          if ((key(i)[0] & 0xFF) >= RANGE_END) {
            data.delete(key(i));
          }
        }
      });
      step("delete the range [00.., 40..) (one message)", 1,
          () -> data.deleteRange(new byte[0], new byte[] {(byte) RANGE_END}));

      long expectedCount = survivors;
      step("scan forward after deletes", expectedCount, () -> expectScan(data, expectedCount, true, true, "scan after deletes"));

      int updates = Math.max(COUNTERS, n / 2);
      step("ADD_LONG updates on " + COUNTERS + " counters (blind)", updates, () -> {
        SplittableRandom r = new SplittableRandom(3);
        for (int u = 0; u < updates; u++) {
          int c = r.nextInt(COUNTERS);
          long delta = 1 + r.nextInt(100);
          counters.update(counterKey(c), UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(delta));
          counterSums[c] += delta;
        }
      });
      step("read and check counters", COUNTERS, () -> expectCounters(counters, counterSums));

      step("checkpoint", 1, db::checkpoint);
      writingSession = db.stats();
      step("close", 1, db::close); // close is idempotent; try-with-resources closes again
    }

    Database[] reopened = new Database[1];
    step("reopen", 1, () -> reopened[0] = Database.open(dir));
    try (Database db2 = reopened[0]) {
      Tree data = db2.tree("data");
      Tree counters = db2.tree("counters");
      int[] readOrder = permutation(n, 4);
      step("verify every key after reopen", n, () -> {
        for (int i : readOrder) {
          expectValue(data, i, survives(i) ? value(i, 0) : null, "after reopen");
        }
      });
      step("scan backward after reopen", survivors, () -> expectScan(data, survivors, false, true, "scan after reopen"));
      step("verify counters after reopen", COUNTERS, () -> expectCounters(counters, counterSums));

      out.println();
      out.println("Status counters of the writing session (up to the checkpoint):");
      out.print(writingSession);
    }
    out.printf("%nSize on disk: %,d bytes (%s)%n", sizeOnDisk(), dir.toAbsolutePath());
    out.println("All checks passed.");
  }

  /** Deletes a directory a previous demo made; refuses to touch any other non-empty directory. */
  private void prepareDirectory() {
    try {
      if (Files.isDirectory(dir)) {
        boolean empty;
        try (Stream<Path> s = Files.list(dir)) {
          empty = s.findAny().isEmpty();
        }
        if (!empty && !Files.exists(dir.resolve(MARKER))) {
          throw new CheckFailed(dir + " exists and was not made by the demo; choose another directory");
        }
        try (Stream<Path> s = Files.walk(dir)) {
          for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
            Files.delete(p);
          }
        }
      } else if (Files.exists(dir)) {
        throw new CheckFailed(dir + " exists and is not a directory");
      }
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(MARKER), "made by 'sapwood demo'; deleted by the next demo run\n");
    } catch (IOException e) {
      throw new UncheckedIOException("preparing " + dir, e);
    }
  }

  private long sizeOnDisk() {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void step(String what, long count, Runnable r) {
    long t0 = System.nanoTime();
    r.run();
    double s = (System.nanoTime() - t0) / 1e9;
    if (count > 1) {
      out.printf("%-46s %,10d  %8.3f s  %,12.0f ops/s%n", what, count, s, count / Math.max(s, 1e-9));
    } else {
      out.printf("%-46s %10s  %8.3f s%n", what, "", s);
    }
  }

  private static int[] permutation(int n, long seed) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int x = a[i];
      a[i] = a[j];
      a[j] = x;
    }
    return a;
  }

  private static void expectValue(Tree t, long i, byte[] expected, String when) {
    byte[] got = t.get(key(i));
    if (!Arrays.equals(expected, got)) {
      throw new CheckFailed(when + ": key #" + i + " has " + describe(got) + ", expected " + describe(expected));
    }
  }

  private static String describe(byte[] v) {
    return v == null ? "no value" : "a " + v.length + "-byte value";
  }

  /** Scans the whole tree, checking order, count and (optionally) which keys survive. */
  private static void expectScan(Tree t, long expectedCount, boolean forward, boolean afterDeletes, String what) {
    long count = 0;
    byte[] prev = null;
    try (Cursor c = t.cursor()) {
      for (boolean ok = forward ? c.first() : c.last(); ok; ok = forward ? c.next() : c.prev()) {
        byte[] k = c.key();
        if (prev != null) {
          int cmp = Arrays.compareUnsigned(prev, k);
          if (forward ? cmp >= 0 : cmp <= 0) {
            throw new CheckFailed(what + ": keys out of order at position " + count);
          }
        }
        long i = 0;
        for (int b = 8; b < 16; b++) {
          i = (i << 8) | (k[b] & 0xFF);
        }
        if (k.length != 16 || !Arrays.equals(k, key(i))) {
          throw new CheckFailed(what + ": unexpected key at position " + count);
        }
        if (afterDeletes && !survives((int) i)) {
          throw new CheckFailed(what + ": deleted key #" + i + " is still there");
        }
        if (!Arrays.equals(c.value(), value(i, 0))) {
          throw new CheckFailed(what + ": wrong value for key #" + i);
        }
        prev = k;
        count++;
      }
    }
    if (count != expectedCount) {
      throw new CheckFailed(what + ": found " + count + " keys, expected " + expectedCount);
    }
  }

  private static void expectCounters(Tree t, long[] sums) {
    for (int c = 0; c < sums.length; c++) {
      byte[] v = t.get(counterKey(c));
      long got = v == null ? 0 : UpdateFunctions.toLong(v);
      if (got != sums[c]) {
        throw new CheckFailed("counter " + c + " is " + got + ", expected " + sums[c]);
      }
    }
  }
}
