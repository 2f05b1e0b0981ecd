package dev.sapwood.bench;

import java.util.List;

/**
 * One workload's measurements on one engine.
 *
 * @param engine engine name
 * @param workload workload label
 * @param ops operations timed (for readwhilewriting: the readers' reads)
 * @param seconds wall time of the timed operations (settling excluded)
 * @param userBytes key+value bytes the operations moved
 * @param latencyP50Micros latency percentiles of single operations, microseconds
 * @param writtenBytes bytes the process wrote to storage during the workload and its settle (-1 unknown)
 * @param userBytesWritten key+value bytes the workload wrote (0 for reads)
 * @param settleSeconds time spent settling the engine after a write workload
 * @param diskBytes bytes of the engine's files after the workload
 * @param liveUserBytes key+value bytes stored after the workload
 * @param peakRssBytes peak resident set since the engine was opened (-1 unknown)
 * @param gcPauseSeconds stop-the-world GC time of the process during the timed operations
 * @param note what else the workload saw (found counts, the writer's rate)
 * @param timeline samples {operations done, ops/s} taken during the workload
 */
public record WorkloadResult(String engine, String workload, long ops, double seconds,
    long userBytes, double latencyP50Micros, double latencyP99Micros, double latencyP999Micros,
    double latencyMaxMicros, long writtenBytes, long userBytesWritten, double settleSeconds,
    long diskBytes, long liveUserBytes, long peakRssBytes, double gcPauseSeconds, String note, List<double[]> timeline)
    implements java.io.Serializable {

  public double opsPerSec() {
    return ops / Math.max(1e-9, seconds);
  }

  public double mbPerSec() {
    return userBytes / 1048576.0 / Math.max(1e-9, seconds);
  }

  /** Bytes written to storage over user bytes written; NaN for reads or when unknown. */
  public double writeAmp() {
    return userBytesWritten <= 0 || writtenBytes < 0 ? Double.NaN
        : (double) writtenBytes / userBytesWritten;
  }

  /** Share of the timed operations' wall time spent in GC pauses (0..1). */
  public double gcShare() {
    return gcPauseSeconds / Math.max(1e-9, seconds);
  }

  /** Bytes on disk over live user bytes; NaN when nothing is stored. */
  public double spaceAmp() {
    return liveUserBytes <= 0 ? Double.NaN : (double) diskBytes / liveUserBytes;
  }
}
