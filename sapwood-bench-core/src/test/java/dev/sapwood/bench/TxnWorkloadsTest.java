package dev.sapwood.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Compression;
import dev.sapwood.Durability;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transactional and snapshot workloads' bookkeeping on a few thousand keys against Sapwood:
 * transfers keep the total balance, blind counter updates add up to the updates committed with no
 * conflict, snapshot reads find every key; an engine without transactions or snapshots skips them.
 */
class TxnWorkloadsTest {
  private static final int NUM = 2000;

  @TempDir
  Path dir;

  private static BenchConfig config(List<Workload> ws) {
    return new BenchConfig(ws, NUM, 0, 16, 100, 2, 8L << 20, Durability.NONE, Compression.LZ4, 0, 0,
        5, 7, true);
  }

  private static long number(String note, String regex) {
    Matcher m = Pattern.compile(regex).matcher(note);
    assertTrue(m.find(), note);
    return Long.parseLong(m.group(1).replace(",", ""));
  }

  @Test
  void transfersKeepTheTotalAndCounterUpdatesAddUpWithoutConflicts() {
    List<Workload> ws = List.of(Workload.TXNTRANSFER, Workload.TXNUPDATE, Workload.TXNUPDATE);
    BenchConfig cfg = config(ws);
    BenchRunner r = new BenchRunner(cfg, null, 20);
    List<WorkloadResult> res = r.run(SapwoodEngine.FACTORY, dir.resolve("db"), null);
    assertEquals(3, res.size());
    WorkloadResult transfer = res.get(0);
    assertEquals(NUM, transfer.ops());
    long committed = number(transfer.note(), "([\\d,]+) transfers committed");
    long conflicts = number(transfer.note(), "([\\d,]+) conflicts");
    assertEquals(NUM, committed + number(transfer.note(), "([\\d,]+) given up"));
    assertEquals(0, number(transfer.note(), "([\\d,]+) given up"), transfer.note());
    assertTrue(conflicts >= 0);
    long updates = 0;
    for (WorkloadResult u : res.subList(1, 3)) {
      assertEquals(NUM, u.ops());
      assertEquals(0, number(u.note(), "([\\d,]+) conflicts"), "blind updates never conflict: " + u.note());
      assertEquals(NUM, number(u.note(), "in ([\\d,]+) transactions committed"));
      updates += number(u.note(), "([\\d,]+) updates in");
    }
    assertTrue(updates >= 2L * NUM && updates <= 8L * NUM, "1 to 4 updates a transaction: " + updates);
    TxnWorkloads tw = new TxnWorkloads(r, cfg, r.keys());
    try (BenchEngine e = SapwoodEngine.FACTORY.open(dir.resolve("db"), cfg.engineSettings())) {
      long total = 0;
      for (long a = 0; a < NUM; a++) {
        total += e.counter(tw.account(a));
      }
      assertEquals(NUM * TxnWorkloads.INITIAL_BALANCE, total, "after reopening, the total is kept");
      long counted = 0;
      for (int c = 0; c < TxnWorkloads.HOT_COUNTERS; c++) {
        counted += e.counter(tw.hotCounter(c));
      }
      assertEquals(updates, counted, "the hot counters hold every committed update");
      assertEquals(0, e.counter(r.keys().key(0)), "updaterandom's counters untouched");
    }
  }

  @Test
  void snapshotReadsFindEveryKeyHeldOrPerRead() {
    List<Workload> ws = List.of(Workload.FILLRANDOM, Workload.READSNAPSHOT, Workload.READSNAPSHOTOP,
        Workload.READRANDOM);
    List<WorkloadResult> res = new BenchRunner(config(ws), null, 20)
        .run(SapwoodEngine.FACTORY, dir.resolve("db"), null);
    assertEquals(4, res.size());
    assertTrue(res.get(1).note().startsWith("found " + NUM + " of " + NUM + "; one snapshot per thread"),
        res.get(1).note());
    assertTrue(res.get(2).note().startsWith("found " + NUM + " of " + NUM + "; a snapshot per read"),
        res.get(2).note());
  }

  @Test
  void anEngineWithoutTransactionsOrSnapshotsSkipsThoseWorkloads() {
    List<Workload> ws = List.of(Workload.FILLSEQ, Workload.TXNTRANSFER, Workload.TXNUPDATE,
        Workload.READSNAPSHOT, Workload.READRANDOM);
    EngineFactory plain = new EngineFactory() {
      @Override
      public String name() {
        return "plain";
      }

      @Override
      public BenchEngine open(Path d, EngineSettings s) {
        return new PlainEngine(SapwoodEngine.FACTORY.open(d, s));
      }
    };
    List<WorkloadResult> res = new BenchRunner(config(ws), null, 20).run(plain, dir.resolve("db"), null);
    assertEquals(List.of("fillseq", "readrandom"), res.stream().map(WorkloadResult::workload).toList());
  }

  /** An engine with only the single operations: the interface's defaults for the rest. */
  private record PlainEngine(BenchEngine e) implements BenchEngine {
    @Override
    public String name() {
      return "plain";
    }

    @Override
    public String version() {
      return e.version();
    }

    @Override
    public String describe() {
      return e.describe();
    }

    @Override
    public String updateMethod() {
      return e.updateMethod();
    }

    @Override
    public void put(byte[] key, byte[] value) {
      e.put(key, value);
    }

    @Override
    public byte[] get(byte[] key) {
      return e.get(key);
    }

    @Override
    public void delete(byte[] key) {
      e.delete(key);
    }

    @Override
    public void add(byte[] key, long delta) {
      e.add(key, delta);
    }

    @Override
    public long counter(byte[] key) {
      return e.counter(key);
    }

    @Override
    public BenchCursor cursor() {
      return e.cursor();
    }

    @Override
    public void settle() {
      e.settle();
    }

    @Override
    public void close() {
      e.close();
    }
  }
}
