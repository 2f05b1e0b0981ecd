package dev.sapwood;

import static dev.sapwood.TestUtil.hex;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Damaged files, through the public API: after bytes of {@code sapwood.db} are changed, every read
 * either returns exactly what was written or throws {@link CorruptionException}: never a wrong
 * value, never another exception, never a hang. The two header slots (bytes 0..8191) are redundant:
 * damage to one alone still opens.
 */
@dev.sapwood.testlog.CapturesEngineLog
class CorruptionTest {
  private static final String FILE = "sapwood.db";
  private static final int HEADER_AREA = 8192;
  private static final int SLOT = 4096;
  private static final Duration TRIAL_LIMIT = Duration.ofSeconds(30);

  @TempDir Path tmp;

  private static Options options(Compression c) {
    return Options.defaults().nodeSize(16 << 10).basementSize(4 << 10).fanout(4).cacheSize(1 << 20).compression(c);
  }

  /**
   * Writes a few thousand keys (with some deletes and buffered updates) and closes the database
   * three times, so that both header slots describe the same data. Returns the model.
   */
  private static TreeMap<byte[], byte[]> buildPristine(Path dir, Options o, long seed) {
    TreeMap<byte[], byte[]> model = TestUtil.newModel();
    Random r = new Random(seed);
    try (Database db = Database.open(dir, o)) {
      Tree t = db.tree("t");
      for (int i = 0; i < 2500; i++) {
        byte[] k = String.format("key-%06d", r.nextInt(1_000_000)).getBytes(UTF_8);
        byte[] v = new byte[10 + r.nextInt(300)];
        if (r.nextBoolean()) {
          r.nextBytes(v);
        } else {
          Arrays.fill(v, (byte) i);
        }
        t.put(k, v);
        model.put(k, v);
      }
      List<byte[]> keys = new ArrayList<>(model.keySet());
      for (int i = 0; i < 200; i++) {
        byte[] k = keys.get(r.nextInt(keys.size()));
        t.delete(k);
        model.remove(k);
      }
      for (int i = 0; i < 100; i++) {
        byte[] k = ("ctr-" + (i % 10)).getBytes(UTF_8);
        t.update(k, UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(i));
        byte[] old = model.get(k);
        model.put(k, UpdateFunctions.fromLong((old == null ? 0 : UpdateFunctions.toLong(old)) + i));
      }
    }
    for (int round = 0; round < 2; round++) {
      try (Database db = Database.open(dir, o)) {
        Tree t = db.tree("t");
        t.put("zz-dummy".getBytes(UTF_8), new byte[1]);
        t.delete("zz-dummy".getBytes(UTF_8));
      }
    }
    return model;
  }

  private Path copyOf(Path pristine, String name) throws IOException {
    Path d = Files.createDirectories(tmp.resolve(name));
    Files.copy(pristine.resolve(FILE), d.resolve(FILE));
    return d;
  }

  private static void xorByte(Path file, long pos, int mask) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(pos);
      int b = f.read();
      f.seek(pos);
      f.write(b ^ mask);
    }
  }

  /** What one damaged database gave back. */
  private static final class Outcome {
    boolean openFailed;
    int correctReads;
    int corruptReads;

    boolean allCorrect() {
      return !openFailed && corruptReads == 0;
    }
  }

  /**
   * Opens and reads everything: gets of every key and of absent ones, full scans both ways. Allows
   * only right answers and CorruptionException; returns what happened.
   */
  private static Outcome readBack(Path dir, Options o, TreeMap<byte[], byte[]> model) {
    Outcome out = new Outcome();
    Database db;
    try {
      db = Database.open(dir, o);
    } catch (CorruptionException e) {
      checkNamesFile(e);
      out.openFailed = true;
      return out;
    }
    try {
      Tree t;
      try {
        t = db.tree("t");
      } catch (CorruptionException e) {
        checkNamesFile(e);
        out.openFailed = true;
        return out;
      }
      for (Map.Entry<byte[], byte[]> e : model.entrySet()) {
        read(out, () -> assertArrayEquals(e.getValue(), t.get(e.getKey()), () -> "get " + hex(e.getKey())));
      }
      for (int i = 0; i < 50; i++) {
        byte[] absent = ("absent-" + i).getBytes(UTF_8);
        read(out, () -> assertArrayEquals(null, t.get(absent), "get of an absent key"));
      }
      read(out, () -> {
        try (Cursor c = t.cursor()) {
          Iterator<Map.Entry<byte[], byte[]>> it = model.entrySet().iterator();
          for (boolean ok = c.first(); ok; ok = c.next()) {
            assertTrue(it.hasNext(), "forward scan returned an extra key");
            Map.Entry<byte[], byte[]> e = it.next();
            assertArrayEquals(e.getKey(), c.key(), "forward scan skipped or invented a key");
            assertArrayEquals(e.getValue(), c.value(), "forward scan value");
          }
          assertTrue(!it.hasNext(), "forward scan ended early");
        }
      });
      read(out, () -> {
        try (Cursor c = t.cursor()) {
          Iterator<Map.Entry<byte[], byte[]>> it = model.descendingMap().entrySet().iterator();
          for (boolean ok = c.last(); ok; ok = c.prev()) {
            assertTrue(it.hasNext(), "backward scan returned an extra key");
            Map.Entry<byte[], byte[]> e = it.next();
            assertArrayEquals(e.getKey(), c.key(), "backward scan skipped or invented a key");
            assertArrayEquals(e.getValue(), c.value(), "backward scan value");
          }
          assertTrue(!it.hasNext(), "backward scan ended early");
        }
      });
    } finally {
      try {
        db.close();
      } catch (CorruptionException e) {
        checkNamesFile(e);
      }
    }
    return out;
  }

  private static void read(Outcome out, Runnable r) {
    try {
      r.run();
      out.correctReads++;
    } catch (CorruptionException e) {
      checkNamesFile(e);
      out.corruptReads++;
    }
  }

  private static void checkNamesFile(CorruptionException e) {
    String m = String.valueOf(e.getMessage());
    assertTrue(m.contains(FILE) || String.valueOf(e.file()).contains(FILE),
        () -> "a CorruptionException should name the file: " + m);
  }

  /** Runs one trial with a time limit; any failure names the damage done. */
  private static Outcome trial(String damage, Path d, Options o, TreeMap<byte[], byte[]> model) {
    try {
      return assertTimeoutPreemptively(TRIAL_LIMIT, () -> readBack(d, o, model), "hang");
    } catch (Throwable t) {
      throw new AssertionError("after " + damage + ": " + t, t);
    }
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void flippedBytesInBlocksGiveRightAnswersOrCorruption(Compression c) throws Exception {
    long seed = 0xC0FFEE + c.ordinal();
    Options o = options(c);
    Path pristine = Files.createDirectories(tmp.resolve("pristine"));
    TreeMap<byte[], byte[]> model = buildPristine(pristine, o, seed);
    long size = Files.size(pristine.resolve(FILE));
    assertTrue(size > HEADER_AREA + (16 << 10), "the database should have node blocks: " + size);
    Random r = new Random(seed);
    int detected = 0;
    int trials = 36;
    for (int i = 0; i < trials; i++) {
      // Most flips anywhere past the headers; some in the last 8 KiB, where the newest block
      // table and the most recently written nodes tend to be.
      long pos = i % 4 == 3
          ? Math.max(HEADER_AREA, size - 1 - r.nextInt(8192))
          : HEADER_AREA + (long) (r.nextDouble() * (size - HEADER_AREA));
      int mask = i % 2 == 0 ? 1 << r.nextInt(8) : 1 + r.nextInt(255);
      Path d = copyOf(pristine, "flip-" + i);
      xorByte(d.resolve(FILE), pos, mask);
      Outcome out = trial("seed=" + seed + " " + c + ": xor 0x" + Integer.toHexString(mask) + " at " + pos + " of " + size, d, o, model);
      if (!out.allCorrect()) {
        detected++;
      }
    }
    for (int i = 0; i < 4; i++) {
      Path d = copyOf(pristine, "multi-" + i);
      StringBuilder what = new StringBuilder("seed=" + seed + " " + c + ": 16 flips at");
      for (int f = 0; f < 16; f++) {
        long pos = HEADER_AREA + (long) (r.nextDouble() * (size - HEADER_AREA));
        xorByte(d.resolve(FILE), pos, 1 + r.nextInt(255));
        what.append(' ').append(pos);
      }
      trial(what.toString(), d, o, model);
    }
    // Not a correctness requirement (a flip can land in free space), but if no flip at all was
    // noticed the test is probably not reaching the data.
    System.out.println("CorruptionTest " + c + ": " + detected + " of " + trials + " single flips detected");
  }

  @Test
  void truncatedFilesGiveRightAnswersOrCorruption() throws Exception {
    Options o = options(Compression.LZ4);
    Path pristine = Files.createDirectories(tmp.resolve("pristine"));
    TreeMap<byte[], byte[]> model = buildPristine(pristine, o, 99);
    long size = Files.size(pristine.resolve(FILE));
    Random r = new Random(99);
    long[] lengths = {size - 1, size - 100, size / 2, HEADER_AREA + 1 + r.nextInt((int) (size - HEADER_AREA - 2)), HEADER_AREA, 100};
    for (int i = 0; i < lengths.length; i++) {
      long len = lengths[i];
      Path d = copyOf(pristine, "trunc-" + i);
      try (RandomAccessFile f = new RandomAccessFile(d.resolve(FILE).toFile(), "rw")) {
        f.setLength(len);
      }
      trial("truncation to " + len + " of " + size, d, o, model);
    }
  }

  @Test
  void damageToOneHeaderSlotStillOpens() throws Exception {
    Options o = options(Compression.LZ4);
    Path pristine = Files.createDirectories(tmp.resolve("pristine"));
    TreeMap<byte[], byte[]> model = buildPristine(pristine, o, 7);
    int[] offsets = {0, 3, 8, 12, 16, 20, 24, 28, 32, 40, 48, 56, 64, 80, 100, 128, 256, 1000, 4095};
    for (int off : offsets) {
      Outcome[] slots = new Outcome[2];
      for (int s = 0; s < 2; s++) {
        long pos = (long) s * SLOT + off;
        Path d = copyOf(pristine, "header-" + s + "-" + off);
        xorByte(d.resolve(FILE), pos, 0x5A);
        slots[s] = trial("xor 0x5a at header byte " + pos, d, o, model);
        final long p = pos;
        assertTrue(!slots[s].openFailed, () -> "damage to one header slot (byte " + p + ") must not stop the open");
      }
      // Whichever slot is the older one, damage to it must change nothing at all.
      final int o2 = off;
      assertTrue(slots[0].allCorrect() || slots[1].allCorrect(),
          () -> "damage at offset " + o2 + " of either header slot lost data");
    }
  }

  @Test
  void bothHeaderSlotsDamagedIsCorruption() throws Exception {
    Options o = options(Compression.NONE);
    Path pristine = Files.createDirectories(tmp.resolve("pristine"));
    buildPristine(pristine, o, 5);
    Path d = copyOf(pristine, "no-headers");
    Random r = new Random(5);
    byte[] junk = new byte[HEADER_AREA];
    r.nextBytes(junk);
    try (RandomAccessFile f = new RandomAccessFile(d.resolve(FILE).toFile(), "rw")) {
      f.seek(0);
      f.write(junk);
    }
    CorruptionException e = assertTimeoutPreemptively(TRIAL_LIMIT,
        () -> assertThrows(CorruptionException.class, () -> Database.open(d, o).close()));
    checkNamesFile(e);

    Path z = copyOf(pristine, "zero-length");
    try (RandomAccessFile f = new RandomAccessFile(z.resolve(FILE).toFile(), "rw")) {
      f.setLength(100);
    }
    assertThrows(CorruptionException.class, () -> Database.open(z, o).close(),
        "a file too short to hold a header is damaged, not new");
  }

  @Test
  void garbageFileIsCorruptionNotAnotherError() throws Exception {
    Random r = new Random(1234);
    for (int i = 0; i < 5; i++) {
      Path d = Files.createDirectories(tmp.resolve("garbage-" + i));
      byte[] junk = new byte[HEADER_AREA * (1 + i) + r.nextInt(5000)];
      r.nextBytes(junk);
      Files.write(d.resolve(FILE), junk);
      try {
        assertTimeoutPreemptively(TRIAL_LIMIT, () -> assertThrows(CorruptionException.class,
            () -> Database.open(d, options(Compression.NONE)).close()));
      } catch (Throwable t) {
        fail("random file #" + i + " of " + junk.length + " bytes: " + t, t);
      }
    }
  }
}
