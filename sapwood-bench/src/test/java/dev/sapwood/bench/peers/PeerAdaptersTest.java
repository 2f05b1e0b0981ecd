package dev.sapwood.bench.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.bench.AdapterChecks;
import dev.sapwood.bench.WorkloadResult;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every workload on a few thousand keys against each peer: values read back equal those written,
 * counters add up, scans are ordered. Correctness of the adapters, not speed.
 */
class PeerAdaptersTest {
  @TempDir
  Path dir;

  @Test
  void rocksDbAdapterRunsEveryWorkloadCorrectly() {
    AdapterChecks.runAll(RocksDbEngine.FACTORY, dir);
  }

  @Test
  void lmdbAdapterRunsEveryWorkloadCorrectly() {
    AdapterChecks.runAll(LmdbEngine.FACTORY, dir);
  }

  @Test
  void h2AdapterRunsEveryWorkloadCorrectly() {
    AdapterChecks.runAll(H2Engine.FACTORY, dir);
  }

  @Test
  void rocksDbTransactionDatabasesRunEveryWorkloadCorrectly() {
    AdapterChecks.runAll(RocksDbEngine.OPTIMISTIC_FACTORY, dir);
    AdapterChecks.runAll(RocksDbEngine.PESSIMISTIC_FACTORY, dir);
  }

  @Test
  void rocksDbTransactionsKeepTheBankTotalAndTheCounters() {
    for (var f : List.of(RocksDbEngine.OPTIMISTIC_FACTORY, RocksDbEngine.PESSIMISTIC_FACTORY)) {
      List<WorkloadResult> res = AdapterChecks.runTransactions(f, dir);
      assertTrue(res.get(2).note().contains("merge uint64add"), res.get(2).note());
    }
  }

  @Test
  void enginesWithoutTransactionsSkipTheTransactionalWorkloads() {
    List<String> run = new dev.sapwood.bench.BenchRunner(new dev.sapwood.bench.BenchConfig(
        List.of(dev.sapwood.bench.Workload.FILLSEQ, dev.sapwood.bench.Workload.TXNTRANSFER,
            dev.sapwood.bench.Workload.TXNUPDATE, dev.sapwood.bench.Workload.READRANDOM),
        500, 0, 16, 100, 1, 8L << 20, dev.sapwood.Durability.NONE, dev.sapwood.Compression.LZ4,
        0, 0, 5, 3, true), null, 20)
        .run(LmdbEngine.FACTORY, dir.resolve("lmdb"), null).stream().map(WorkloadResult::workload).toList();
    assertEquals(List.of("fillseq", "readrandom"), run);
  }
}
