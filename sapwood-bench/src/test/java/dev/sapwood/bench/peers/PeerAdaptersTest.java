package dev.sapwood.bench.peers;

import dev.sapwood.bench.AdapterChecks;
import java.nio.file.Path;
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
}
