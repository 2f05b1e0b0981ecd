package dev.sapwood.bench;

/**
 * The benchmark runner's worker harness: starts one thread per worker, waits for every one (an
 * interrupt of the waiting thread is kept, not lost), and rethrows the first failure of any worker
 * once all have stopped. Every timed phase of {@link BenchRunner} runs its workers through here.
 */
final class Workers {
  /** The work of one thread, given its index in {@code [0, threads)}. */
  interface Body {
    void run(int thread) throws Exception;
  }

  private Workers() {}

  /**
   * Runs {@code body} on {@code threads} threads named {@code name-<index>} and returns the
   * nanoseconds from just before the first start to the end of the last; the first failure of a
   * worker is rethrown after all have ended (unchecked as it was, else wrapped).
   */
  static long run(int threads, String name, Body body) {
    Thread[] ts = new Thread[threads];
    Throwable[] err = new Throwable[1];
    long start = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      final int th = t;
      ts[t] = new Thread(() -> {
        try {
          body.run(th);
        } catch (Throwable x) {
          synchronized (err) {
            if (err[0] == null) {
              err[0] = x;
            }
          }
        }
      }, name + "-" + t);
      ts[t].start();
    }
    joinAll(ts);
    long nanos = System.nanoTime() - start;
    synchronized (err) {
      rethrow(err[0]);
    }
    return nanos;
  }

  /** Waits for every thread to end, keeping (not losing) an interrupt of the calling thread. */
  static void joinAll(Thread... ts) {
    for (Thread t : ts) {
      boolean interrupted = false;
      while (true) {
        try {
          t.join();
          break;
        } catch (InterruptedException x) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Throws {@code t} if there is one: unchecked as it is, a checked one wrapped. */
  static void rethrow(Throwable t) {
    if (t == null) {
      return;
    }
    if (t instanceof RuntimeException r) {
      throw r;
    }
    if (t instanceof Error er) {
      throw er;
    }
    throw new IllegalStateException(t);
  }
}
