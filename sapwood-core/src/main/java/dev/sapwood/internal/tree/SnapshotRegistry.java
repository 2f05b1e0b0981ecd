package dev.sapwood.internal.tree;

import dev.sapwood.internal.stats.Counters;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The live snapshots of one database, each a visible MSN {@code s}: a snapshot sees every message
 * with an MSN at or below {@code s} and none above. Flushes into leaves ask it which old values
 * must be kept ({@link #live()}), and closing a snapshot collects the versions no live snapshot
 * needs any more ({@link Versions#collect}).
 *
 * <p>Invariants: opening a snapshot (reading the visible MSN and registering it) and a flush's
 * reading of the live set ({@link #live()}) are serialized by this object's monitor. A flush reads
 * the live set while it holds the messages it is about to apply, all of which are visible by then;
 * so a snapshot opened after that read has {@code s} at or above every one of them and needs none
 * of the values they replace, and a snapshot opened before it is in the set the flush sees.
 * Costs nothing while no snapshot is open: {@link #live()} is then one volatile read.
 *
 * <p>Thread-safe.
 */
public final class SnapshotRegistry {
  private static final long[] NONE = new long[0];

  /** Open snapshots: MSN to how many are open at it. Guarded by {@code this}. */
  private final TreeMap<Long, int[]> open = new TreeMap<>();
  /** Open snapshots: MSN to the nanoTime the first of them opened. Guarded by {@code this}. */
  private final TreeMap<Long, Long> openedAt = new TreeMap<>();
  private final CopyOnWriteArrayList<Versions> stores = new CopyOnWriteArrayList<>();
  /** The open snapshots' MSNs, ascending, one per distinct MSN; empty when none is open. */
  private volatile long[] live = NONE;
  private volatile int count;
  /** Versions kept a close may leave uncollected while snapshots stay open (see {@link #close}). */
  private volatile long collectAbove = COLLECT_SLACK;
  /**
   * The MSN every snapshot opened from now on is at or above ({@link #visibleFrom}); the tree's
   * own last MSN until the engine says otherwise (right for log replay and for trees used alone,
   * where a message is visible once inserted).
   */
  private volatile LongSupplier visible;
  static final long COLLECT_SLACK = 4096;
  final LongAdder retained;
  final LongAdder collected;
  final LongAdder recorded;

  SnapshotRegistry(Counters counters, LongSupplier lastMsn) {
    this.visible = lastMsn;
    this.retained = counters.counter("versions.retained");
    this.collected = counters.counter("versions.collected");
    this.recorded = counters.counter("versions.recorded");
  }

  /**
   * Says where the visible MSN comes from (the engine's: what {@link #open} is given), for {@link
   * #mayCombine}. Set once, before any writer runs.
   */
  public void visibleFrom(LongSupplier v) {
    this.visible = v;
  }

  /**
   * Whether two messages of one key with MSNs {@code older < newer} may be folded into one with
   * MSN {@code newer} ({@link Combiner}): no open snapshot lies in {@code [older, newer)} — it would
   * see the first and not the second — and none can open there any more, because {@code newer} is
   * visible (every snapshot opens at the visible MSN or above). Read under this registry's monitor,
   * so a snapshot opening meanwhile is either in the live set read here or opens above {@code
   * newer}.
   */
  boolean mayCombine(long older, long newer) {
    LongSupplier v = visible;
    if (newer > v.getAsLong()) {
      return false; // cheap refusal without the monitor: the newer message is not visible yet
    }
    synchronized (this) {
      return newer <= v.getAsLong() && !anyIn(live, older, newer);
    }
  }

  /**
   * Registers a snapshot at the MSN {@code visible} gives (read under this registry's monitor,
   * see the class invariants) and returns that MSN. Never waits for writers.
   */
  public long open(LongSupplier visible) {
    synchronized (this) {
      long s = visible.getAsLong();
      int[] n = open.computeIfAbsent(s, k -> new int[1]);
      if (n[0]++ == 0) {
        openedAt.put(s, System.nanoTime());
        publish();
      }
      count++;
      return s;
    }
  }

  /**
   * Unregisters one snapshot at {@code s}, then collects the versions nobody needs any more: all
   * of them when it was the last open snapshot; otherwise only once the versions kept have doubled
   * since the last collection (at least {@link #COLLECT_SLACK} more), so that the many short
   * snapshots of transactions do not each scan every version kept. Flushes also drop the versions
   * of the keys they touch that no live snapshot needs.
   */
  public void close(long s) {
    long oldest;
    synchronized (this) {
      int[] n = open.get(s);
      if (n == null) {
        throw new IllegalStateException("no open snapshot at MSN " + s);
      }
      count--;
      if (--n[0] > 0) {
        return;
      }
      open.remove(s);
      openedAt.remove(s);
      publish();
      oldest = open.isEmpty() ? Long.MAX_VALUE : open.firstKey();
    }
    long kept = retained.sum();
    if (oldest != Long.MAX_VALUE && kept <= collectAbove) {
      return;
    }
    for (Versions v : stores) {
      v.collect(oldest);
    }
    collectAbove = 2 * retained.sum() + COLLECT_SLACK;
  }

  private void publish() {
    long[] a = new long[open.size()];
    int i = 0;
    for (Map.Entry<Long, int[]> e : open.entrySet()) {
      a[i++] = e.getKey();
    }
    live = a.length == 0 ? NONE : a;
  }

  /**
   * The open snapshots' MSNs, ascending (empty if none), read under the monitor so that it is
   * ordered with {@link #open}; a flush calls it once, holding the messages it will apply. The
   * array is shared: callers must not change it.
   */
  public synchronized long[] live() {
    return live;
  }

  /** The oldest open snapshot's MSN, or {@code Long.MAX_VALUE} when none is open. */
  public long oldest() {
    long[] a = live;
    return a.length == 0 ? Long.MAX_VALUE : a[0];
  }

  /** How many snapshots are open. */
  public int openCount() {
    return count;
  }

  /** Milliseconds since the oldest open snapshot was taken; 0 when none is open. */
  public synchronized long oldestAgeMillis() {
    return openedAt.isEmpty() ? 0 : (System.nanoTime() - openedAt.firstEntry().getValue()) / 1_000_000;
  }

  /** Old versions kept right now, over every tree. */
  public long retainedVersions() {
    return retained.sum();
  }

  void register(Versions v) {
    stores.add(v);
  }

  void unregister(Versions v) {
    stores.remove(v);
    v.clear();
  }

  /** Whether some MSN of sorted {@code live} lies in [lo, hi). */
  static boolean anyIn(long[] live, long lo, long hi) {
    int a = 0;
    int b = live.length - 1;
    while (a <= b) { // first index with live[i] >= lo
      int mid = (a + b) >>> 1;
      if (live[mid] < lo) {
        a = mid + 1;
      } else {
        b = mid - 1;
      }
    }
    return a < live.length && live[a] < hi;
  }
}
