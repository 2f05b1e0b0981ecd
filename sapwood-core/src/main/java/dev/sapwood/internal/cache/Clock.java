package dev.sapwood.internal.cache;

import dev.sapwood.internal.events.EvictionEvent;
import java.util.Iterator;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The eviction clock of a {@link CacheTable}: one hand over the cached objects, run by whichever
 * thread finds the cache over budget (or by the background writer for dirty objects). It never
 * blocks on a latch: an object it cannot latch at once is passed over.
 *
 * <p>Dirty objects the backend {@linkplain CacheBackend#favoured favours} (internal nodes) are
 * passed over, not written back, while the favoured bytes the hand saw in its last full sweep are
 * at most {@link #FAVOURED_SHARE} of the budget, and while the run has not yet swept twice without
 * getting under budget (the first sweep clears reference bits, the second frees what they left):
 * in a B^ε-tree an internal node's buffers take message after message, and writing such a node
 * back between two flushes writes (and later reads) the same buffers again and again.
 *
 * <p>A dirty object the hand would write back is first offered to the backend to {@linkplain
 * CacheBackend#park park} (a dirty internal node's image kept off-heap, unwritten, until the next
 * checkpoint): if the object has not been used since the last pass and the cache is not quiet,
 * and the backend parks it, it leaves the cache whole at once, with no write; otherwise it is
 * written back as before.
 *
 * <p>{@linkplain CacheBackend#backbone Backbone} objects (nodes above the parents of leaves) are
 * passed by altogether, up to {@link #BACKBONE_SHARE} of the budget a sweep, while writes go on:
 * every root flush pins one of them with the root latched. A quiet cache passes them by no more:
 * kept through reads alone, a 20M tree's nodes of height 2 and 3 held their decoded buffers in
 * most of a 64 MiB heap cache, and readrandom beyond the cache fell from 11–13 K to 8–10 K gets/s
 * with GC going from 2–3% to 8–10% of its time (docs/benchmarks.md, "20M beyond the cache").
 *
 * <p>The favour lasts only while writes go on: once {@link #QUIET_SWEEPS} full sweeps passed with
 * no object changed (no write pin left its object dirty), the cache is quiet, nothing is favoured,
 * and dirty objects are written back as the hand passes them even while readers use them, so that
 * the clock can then drop their unused parts: after a load, the reads that follow get the cache
 * instead of buffers that take no more messages (they would be written at the next checkpoint
 * anyway). The first change ends the quiet.
 *
 * <p>Invariants: one thread runs the hand at a time ({@code evictLock}); an object is evicted only
 * by a thread that holds its only pin and its write latch (the hand, or {@link #parkNow} beside
 * it); favouring never keeps the cache over
 * budget: once a run has visited every object twice without getting under budget, it favours
 * nothing; a quiet cache favours nothing and keeps no backbone; backbone objects keep at most {@link #BACKBONE_SHARE}
 * of the budget from the hand (less than all of it, so the rest can always be freed); a foreground run stops after
 * {@link #FOREGROUND_VISITS} visits in a row that free nothing, and none runs while
 * {@code foregroundFutile} (set by a foreground run that freed nothing, cleared when any full run
 * ends).
 */
final class Clock<T extends Cacheable> {
  /** Unpinned clock passes a clean object without parts survives before it is evicted. */
  static final int SHELL_PASSES = 8;
  /**
   * The share of the budget favoured dirty objects may keep from write-back, in sixteenths: all
   * but one sixteenth, since a leaf flushed by a delta append needs no resident basement
   * (docs/design.md, "Dirty internal nodes stay").
   */
  static final int FAVOURED_SHARE = 15;
  /**
   * The share of the budget, in sixteenths, that {@linkplain CacheBackend#backbone backbone}
   * objects passed in one sweep may keep from the hand. In a 5M overwrite under a 16 MiB heap
   * cache, a fifth of the root flushes found the child they pinned, a node of height 2, parked,
   * and decoded it with the root latched (3 ms each; the root was held 15 s of the run, the writer
   * waiting); kept through every sweep at up to three quarters of the budget, 11 of 3,400 did and
   * the root was held 3.5 s (docs/benchmarks.md, "The clock's lock, the root's children"). Half
   * the budget, or only a run's first two sweeps, left 500–700.
   */
  static final int BACKBONE_SHARE = 12;
  /**
   * Full sweeps of the hand during which no object took a change, after which the cache is quiet:
   * nothing is favoured, and dirty objects are written back even while readers use them.
   */
  static final int QUIET_SWEEPS = 8;
  /**
   * Objects a foreground run (one by a thread that released a pin and left dirty objects to the
   * background writer) visits at most without freeing one. Such a run can only drop clean objects
   * and unused parts; in a cache full of dirty nodes (a long fill between two checkpoints) a sweep
   * of the whole table on every release found nothing, cost the writer most of its time, and held
   * the hand away from the background writer that could have freed something.
   */
  static final int FOREGROUND_VISITS = 64;

  private final CacheTable<T> table;
  private final ReentrantLock evictLock = new ReentrantLock();
  private Iterator<T> hand; // guarded by evictLock
  private long favouredSeen; // favoured bytes passed in the current sweep; guarded by evictLock
  private long favouredLastSweep; // the same over the last full sweep; guarded by evictLock
  private long backboneSeen; // backbone bytes passed in the current sweep; guarded by evictLock
  private int quietSweeps; // full sweeps in a row without a change, up to QUIET_SWEEPS; guarded by evictLock
  /** The last foreground run freed nothing and no full run has ended since: foreground runs skip. */
  private volatile boolean foregroundFutile;
  private final LongAdder visitCount;

  Clock(CacheTable<T> table, LongAdder visitCount) {
    this.table = table;
    this.visitCount = visitCount;
  }

  /**
   * A foreground run: drops clean objects and unused parts, leaves dirty objects to the background
   * writer, stops once it visited {@link #FOREGROUND_VISITS} objects in a row without freeing any
   * (and after three sweeps, as a full run does), and returns at once if another run
   * holds the hand or if the last foreground run freed nothing and no full run has ended since
   * (that one may have cleaned or freed objects): the releasing thread's cost stays bounded
   * however many dirty objects fill the cache.
   */
  void evictClean() {
    if (foregroundFutile || !evictLock.tryLock()) {
      return;
    }
    try {
      if (!run(false, FOREGROUND_VISITS)) {
        foregroundFutile = true;
      }
    } finally {
      evictLock.unlock();
    }
  }

  /**
   * A full run by the background writer: waits for the hand (a foreground run holds it only while
   * it frees something, or for {@link #FOREGROUND_VISITS} visits), then runs as {@link #evict}.
   * Waiting, not passing: a background run that found the hand busy and returned freed nothing,
   * and the cache stayed over budget.
   */
  void evictInBackground() {
    evictLock.lock();
    try {
      runFully();
    } finally {
      evictLock.unlock();
    }
  }

  /**
   * Runs the clock, writing dirty objects back, until usage is under budget or three full sweeps
   * found nothing to evict (the third one writes back favoured dirty objects too); returns at once
   * if another run holds the hand.
   *
   * <p>The hand drops unused parts of every object it passes ({@link CacheBackend#shrink}), used
   * or not, and evicts a whole object once it is clean, holds no parts and has not been pinned for
   * {@link #SHELL_PASSES} passes: what is left of a node after its partitions go (pivots, children,
   * its directory of frames) is small and saves a read on the next visit, so it outlives its
   * partitions. If a whole sweep frees nothing, the rest of the run evicts idle objects at once.
   */
  void evict() {
    if (!evictLock.tryLock()) {
      return;
    }
    try {
      runFully();
    } finally {
      evictLock.unlock();
    }
  }

  /**
   * A run by a thread past the back-pressure bound ({@link Eviction}): as {@link #evict}, but it
   * waits for the hand when another run holds it, then runs if the cache is still over budget. Not
   * waiting let a thread that filled the cache faster than the run holding the hand wrote it back
   * go on filling it: an online optimize beside the quiet sweep's run took a 128 MiB cache to 485
   * MiB and the heap out of memory. Returns at once in a thread that holds the hand already (a
   * release inside its own run). Never waits on anything but the hand, whose holder waits on no
   * latch.
   */
  void evictWaiting() {
    if (evictLock.isHeldByCurrentThread()) {
      return;
    }
    evictLock.lock();
    try {
      runFully();
    } finally {
      evictLock.unlock();
    }
  }

  private void runFully() {
    try {
      run(true, Integer.MAX_VALUE);
    } finally {
      foregroundFutile = false;
    }
  }

  /**
   * Moves the hand while over budget, for at most three sweeps and at most {@code idleVisits}
   * visits in a row that free nothing; {@code writeDirty} false passes dirty objects by (they wait
   * for the background writer). The caller holds evictLock. Returns whether it shrank or evicted
   * anything.
   */
  private boolean run(boolean writeDirty, int idleVisits) {
    int sweep = table.map.size() + 1;
    int visits = 0;
    int lastFreed = 0; // visits when the run last freed something
    table.memory.recountPools();
    try {
      while (table.memory.used() > table.memory.limit() && visits < 3 * sweep
          && visits - lastFreed < idleVisits) {
        if (hand == null || !hand.hasNext()) {
          if (hand != null) {
            favouredLastSweep = favouredSeen;
            boolean changed = table.changed.getAndSet(false);
            quietSweeps = changed ? 0 : Math.min(quietSweeps + 1, QUIET_SWEEPS);
          }
          favouredSeen = 0;
          backboneSeen = 0;
          hand = table.map.values().iterator();
          if (!hand.hasNext()) {
            return lastFreed > 0;
          }
        }
        T o = hand.next();
        visits++;
        boolean referenced = o.referenced;
        if (referenced) {
          o.referenced = false;
          o.idlePasses = 0;
        } else if (o.idlePasses < SHELL_PASSES) {
          o.idlePasses++;
        }
        int shellPasses = visits > sweep ? 0 : SHELL_PASSES;
        boolean quiet = quietSweeps >= QUIET_SWEEPS;
        if (quiet && table.changed.get()) {
          quiet = false; // writes resumed: favour again at once
          quietSweeps = 0;
        }
        if (!quiet && table.backend.backbone(o)
            && (backboneSeen += o.accountedBytes) <= table.memory.limit() / 16 * BACKBONE_SHARE) {
          continue;
        }
        boolean favoured = !quiet && table.backend.favoured(o);
        if (favoured) {
          favouredSeen += o.accountedBytes;
        }
        if (o.isDirty()) {
          boolean keep = favoured && visits <= 2 * sweep
              && favouredLastSweep <= table.memory.limit() / 16 * FAVOURED_SHARE;
          if ((!referenced || quiet) && writeDirty && !table.keepDirty && !keep
              && tryEvict(o, shellPasses, !referenced && !quiet)) {
            lastFreed = visits;
          }
        } else if ((table.backend.holdsParts(o) || (!referenced && o.idlePasses >= shellPasses))
            && tryEvict(o, shellPasses, false)) {
          lastFreed = visits;
        }
      }
      return lastFreed > 0;
    } finally {
      visitCount.add(visits);
    }
  }

  /**
   * Writes back, shrinks or evicts {@code o} as it can; returns whether it shrank or evicted it. A
   * dirty object is first offered to the backend to {@linkplain CacheBackend#park park} if {@code
   * mayPark} (not used since the last pass, and writes go on): parked, it leaves the cache whole,
   * unwritten.
   */
  private boolean tryEvict(T o, int shellPasses, boolean mayPark) {
    if (!o.tryPinIdle()) {
      return false; // pinned, or evicted already
    }
    if (!o.latch.tryWriteLock()) {
      o.unpinCount();
      return false;
    }
    boolean removed = false;
    EvictionEvent event = EvictionEvent.start();
    long before = event == null ? 0 : o.accountedBytes;
    boolean wrote = false;
    try {
      if (o.isDirty() && mayPark) {
        int parked = park(o, event, before);
        if (parked != NOT_PARKED) {
          return parked == PARKED;
        }
      }
      if (o.isDirty()) {
        table.backend.writeBack(o);
        table.dirtyWrites.increment();
        table.account(o); // a written node holds its new frame directory: counted, if it stays
        wrote = true;
      }
      CacheBackend.Shrink shrunk = table.backend.shrink(o);
      if (shrunk == CacheBackend.Shrink.SHRUNK) {
        table.partialEvictions.increment();
        table.account(o);
        EvictionEvent.finish(event, EvictionEvent.PARTIAL, o.key(), before - o.accountedBytes, wrote);
        return true;
      }
      if (shrunk == CacheBackend.Shrink.IN_USE || o.referenced || o.idlePasses < shellPasses) {
        if (wrote) {
          EvictionEvent.finish(event, EvictionEvent.WRITTEN, o.key(), 0, true);
        }
        return false;
      }
      removed = o.tryEvictSolePin();
      if (removed) {
        dropWhole(o, event, before, wrote);
      } else if (wrote) {
        EvictionEvent.finish(event, EvictionEvent.WRITTEN, o.key(), 0, true);
      }
      return removed;
    } finally {
      o.latch.writeUnlock();
      o.unpinCount();
    }
  }

  /** {@link #park}: the backend did not park the object. */
  private static final int NOT_PARKED = 0;
  /** {@link #park}: parked, and it left the cache. */
  private static final int PARKED = 1;
  /** {@link #park}: parked, but pinned meanwhile: the park is taken back and it stays, dirty. */
  private static final int KEPT = 2;

  /**
   * Offers dirty {@code o}, which the caller holds idle-pinned and write-latched, to the backend to
   * park: {@link #PARKED} (it left the cache whole, unwritten), {@link #KEPT} or {@link #NOT_PARKED}.
   */
  private int park(T o, EvictionEvent event, long before) {
    if (!table.backend.park(o)) {
      return NOT_PARKED;
    }
    if (!o.tryEvictSolePin()) {
      table.backend.cancelPark(o); // pinned meanwhile: it stays, dirty
      return KEPT;
    }
    dropWhole(o, event, before, false);
    return PARKED;
  }

  /** Takes {@code o}, just marked evicted under the caller's sole pin, out of the map and the budget. */
  private void dropWhole(T o, EvictionEvent event, long before, boolean wrote) {
    table.map.remove(o.key(), o);
    table.memory.dropped(o);
    o.accountedBytes = 0;
    table.backend.left(o);
    table.evictions.increment();
    EvictionEvent.finish(event, EvictionEvent.WHOLE, o.key(), before, wrote);
  }

  /**
   * Parks dirty {@code o} now, as the hand parks an unused dirty object, if no one pins it, its
   * latch is free and the backend parks it; whether it left the cache. Never writes it back, never
   * waits for a latch, and runs beside the hand: the object's idle pin and write latch are all an
   * eviction of one object needs (the hand passes over an object it cannot pin), and the backend's
   * park is thread-safe. It used to wait up to 5 ms for the hand's lock, and the hand holds it
   * through whole runs of write-backs: in a 5M overwrite the flushers spent 6% of their time there
   * (docs/benchmarks.md, "The clock's lock"). For an object brought into memory for one change
   * (docs/design.md, "A node brought in for a flush leaves after it"): parked at once, what was
   * decoded for it dies young instead of outliving a young collection in the cache.
   */
  boolean parkNow(T o) {
    if (!o.tryPinIdle()) {
      return false; // pinned, or evicted already
    }
    if (!o.latch.tryWriteLock()) {
      o.unpinCount();
      return false;
    }
    try {
      EvictionEvent event = EvictionEvent.start();
      return o.isDirty() && park(o, event, event == null ? 0 : o.accountedBytes) == PARKED;
    } finally {
      o.latch.writeUnlock();
      o.unpinCount();
    }
  }
}
