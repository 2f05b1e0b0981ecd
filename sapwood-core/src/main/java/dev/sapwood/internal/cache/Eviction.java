package dev.sapwood.internal.cache;

import dev.sapwood.internal.events.WriteStallEvent;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * Who evicts when a {@link CacheTable} is over budget: the thread that released a pin drops clean
 * objects itself (a bounded run of the clock: {@link Clock#evictClean}) and hands the writing of
 * dirty ones to a background thread, so readers do not wait on writes; once usage runs a quarter
 * over budget it writes them itself, waiting for the hand if another run holds it (back-pressure,
 * reported as a {@link WriteStallEvent}): so usage stays within about a quarter over budget
 * however fast a thread fills the cache.
 *
 * <p>Invariants: at most one background eviction is queued or running at a time ({@code
 * evictorQueued} is set from its queueing until it ends). A second one queued while the first ran
 * waited for the clock's hand the whole run and then found the cache under budget: with two
 * flushers, one of them spent a tenth of a 5M overwrite waiting so (docs/benchmarks.md, "The clock's
 * lock").
 */
final class Eviction<T extends Cacheable> {
  private final CacheTable<T> table;
  private final Clock<T> clock;
  private final LongAdder backgroundRuns;
  private final AtomicBoolean evictorQueued = new AtomicBoolean();
  private volatile Predicate<Runnable> background = task -> false;

  Eviction(CacheTable<T> table, Clock<T> clock, LongAdder backgroundRuns) {
    this.table = table;
    this.clock = clock;
    this.backgroundRuns = backgroundRuns;
  }

  /** Where dirty objects are written back: {@code submit} queues a task and says whether it took it. */
  void setBackground(Predicate<Runnable> submit) {
    this.background = submit;
  }

  /** Called after a pin is released with the cache's usage then (against the budget less the pools). */
  void afterRelease(long used) {
    long budget = table.memory.limit();
    if (used > budget) {
      boolean handedOver = used <= budget + budget / 4 && queueDirtyEviction();
      if (handedOver) {
        clock.evictClean();
        return;
      }
      WriteStallEvent stall = WriteStallEvent.start(WriteStallEvent.CACHE_FULL, used, budget);
      clock.evictWaiting();
      WriteStallEvent.finish(stall);
    }
  }

  private boolean queueDirtyEviction() {
    if (!evictorQueued.compareAndSet(false, true)) {
      return true;
    }
    boolean taken = background.test(() -> {
      try {
        backgroundRuns.increment();
        clock.evictInBackground();
      } finally {
        evictorQueued.set(false);
      }
    });
    if (!taken) {
      evictorQueued.set(false);
    }
    return taken;
  }
}
