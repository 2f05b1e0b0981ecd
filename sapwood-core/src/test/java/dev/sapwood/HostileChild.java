package dev.sapwood;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.sapwood.internal.tools.Verifier;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The child process of {@link HostileBlockFileTest}: {@code java -Xmx64m -cp <test classpath>
 * dev.sapwood.HostileChild <timeoutMillis> <name>=<dir> ...}. For each database it opens it, reads
 * every tree whole (forward and backward scans, a get of every key), writes to it (a put, a
 * delete, a checkpoint), closes it and verifies it, then prints one flushed line:
 *
 * <pre>
 * R name CORRUPT message          a CorruptionException (the contract for a damaged file)
 * R name WRAPPED class: message   another exception caused by a CorruptionException
 * R name OTHER class: message     any other Throwable (OutOfMemoryError, Error, an index exception)
 * R name OK hash problems         no exception: the hash of every tree's contents, and how many
 *                                 problems the verifier found afterwards
 * R name HANG                     the case ran past the timeout; the child then exits with 3
 * </pre>
 */
public final class HostileChild {
  private static final PrintStream OUT =
      new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, US_ASCII);

  private HostileChild() {}

  /** The options the hostile databases are made and opened with: small nodes, so trees are deep. */
  static Options options() {
    return Options.defaults().nodeSize(16 << 10).basementSize(4 << 10).fanout(4).cacheSize(4 << 20);
  }

  public static void main(String[] args) throws Exception {
    long timeout = Long.parseLong(args[0]);
    for (int i = 1; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      String name = args[i].substring(0, eq);
      Path dir = Path.of(args[i].substring(eq + 1));
      String[] result = new String[1];
      Thread t = new Thread(() -> result[0] = run(dir), "case-" + name);
      t.setDaemon(true);
      t.start();
      t.join(timeout);
      if (t.isAlive()) {
        OUT.println("R " + name + " HANG");
        Runtime.getRuntime().halt(3);
      }
      OUT.println("R " + name + " " + result[0].replace('\n', ' '));
    }
    System.exit(0);
  }

  /** Reads and writes the database in {@code dir}; the outcome as on a result line. */
  static String run(Path dir) {
    try {
      long hash = readAll(dir);
      Verifier.Report v = Verifier.verify(dir, null);
      return "OK " + Long.toHexString(hash) + " " + v.problems().size();
    } catch (CorruptionException e) {
      return "CORRUPT " + e.getMessage();
    } catch (Throwable t) {
      for (Throwable c = t.getCause(); c != null; c = c.getCause()) {
        if (c instanceof CorruptionException) {
          return "WRAPPED " + t.getClass().getName() + ": " + t.getMessage();
        }
      }
      return "OTHER " + t.getClass().getName() + ": " + t.getMessage();
    }
  }

  /** The hash of every tree's name, keys and values in order; throws what the engine throws. */
  static long readAll(Path dir) {
    CRC32C crc = new CRC32C();
    try (Database db = Database.open(dir, options())) {
      for (String name : db.treeNames()) {
        Tree t = db.tree(name);
        crc.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        List<byte[][]> forward = new ArrayList<>();
        try (Cursor c = t.cursor()) {
          for (boolean ok = c.first(); ok; ok = c.next()) {
            forward.add(new byte[][] {c.key(), c.value()});
            crc.update(c.key());
            crc.update(c.value());
          }
        }
        int back = forward.size();
        try (Cursor c = t.cursor()) {
          for (boolean ok = c.last(); ok; ok = c.prev()) {
            back--;
            if (back < 0 || !Arrays.equals(c.key(), forward.get(back)[0])) {
              throw new IllegalStateException("tree '" + name + "': backward scan differs at " + back);
            }
          }
        }
        if (back != 0) {
          throw new IllegalStateException("tree '" + name + "': backward scan found " + back + " fewer keys");
        }
        for (byte[][] kv : forward) {
          if (!Arrays.equals(t.get(kv[0]), kv[1])) {
            throw new IllegalStateException("tree '" + name + "': get differs from the scan");
          }
        }
        byte[] probe = "hostile-probe".getBytes(US_ASCII);
        t.put(probe, probe);
        if (!Arrays.equals(t.get(probe), probe)) {
          throw new IllegalStateException("tree '" + name + "': a put was not read back");
        }
        t.delete(probe);
      }
      db.checkpoint();
    }
    return crc.getValue();
  }
}
