package dev.sapwood;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Which points of a long sweep (fault points, power-cut steps, seeds) a test run visits. Under
 * {@code -Dsapwood.sweep=full} (the {@code stress} profile sets it: {@code mvn verify -Pstress})
 * every point. Otherwise a sample: the points whose position in the sweep is congruent to an offset
 * modulo {@code every}, the offset drawn from the run's sample seed and the sweep's name, so that
 * successive runs visit different points and, over runs, the whole sweep; plus the first and last
 * points and the pinned ones (where a bug was once caught), which every run visits.
 *
 * <p>The sample seed is {@code -Dsapwood.sweep.seed=S} or, without it, drawn once per JVM. Each
 * sample prints its sweep's name, the seed and the offset, and {@link #toString} (which a sweep
 * puts in its failure messages) names the property that repeats it.
 */
public final class SweepSample {
  /** The run's sample seed: one per JVM, so one property repeats every sweep's sample. */
  private static final long SEED = Long.getLong("sapwood.sweep.seed", System.nanoTime());

  private final String name;
  private final int every;
  private final int offset;

  private SweepSample(String name, int every) {
    this.name = name;
    this.every = full() ? 1 : Math.max(1, every);
    long h = SEED ^ (name.hashCode() * 0x9E3779B97F4A7C15L);
    h ^= h >>> 31;
    h *= 0xBF58476D1CE4E5B9L;
    h ^= h >>> 29;
    this.offset = (int) Math.floorMod(h, (long) this.every);
  }

  /** Whether every sweep runs whole ({@code -Dsapwood.sweep=full}). */
  public static boolean full() {
    return "full".equals(System.getProperty("sapwood.sweep"));
  }

  /** A sample of about one point in {@code every} of the sweep {@code name} (all of them under full). */
  public static SweepSample of(String name, int every) {
    SweepSample s = new SweepSample(name, every);
    System.out.println("sweep " + s);
    return s;
  }

  /** Whether the point at position {@code index} (0-based) of a sweep of {@code count} points is visited. */
  public boolean visits(long index, long count) {
    return index == 0 || index == count - 1 || Math.floorMod(index, (long) every) == offset;
  }

  /**
   * The visited points of {@code points} (ascending), in order, with each of {@code pinned} that lies
   * between the first and the last point, whether the whole sweep's stride reaches it or not.
   */
  public List<Long> pick(List<Long> points, long... pinned) {
    TreeSet<Long> out = new TreeSet<>();
    for (int i = 0; i < points.size(); i++) {
      if (visits(i, points.size())) {
        out.add(points.get(i));
      }
    }
    if (!points.isEmpty()) {
      for (long p : pinned) {
        if (p >= points.get(0) && p <= points.get(points.size() - 1)) {
          out.add(p);
        }
      }
    }
    return new ArrayList<>(out);
  }

  @Override
  public String toString() {
    return every == 1 ? name + ": every point" : name + ": one point in " + every + " from position " + offset
        + " (-Dsapwood.sweep.seed=" + SEED + " repeats it; -Dsapwood.sweep=full runs all)";
  }
}
