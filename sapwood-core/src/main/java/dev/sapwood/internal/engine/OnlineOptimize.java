package dev.sapwood.internal.engine;

import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.tree.DeltaSweep;
import dev.sapwood.internal.tree.Optimizer;
import dev.sapwood.internal.tree.TreeContext;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * {@code Database.optimize} and {@code Tree.optimize}: drains trees online, one root-to-leaf path
 * per step ({@link Optimizer}), each step under the database lock's shared side like any write, so
 * readers and writers go on between steps and no exclusive lock is taken. Where each tree's
 * optimize stands is kept in the catalog ({@link Catalog#optimizing}) and so written with every
 * checkpoint (TokuFT keeps its hot-optimize bookkeeping in the header the same way): after a
 * restart, optimizing again resumes from the last checkpointed key.
 *
 * <p>Figures: {@code optimize.running} (trees being optimized now), {@code optimize.steps},
 * {@code optimize.flushes}, {@code optimize.trees_done}, {@code optimize.progress_permille} (the
 * tree last stepped: leaf entries passed over its row count, in thousandths), {@code
 * optimize.step_micros_total/_max} (a step holds its tree's root: writers to that tree wait for
 * at most one step), {@code compact.walks} (the walks {@link #compactTree} made).
 *
 * <p>Thread-safe: one optimize per tree at a time (a second caller waits for the first).
 */
final class OnlineOptimize {
  private final DatabaseGate gate;
  private final Catalog catalog;
  private final TreeContext ctx;
  private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();
  /** Where a quiet sweep cut short stopped, per tree; used by {@link #sweepDeltas}'s one thread. */
  private final Map<String, byte[]> sweepResume = new HashMap<>();
  /** The trees swept to their end in the quiet spell of {@code spellMark}; as {@code sweepResume}. */
  private final Set<String> sweptInSpell = new HashSet<>();
  private long spellMark = Long.MIN_VALUE;
  /** Tests: given each sweep step's first key before it runs, and where the next starts after it (null: the end). */
  private volatile Consumer<byte[]> beforeSweepStep = k -> {};
  private volatile Consumer<byte[]> afterSweepStep = k -> {};
  private final LongAdder running;
  private final LongAdder steps;
  private final LongAdder flushes;
  private final LongAdder treesDone;
  private final LongAdder progress;
  private final LongAdder stepTotal;
  private final LongAccumulator stepMax;
  /** Steps that shrank the tree (for {@link #compactTree}). */
  private final LongAdder shrinks = new LongAdder();
  private final LongAdder walks;
  /** Runs before each walk of {@link #compactTree} after the first (tests: writers' progress between walks). */
  private volatile Runnable beforeWalk = () -> {};

  OnlineOptimize(DatabaseGate gate, Catalog catalog, TreeContext ctx, Counters counters) {
    this.gate = gate;
    this.catalog = catalog;
    this.ctx = ctx;
    this.running = counters.counter("optimize.running");
    this.steps = counters.counter("optimize.steps");
    this.flushes = counters.counter("optimize.flushes");
    this.treesDone = counters.counter("optimize.trees_done");
    this.progress = counters.counter("optimize.progress_permille");
    this.stepTotal = counters.counter("optimize.step_micros_total");
    this.stepMax = counters.maximum("optimize.step_micros_max");
    this.walks = counters.counter("compact.walks");
  }

  /**
   * Optimizes every tree of {@code trees} in turn ({@link dev.sapwood.Database#optimize}), each as
   * {@link #optimize(TreeImpl)}; a tree dropped meanwhile is passed over.
   */
  void optimizeAll(TreeRegistry trees) {
    for (String name : gate.read(trees::names)) {
      TreeImpl t = gate.read(() -> trees.get(name));
      if (t != null) {
        optimize(t);
      }
    }
  }

  /** Optimizes tree {@code t} from where an earlier optimize of it stopped (or its start). */
  void optimize(TreeImpl t) {
    optimize(t, Long.MAX_VALUE);
  }

  /** Most walks {@link #compactTree} makes over one tree. */
  private static final int MAX_WALKS = 12;

  /**
   * Walks tree {@code t} again and again until a walk shrinks nothing (at most {@link
   * #MAX_WALKS}): one walk drains every buffer and merges what it finds small on its way, and the
   * merges of the level above show only on the next (compaction: a tree emptied by deletes shrinks
   * back to a root over one leaf). A walk that only flushed (or split) calls for no other: under
   * concurrent writes every walk finds new messages to flush, and walking again for them made a
   * compaction under a writer take all {@link #MAX_WALKS} walks (at 500,000 keys a median of 59.5 s
   * against 1.9 s without the writer; docs/benchmarks.md).
   */
  void compactTree(TreeImpl t) {
    for (int walk = 0; walk < MAX_WALKS; walk++) {
      if (walk > 0) {
        beforeWalk.run();
      }
      walks.increment();
      long before = shrinks.sum();
      optimize(t);
      if (shrinks.sum() == before) {
        return;
      }
    }
  }

  /** Tests: {@code hook} runs before every walk of a compaction but a tree's first. */
  void beforeCompactWalk(Runnable hook) {
    beforeWalk = hook;
  }

  /**
   * Like {@link #optimize(TreeImpl)}, but stops after {@code maxSteps} steps (tests: an optimize
   * cut short, to resume); returns whether the tree was finished.
   */
  boolean optimize(TreeImpl t, long maxSteps) {
    synchronized (locks.computeIfAbsent(t.name(), n -> new Object())) {
      running.increment();
      try {
        return run(t, maxSteps);
      } finally {
        running.decrement();
      }
    }
  }

  private boolean run(TreeImpl t, long maxSteps) {
    // The checks find the tree (a dropped one fails here, the caller's mistake or a drop meanwhile:
    // nothing changed); what a step throws fails the database (DatabaseGate).
    byte[] from = gate.writeShared(t::beTree, tree -> catalog.optimizing.computeIfAbsent(t.name(), n -> new byte[0]));
    long total = Math.max(1, t.beTree().approximateRows());
    long passed = 0;
    for (long n = 0; from != null; n++) {
      if (n == maxSteps) {
        return false;
      }
      byte[] at = from;
      long start = System.nanoTime();
      Optimizer.Step step = gate.writeShared(t::beTree, tree -> {
        Optimizer.Step s = ctx.optimizer().step(tree.rootBlock(), at);
        if (s.next() == null) {
          catalog.optimizing.remove(t.name());
        } else {
          catalog.optimizing.put(t.name(), s.next());
        }
        return s;
      });
      long micros = (System.nanoTime() - start) / 1000;
      stepTotal.add(micros);
      stepMax.accumulate(micros);
      steps.increment();
      flushes.add(step.flushes());
      if (step.shrank()) {
        shrinks.increment();
      }
      passed += step.leafEntries();
      progress.reset();
      progress.add(Math.min(1000, passed * 1000 / total));
      from = step.next();
    }
    progress.reset();
    progress.add(1000);
    treesDone.increment();
    return true;
  }

  /** Tests: see {@link Maintenance#sweepStepHooks}. */
  void sweepStepHooks(Consumer<byte[]> before, Consumer<byte[]> after) {
    beforeSweepStep = before;
    afterSweepStep = after;
  }

  /**
   * A slice of the quiet sweep ({@link DeltaSweep}; its drain if {@code drain}) over the trees of
   * {@code trees} it has not finished in this quiet spell, one leaf per step under the database
   * lock's shared side like any write. It stops as soon as a write is sequenced after {@code
   * writeMark} (the database's last MSN when writes were seen to stop), so writers resuming wait
   * for at most one step, or once {@link System#nanoTime} passes {@code deadlineNanos} (after at
   * least one step). Returns true once every tree was swept to its end in this quiet spell (the
   * spell of {@code writeMark}). A tree's sweep cut short resumes where it stopped, at the next
   * slice of this spell or at the next spell, and goes on to the tree's end: writes that come in
   * bursts with short pauses between still see every leaf in turn. Called by one thread at a time
   * (the checkpointer's monitor).
   */
  boolean sweepDeltas(TreeRegistry trees, long writeMark, boolean drain, long deadlineNanos) {
    if (writeMark != spellMark) {
      spellMark = writeMark;
      sweptInSpell.clear();
    }
    for (String name : gate.read(trees::names)) {
      if (sweptInSpell.contains(name)) {
        continue;
      }
      TreeImpl t = gate.read(() -> trees.get(name));
      byte[] from = sweepResume.remove(name);
      boolean first = true;
      for (from = from == null ? new byte[0] : from; t != null && from != null && ctx.lastMsn() == writeMark
          && (first || System.nanoTime() - deadlineNanos < 0); first = false) {
        byte[] at = from;
        beforeSweepStep.accept(at);
        DeltaSweep.Step step = gate.writeShared(() -> t.isDropped() ? null
            : ctx.deltaSweep().step(t.beTree().rootBlock(), at, drain));
        from = step == null ? null : step.next();
        afterSweepStep.accept(from);
      }
      if (t != null && from != null) {
        sweepResume.put(name, from); // a write came, or the slice's time is up: go on from here
        return false;
      }
      sweptInSpell.add(name);
    }
    return true;
  }
}
