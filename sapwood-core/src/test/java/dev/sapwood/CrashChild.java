package dev.sapwood;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The child process of {@link CrashTest} and {@link LockTest} (and, mode {@code backup}, of {@link
 * BackupKillTest}); run as {@code java -cp <test
 * classpath> dev.sapwood.CrashChild <mode> <dir> ...}. It reports on stdout, one flushed line per
 * event, so that a parent that kills it at any moment can trust every complete line:
 *
 * <pre>
 * R                         about to open (recovery runs now)
 * O                         opened
 * I thread seq dur ops      thread is about to write ops (dur: S = SYNC, A = ASYNC; a batch, or
 *                           one in three times a transaction committed with that durability)
 * A thread seq              that write returned (acknowledged)
 * C+ / C-                   an explicit checkpoint starts / returned
 * L                         (mode try) the open failed with DatabaseLockedException
 * V value                   (mode readhold) opened read-only, held/k reads value (or null)
 * L message / O             (mode tryread) the read-only open failed as locked / succeeded
 * X message                 anything unexpected; the child exits with status 3
 * </pre>
 *
 * ops := op (';' op)*; op := P,tree,key,value | D,tree,key | U,tree,key,delta (ADD_LONG) |
 * G,tree,from,to (deleteRange). Keys of thread t start with "tNN/", so each thread owns its keys
 * and the parent can replay each thread's lines in order.
 */
public final class CrashChild {
  private static final PrintStream OUT = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, US_ASCII);

  private CrashChild() {}

  /** The options of the crash workload: small nodes and cache, checkpoints and syncs very often. */
  static Options options() {
    return Options.defaults().nodeSize(4 << 10).basementSize(1 << 10).fanout(4).cacheSize(256 << 10)
        .checkpointInterval(Duration.ofMillis(15)).syncInterval(Duration.ofMillis(5));
  }

  static synchronized void say(String line) {
    OUT.println(line);
  }

  public static void main(String[] args) throws Exception {
    try {
      String mode = args[0];
      Path dir = Path.of(args[1]);
      switch (mode) {
        case "write" -> write(dir, Long.parseLong(args[2]), Integer.parseInt(args[3]), args[4]);
        case "hold" -> hold(dir);
        case "try" -> tryOpen(dir);
        case "readhold" -> readHold(dir);
        case "tryread" -> tryReadOnly(dir);
        case "backup" -> BackupChild.run(dir, Path.of(args[2]));
        default -> throw new IllegalArgumentException(mode);
      }
    } catch (Throwable t) {
      java.io.StringWriter sw = new java.io.StringWriter();
      t.printStackTrace(new java.io.PrintWriter(sw));
      say("X " + sw.toString().replace('\n', '|'));
      System.exit(3);
    }
  }

  private static void hold(Path dir) throws InterruptedException {
    Database db = Database.open(dir);
    db.tree("held").put("k".getBytes(US_ASCII), "v".getBytes(US_ASCII));
    say("O");
    Thread.sleep(Long.MAX_VALUE);
  }

  @SuppressWarnings("try") // opened only to see whether it opens
  private static void tryOpen(Path dir) {
    try (Database db = Database.open(dir)) {
      say("O");
    } catch (DatabaseLockedException e) {
      say("L " + e.getMessage());
    }
  }

  /** Opens read-only, reports what tree "held" holds at "k", and holds the database until killed. */
  private static void readHold(Path dir) throws InterruptedException {
    Database db = Database.open(dir, Options.defaults().readOnly(true));
    byte[] v = db.findTree("held").map(t -> t.get("k".getBytes(US_ASCII))).orElse(null);
    say("V " + (v == null ? "null" : new String(v, US_ASCII)));
    Thread.sleep(Long.MAX_VALUE);
  }

  private static void tryReadOnly(Path dir) {
    try (Database db = Database.open(dir, Options.defaults().readOnly(true))) {
      say("O");
    } catch (DatabaseLockedException e) {
      say("L " + e.getMessage());
    }
  }

  private static void write(Path dir, long seed, int threads, String tag) throws Exception {
    say("R");
    // Every other run keeps most of its cache off-heap, where evicted dirty internal nodes are
    // parked instead of written back (tree.ParkedNodes): killed with nodes parked, too.
    Database db = Database.open(dir, seed % 2 == 0 ? options() : options().offHeapCacheShare(0.75));
    Tree a = db.tree("a");
    Tree b = db.tree("b");
    say("O");
    List<Thread> all = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Random r = new Random(seed * 31 + t);
      boolean last = t == threads - 1;
      all.add(new Thread(() -> writer(db, a, b, id, last, r, tag), "writer-" + t));
    }
    all.add(new Thread(() -> {
      Random r = new Random(seed);
      for (;;) {
        sleep(r.nextInt(40));
        say("C+");
        db.checkpoint();
        say("C-");
      }
    }, "checkpointer"));
    for (Thread t : all) {
      t.setUncaughtExceptionHandler((th, e) -> {
        java.io.StringWriter sw = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(sw));
        say("X " + th.getName() + ": " + sw.toString().replace('\n', '|'));
        System.exit(3);
      });
      t.start();
    }
    for (Thread t : all) {
      t.join();
    }
  }

  private static void sleep(int ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * One writer thread's loop. The thread with the largest key prefix ({@code edge}) also puts
   * ascending keys ({@code tNN/z} and its sequence number) above every other key of tree "a",
   * one in four writes: puts that go straight into the rightmost leaf ({@code RightEdge}) when
   * nothing is buffered above it and no transaction holds a snapshot.
   */
  private static void writer(Database db, Tree a, Tree b, int id, boolean edge, Random r, String tag) {
    String prefix = String.format("t%02d/", id);
    for (long seq = 0; ; seq++) {
      if (edge && r.nextInt(4) == 0) {
        String k = prefix + String.format("z%010d", seq);
        String v = tag + "s" + seq + "z" + "0123456789".repeat(r.nextInt(6));
        say("I " + id + " " + seq + " A P,a," + k + "," + v);
        a.put(k.getBytes(US_ASCII), v.getBytes(US_ASCII)); // ASYNC, the default
        say("A " + id + " " + seq);
        continue;
      }
      boolean sync = r.nextInt(4) == 0;
      boolean txn = r.nextInt(3) == 0;
      List<Runnable> txOps = new ArrayList<>();
      Transaction[] tx = {null};
      Durability d = sync ? Durability.SYNC : Durability.ASYNC;
      int n = r.nextInt(3) == 0 ? 2 + r.nextInt(4) : 1;
      StringBuilder line = new StringBuilder();
      WriteBatch batch = new WriteBatch();
      for (int i = 0; i < n; i++) {
        boolean inA = r.nextBoolean();
        Tree t = inA ? a : b;
        String tree = inA ? "a" : "b";
        int p = r.nextInt(10);
        String op;
        if (p < 5) {
          String k = prefix + String.format("k%03d", r.nextInt(120));
          String v = tag + "s" + seq + "x" + "0123456789".repeat(r.nextInt(6));
          batch.put(t, k.getBytes(US_ASCII), v.getBytes(US_ASCII));
          txOps.add(() -> tx[0].put(t, k.getBytes(US_ASCII), v.getBytes(US_ASCII)));
          op = "P," + tree + "," + k + "," + v;
        } else if (p < 6) {
          String k = prefix + String.format("k%03d", r.nextInt(120));
          batch.delete(t, k.getBytes(US_ASCII));
          txOps.add(() -> tx[0].delete(t, k.getBytes(US_ASCII)));
          op = "D," + tree + "," + k;
        } else if (p < 9) {
          String k = prefix + String.format("c%02d", r.nextInt(10));
          long delta = r.nextInt(100) - 30;
          batch.update(t, k.getBytes(US_ASCII), UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(delta));
          txOps.add(() -> tx[0].update(t, k.getBytes(US_ASCII), UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(delta)));
          op = "U," + tree + "," + k + "," + delta;
        } else {
          op = null;
        }
        if (op == null) { // a range delete, alone: Tree.deleteRange is a single write
          int from = r.nextInt(120);
          String f = prefix + String.format("k%03d", from);
          String to = prefix + String.format("k%03d", from + 1 + r.nextInt(15));
          line.setLength(0);
          say("I " + id + " " + seq + " A G," + tree + "," + f + "," + to);
          t.deleteRange(f.getBytes(US_ASCII), to.getBytes(US_ASCII)); // ASYNC, the default
          say("A " + id + " " + seq);
          batch = null;
          break;
        }
        line.append(line.length() == 0 ? "" : ";").append(op);
      }
      if (batch == null) {
        continue;
      }
      say("I " + id + " " + seq + " " + (sync ? "S" : "A") + " " + line);
      if (txn) {
        // Threads own their keys: a conflict can only be a false one (two keys sharing a slot of
        // the conflict table), so the same blind changes are simply committed again.
        for (boolean committed = false; !committed; ) {
          try (Transaction t = db.begin()) {
            tx[0] = t;
            txOps.forEach(Runnable::run);
            t.commit(d);
            committed = true;
          } catch (ConflictException e) {
            // again
          }
        }
      } else {
        db.write(batch, d);
      }
      say("A " + id + " " + seq);
    }
  }
}
