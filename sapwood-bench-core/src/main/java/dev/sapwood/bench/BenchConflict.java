package dev.sapwood.bench;

/**
 * An engine refused a transaction for a conflict (a write-write conflict at commit, a lock wait
 * that timed out, a deadlock): the workload counts it and runs the transaction again. No stack
 * trace: it is expected, and counted, not debugged.
 */
public final class BenchConflict extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BenchConflict(String message) {
    super(message, null, false, false);
  }
}
