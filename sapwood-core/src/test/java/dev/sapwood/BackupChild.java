package dev.sapwood;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The child of {@link BackupKillTest} (mode {@code backup} of {@link CrashChild}): two writers
 * write batches of two keys while a third thread backs the database up, over and over, to {@code
 * <targets>/b<i>}. One flushed line per event:
 *
 * <pre>
 * O                  opened
 * A writer seq       that writer's batch seq was acknowledged (ASYNC)
 * B+ i / B- i        backup i starts / returned
 * </pre>
 */
final class BackupChild {
  static final int WRITERS = 2;

  private BackupChild() {}

  static byte[] key(int writer, long seq, String part) {
    return String.format("w%d/%08d/%s", writer, seq, part).getBytes(US_ASCII);
  }

  static byte[] value(int writer, long seq) {
    return ("v" + writer + "." + seq + "-" + "x".repeat((int) (seq % 200))).getBytes(US_ASCII);
  }

  static Options options() {
    return Options.defaults().nodeSize(4 << 10).basementSize(1 << 10).fanout(4).cacheSize(256 << 10)
        .checkpointInterval(Duration.ofMillis(20)).syncInterval(Duration.ofMillis(5));
  }

  static void run(Path dir, Path targets) throws Exception {
    Database db = Database.open(dir, options());
    Tree tree = db.tree("t");
    CrashChild.say("O");
    List<Thread> all = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      int id = w;
      all.add(new Thread(() -> {
        for (long seq = 0; ; seq++) {
          WriteBatch b = new WriteBatch();
          b.put(tree, key(id, seq, "a"), value(id, seq));
          b.put(tree, key(id, seq, "b"), value(id, seq));
          db.write(b, Durability.ASYNC);
          CrashChild.say("A " + id + " " + seq);
        }
      }, "writer-" + w));
    }
    all.add(new Thread(() -> {
      for (int i = 0; ; i++) {
        CrashChild.say("B+ " + i);
        db.backup(targets.resolve("b" + i));
        CrashChild.say("B- " + i);
      }
    }, "backup"));
    for (Thread t : all) {
      t.setUncaughtExceptionHandler((th, e) -> {
        java.io.StringWriter sw = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(sw));
        CrashChild.say("X " + th.getName() + ": " + sw.toString().replace('\n', '|'));
        System.exit(3);
      });
      t.start();
    }
    for (Thread t : all) {
      t.join();
    }
  }
}
