package dev.sapwood.kafka;

import dev.sapwood.Database;
import dev.sapwood.Options;
import dev.sapwood.Tree;
import dev.sapwood.WriteBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The experiment behind docs/kafka-streams.md's choice of one Sapwood database per store rather
 * than one per task with a tree per store (not a test; run by hand, one layout per process so that
 * each peak RSS is one layout's):
 * <pre>
 *   java -Xmx1g -cp CP dev.sapwood.kafka.StoreLayoutBench per-store|per-task TASKS RECORDS DIR
 * </pre>
 * TASKS tasks of three stores each, as a stream thread holds them: per-store opens a database per
 * store (trees {@code data} and {@code meta}, as {@link SapwoodKeyValueStore} does; 32 MiB cache
 * each), per-task one database per task with a data tree per store and one {@code meta} tree (a
 * 96 MiB cache: the same total). Then RECORDS records, round-robin over the tasks, each a put of
 * a random key (of 100,000) into each of its task's three stores; every 100 records of a task its
 * commit: per-store one {@link WriteBatch} per store (data and offset), per-task one batch across
 * the task's trees. Then close, reopen, close. Prints the times, files, threads and memory.
 */
public final class StoreLayoutBench {
  private static final int STORES = 3;
  private static final int COMMIT_EVERY = 100;

  private StoreLayoutBench() {}

  public static void main(String[] args) throws IOException {
    boolean perTask = switch (args[0]) {
      case "per-task" -> true;
      case "per-store" -> false;
      default -> throw new IllegalArgumentException(args[0]);
    };
    int tasks = Integer.parseInt(args[1]);
    int records = Integer.parseInt(args[2]);
    Path dir = Path.of(args[3]).resolve(args[0]);
    int threadsBefore = Thread.activeCount();
    long t0 = System.nanoTime();
    List<Database> dbs = open(perTask, tasks, dir);
    long opened = System.nanoTime();
    int threads = Thread.activeCount() - threadsBefore;
    String memOpen = KafkaStreamsBench.rss();

    Random rnd = new Random(11);
    WriteBatch[] batches = new WriteBatch[tasks * STORES];
    int[] sinceCommit = new int[tasks];
    long[] offsets = new long[tasks];
    for (int i = 0; i < batches.length; i++) {
      batches[i] = new WriteBatch();
    }
    long writeStart = System.nanoTime();
    for (int r = 0; r < records; r++) {
      int task = r % tasks;
      byte[] key = String.format(Locale.ROOT, "key%07d", rnd.nextInt(100_000)).getBytes();
      byte[] value = new byte[16];
      rnd.nextBytes(value);
      for (int s = 0; s < STORES; s++) {
        Database db = perTask ? dbs.get(task) : dbs.get(task * STORES + s);
        WriteBatch b = perTask ? batches[task * STORES] : batches[task * STORES + s];
        b.put(db.tree(perTask ? "data" + s : "data"), key, value);
      }
      offsets[task]++;
      if (++sinceCommit[task] == COMMIT_EVERY) {
        sinceCommit[task] = 0;
        commit(perTask, dbs, batches, task, offsets[task]);
      }
    }
    long writeEnd = System.nanoTime();
    closeAll(dbs);
    long closed = System.nanoTime();
    long files = countFiles(dir);
    List<Database> again = open(perTask, tasks, dir);
    long reopened = System.nanoTime();
    closeAll(again);
    System.out.printf(Locale.ROOT, "%-9s tasks %d x %d stores: %d databases, open %.0f ms, %d threads, %s after open;"
            + " %,d records (%,d puts) %.1f s = %,.0f records/s; close %.0f ms; %d files; reopen %.0f ms; %s at end%n",
        args[0], tasks, STORES, dbs.size(), (opened - t0) / 1e6, threads, memOpen, records, (long) records * STORES,
        (writeEnd - writeStart) / 1e9, records / ((writeEnd - writeStart) / 1e9), (closed - writeEnd) / 1e6, files,
        (reopened - closed) / 1e6, KafkaStreamsBench.rss());
  }

  private static List<Database> open(boolean perTask, int tasks, Path dir) {
    List<Database> dbs = new ArrayList<>();
    for (int t = 0; t < tasks; t++) {
      if (perTask) {
        dbs.add(Database.open(dir.resolve("task" + t), Options.defaults().cacheSize(STORES * SapwoodStores.DEFAULT_CACHE_SIZE)));
      } else {
        for (int s = 0; s < STORES; s++) {
          dbs.add(Database.open(dir.resolve("task" + t).resolve("store" + s),
              Options.defaults().cacheSize(SapwoodStores.DEFAULT_CACHE_SIZE)));
        }
      }
    }
    return dbs;
  }

  /** One task's commit: its buffered puts and an offset per store, in one batch or in one per store. */
  private static void commit(boolean perTask, List<Database> dbs, WriteBatch[] batches, int task, long offset) {
    byte[] off = Long.toString(offset).getBytes();
    if (perTask) {
      Database db = dbs.get(task);
      WriteBatch b = batches[task * STORES];
      for (int s = 0; s < STORES; s++) {
        b.put(db.tree("meta"), ("offset-" + s).getBytes(), off);
      }
      db.write(b);
      batches[task * STORES] = new WriteBatch();
    } else {
      for (int s = 0; s < STORES; s++) {
        Database db = dbs.get(task * STORES + s);
        WriteBatch b = batches[task * STORES + s];
        b.put(db.tree("meta"), "offset".getBytes(), off);
        db.write(b);
        batches[task * STORES + s] = new WriteBatch();
      }
    }
  }

  private static void closeAll(List<Database> dbs) {
    for (Database db : dbs) {
      db.close();
    }
  }

  private static long countFiles(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).count();
    }
  }
}
