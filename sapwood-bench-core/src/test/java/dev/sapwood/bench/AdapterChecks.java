package dev.sapwood.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Checks any engine adapter: every workload on a tiny count with value verification on, then the
 * stored state checked key by key (values equal those written, counters add up to the updates).
 * Shared with the peer adapters' tests (sapwood-bench has this class on its test path).
 */
public final class AdapterChecks {
  public static final int NUM = 3000;

  private AdapterChecks() {}

  public static void runAll(EngineFactory f, Path root) {
    List<Workload> all = List.of(Workload.FILLSEQ, Workload.READSEQ, Workload.FILLRANDOM,
        Workload.OVERWRITE, Workload.READRANDOM, Workload.READREVERSE, Workload.SEEKRANDOM,
        Workload.UPDATERANDOM, Workload.READWHILEWRITING, Workload.DELETERANDOM,
        Workload.READRANDOM, Workload.READSEQ);
    BenchConfig cfg = new BenchConfig(all, NUM, 1000, 16, 100, 2, 8L << 20,
        dev.sapwood.Durability.NONE, dev.sapwood.Compression.LZ4, 0, 0, 5, 99, true);
    BenchRunner r = new BenchRunner(cfg, null, 20);
    Path dir = root.resolve(f.name());
    List<WorkloadResult> res = r.run(f, dir, null);
    assertEquals(all.size(), res.size());
    for (WorkloadResult w : res) {
      assertEquals(f.name(), w.engine());
      assertTrue(w.ops() > 0 || w.workload().equals("readseq"), w.workload());
    }
    assertEquals(NUM, res.get(0).ops(), "fillseq");
    assertEquals(2L * NUM, res.get(1).ops(), "readseq after fillseq: each of 2 threads sees every key");
    assertEquals(2L * NUM, res.get(5).ops(), "readreverse: each thread sees every key");
    assertTrue(res.get(4).note().startsWith("found " + 1000 + " of 1000"), res.get(4).note());

    // Reopen and check every key and counter against a model rebuilt from the same sequences.
    try (BenchEngine e = f.open(dir, cfg.engineSettings())) {
      long sum = 0;
      int present = 0;
      for (long n = 0; n < NUM; n++) {
        byte[] k = r.keys().key(n);
        sum += e.counter(k);
        byte[] v = e.get(k);
        if (v != null) {
          present++;
          boolean known = false;
          for (int g = 1; g <= all.size(); g++) {
            known |= Arrays.equals(v, r.values().value(n, g));
          }
          assertTrue(known, "key " + n + " holds a value some workload wrote");
        }
      }
      assertEquals(NUM, sum, "updaterandom added 1 " + NUM + " times");
      assertEquals(res.get(res.size() - 1).ops(), 2L * present, "final readseq count = keys present");
      assertTrue(present < NUM, "deleterandom deleted something");
      try (BenchCursor c = e.cursor()) {
        assertTrue(c.seek(r.keys().key(0)));
        byte[] prev = c.key();
        int seen = 1;
        while (c.next()) {
          assertTrue(Arrays.compareUnsigned(prev, c.key()) < 0, "ascending");
          prev = c.key();
          seen++;
        }
        assertEquals(present, seen);
        assertFalse(c.seek(r.keys().key(NUM)), "nothing past the last key");
      }
      e.put(r.keys().key(1), new byte[] {1, 2, 3});
      assertArrayEquals(new byte[] {1, 2, 3}, e.get(r.keys().key(1)));
      e.delete(r.keys().key(1));
      assertNull(e.get(r.keys().key(1)));
    }
  }

  /**
   * Checks an adapter's transactions and snapshots: txntransfer keeps the total balance and
   * txnupdate's counters add up (the runner checks both and throws otherwise), no transaction is
   * given up, and snapshot reads find every key. Returns the results (txntransfer, txnupdate,
   * readsnapshot, readsnapshotop, after a fillrandom).
   */
  public static List<WorkloadResult> runTransactions(EngineFactory f, Path root) {
    List<Workload> ws = List.of(Workload.FILLRANDOM, Workload.TXNTRANSFER, Workload.TXNUPDATE,
        Workload.READSNAPSHOT, Workload.READSNAPSHOTOP);
    BenchConfig cfg = new BenchConfig(ws, NUM, 1000, 16, 100, 2, 8L << 20,
        dev.sapwood.Durability.NONE, dev.sapwood.Compression.LZ4, 0, 0, 5, 99, true);
    List<WorkloadResult> res = new BenchRunner(cfg, null, 20).run(f, root.resolve(f.name() + "-tx"), null);
    assertEquals(List.of("fillrandom", "txntransfer", "txnupdate", "readsnapshot", "readsnapshotop"),
        res.stream().map(WorkloadResult::workload).toList());
    assertEquals(NUM, res.get(1).ops());
    assertTrue(res.get(1).note().contains(" 0 given up"), res.get(1).note());
    assertTrue(res.get(1).note().contains("total balance kept"), res.get(1).note());
    assertTrue(res.get(2).note().contains(" 0 given up"), res.get(2).note());
    assertTrue(res.get(2).note().contains("counters add up"), res.get(2).note());
    assertTrue(res.get(3).note().startsWith("found 1000 of 1000"), res.get(3).note());
    assertTrue(res.get(4).note().startsWith("found 1000 of 1000"), res.get(4).note());
    return res;
  }
}
