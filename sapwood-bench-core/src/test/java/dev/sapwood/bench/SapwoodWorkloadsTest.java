package dev.sapwood.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every workload on a few thousand keys against Sapwood: correctness of the adapter, not speed. */
class SapwoodWorkloadsTest {
  @TempDir
  Path dir;

  @Test
  void everyWorkloadRunsAndReadsBackWhatWasWritten() {
    AdapterChecks.runAll(SapwoodEngine.FACTORY, dir);
  }

  @Test
  void fillThenReadGivesEveryValue() {
    BenchConfig cfg = BenchConfig.defaults(List.of(Workload.FILLRANDOM, Workload.READRANDOM))
        .withNum(3000).withVerify(true);
    BenchRunner r = new BenchRunner(cfg, null, 50);
    List<WorkloadResult> res = r.run(SapwoodEngine.FACTORY, dir.resolve("db"), null);
    assertEquals(2, res.size());
    assertEquals(3000, res.get(0).ops());
    assertTrue(res.get(1).note().startsWith("found 3000 of 3000"), res.get(1).note());
    try (BenchEngine e = SapwoodEngine.FACTORY.open(dir.resolve("db"), cfg.engineSettings())) {
      for (long n = 0; n < 3000; n++) {
        assertArrayEquals(r.values().value(n, BenchRunner.generation(0)), e.get(r.keys().key(n)));
      }
    }
  }

  @Test
  void fillBulkLoadsEveryKeyThroughTheBulkLoader() {
    BenchConfig cfg = BenchConfig.defaults(List.of(Workload.FILLBULK, Workload.READSEQ)).withNum(5000).withVerify(true);
    BenchRunner r = new BenchRunner(cfg, null, 50);
    List<WorkloadResult> res = r.run(SapwoodEngine.FACTORY, dir.resolve("bulk"), null);
    assertEquals(5000, res.get(0).ops());
    assertEquals(5000, res.get(1).ops(), "readseq read every key the bulk load wrote");
    try (BenchEngine e = SapwoodEngine.FACTORY.open(dir.resolve("bulk"), cfg.engineSettings())) {
      for (long n = 0; n < 5000; n += 7) {
        assertArrayEquals(r.values().value(n, BenchRunner.generation(0)), e.get(r.keys().key(n)));
      }
    }
  }

  @Test
  void hotKeyReadsTheCounterAndSaysWhatAGetApplied() {
    BenchConfig cfg = BenchConfig.defaults(List.of(Workload.HOTKEY)).withNum(5000).withVerify(true);
    BenchRunner r = new BenchRunner(cfg, null, 50);
    List<WorkloadResult> res = r.run(SapwoodEngine.FACTORY, dir.resolve("hot"), null);
    assertEquals(5000, res.get(0).ops()); // reads default to num; verify checks every get's count
    assertTrue(res.get(0).note().contains("messages applied per get"), res.get(0).note());
  }
}
