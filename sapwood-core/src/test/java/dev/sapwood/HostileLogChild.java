package dev.sapwood;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.CRC32;

/**
 * The child process of {@link HostileLogFileTest}, run under a small heap: {@code java -cp <test
 * classpath> dev.sapwood.HostileLogChild <mode> ...}. One flushed line per result on stdout:
 *
 * <pre>
 * fill dir count valueSize   writes count ASYNC puts to tree "t", prints "F count", then halts
 *                            the JVM without closing (a killed process: the log is all there is)
 * open dir...                opens each dir in turn and prints, per dir:
 *   OK name digest           it opened; the digest of every tree's contents (see {@link #digest})
 *   CORRUPT name message     a CorruptionException
 *   OTHER name class message anything else (an OutOfMemoryError included)
 * </pre>
 */
public final class HostileLogChild {
  private static final PrintStream OUT =
      new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, US_ASCII);

  private HostileLogChild() {}

  /** The options of every database of the corpus: a small cache, no timed checkpoint. */
  static Options options() {
    return Options.defaults().cacheSize(4 << 20).nodeSize(64 << 10).basementSize(8 << 10)
        .durability(Durability.ASYNC).checkpointInterval(Duration.ofDays(1));
  }

  /**
   * The value {@link #main fill} writes under key {@code i}: random bytes seeded by {@code i}, so
   * the compressed log is as long as the values (the test wants 60 MiB of it).
   */
  static byte[] fillValue(int i, int size) {
    byte[] v = new byte[size];
    new java.util.Random(i).nextBytes(v);
    return v;
  }

  static byte[] fillKey(int i) {
    return String.format("k%08d", i).getBytes(US_ASCII);
  }

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "fill" -> {
        Database db = Database.open(Path.of(args[1]), options());
        Tree t = db.tree("t");
        int count = Integer.parseInt(args[2]);
        int size = Integer.parseInt(args[3]);
        for (int i = 0; i < count; i++) {
          t.put(fillKey(i), fillValue(i, size));
        }
        OUT.println("F " + count);
        Runtime.getRuntime().halt(0);
      }
      case "open" -> {
        for (int i = 1; i < args.length; i++) {
          Path dir = Path.of(args[i]);
          String name = dir.getFileName().toString();
          long start = System.nanoTime();
          try (Database db = Database.open(dir, options())) {
            OUT.println("OK " + name + " " + digest(db));
          } catch (CorruptionException e) {
            OUT.println("CORRUPT " + name + " " + oneLine(e.getMessage()));
          } catch (Throwable t) {
            OUT.println("OTHER " + name + " " + t.getClass().getName() + " " + oneLine(t.getMessage()));
          }
          System.err.println(name + ": " + (System.nanoTime() - start) / 1_000_000 + " ms");
        }
      }
      default -> throw new IllegalArgumentException(args[0]);
    }
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replace('\n', '|');
  }

  /** Tree names, entry count and a CRC32 over every tree's name, keys and values, in order. */
  static String digest(Database db) {
    CRC32 crc = new CRC32();
    long n = 0;
    for (String name : db.treeNames()) {
      crc.update(name.getBytes(UTF_8));
      try (Cursor c = db.tree(name).cursor()) {
        for (boolean ok = c.first(); ok; ok = c.next()) {
          crc.update(c.key());
          crc.update(c.value());
          n++;
        }
      }
    }
    return String.join(",", db.treeNames()) + ";" + n + ";" + Long.toHexString(crc.getValue());
  }
}
