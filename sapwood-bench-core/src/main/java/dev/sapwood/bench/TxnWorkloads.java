package dev.sapwood.bench;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The workloads that need more than single operations: txntransfer and txnupdate (transactions,
 * {@link BenchTxn}) and readsnapshot, readsnapshotop (snapshots, {@link BenchSnapshot}). Each
 * returns null when the engine lacks what it needs, and the run skips it.
 *
 * <p>Keys in the counter keyspace: the accounts of txntransfer are key numbers {@code [num, 2num)}
 * and the hot counters of txnupdate {@code [2num, 2num + HOT_COUNTERS)}, so neither meets
 * updaterandom's counters {@code [0, num)}. Every transaction takes its keys in ascending order,
 * so that a locking engine does not deadlock on this workload's own order.
 *
 * <p>Bookkeeping, checked after every run (not only with verify on): txntransfer keeps the total
 * balance; txnupdate's counters grow by exactly the updates committed.
 */
final class TxnWorkloads {
  /** Every account's balance before txntransfer. */
  static final long INITIAL_BALANCE = 1_000_000;
  /** The counters txnupdate's transactions update: few, so they are hot. */
  static final int HOT_COUNTERS = 16;
  /** Attempts of one transaction before it is given up (and counted so). */
  static final int MAX_ATTEMPTS = 1000;
  private static final int LOAD_BATCH = 1000;

  private final BenchRunner runner;
  private final BenchConfig cfg;
  private final KeySpace keys;

  TxnWorkloads(BenchRunner runner, BenchConfig cfg, KeySpace keys) {
    this.runner = runner;
    this.cfg = cfg;
    this.keys = keys;
  }

  /** The key of account {@code a} in {@code [0, num)}. */
  byte[] account(long a) {
    return keys.key(cfg.num() + a);
  }

  /** The key of hot counter {@code c} in {@code [0, HOT_COUNTERS)}. */
  byte[] hotCounter(int c) {
    return keys.key(2 * cfg.num() + c);
  }

  BenchRunner.Timed transfer(BenchEngine e, Workload w, int idx) {
    if (e.txnMethod() == null) {
      return null;
    }
    long n = cfg.num();
    if (n < 2) {
      throw new IllegalArgumentException("txntransfer needs --num of at least 2 accounts");
    }
    for (long a = 0; a < n; a += LOAD_BATCH) {
      long from = a;
      retry(e, tx -> {
        for (long x = from; x < Math.min(n, from + LOAD_BATCH); x++) {
          tx.putLong(account(x), INITIAL_BALANCE);
        }
      });
    }
    LongAdder conflicts = new LongAdder();
    LongAdder givenUp = new LongAdder();
    int kv = cfg.keySize() + 8;
    BenchRunner.Timed t = runner.fixed(w, idx, n, (th, rnd) -> i -> {
      long a = rnd.nextLong(n);
      long b = rnd.nextLong(n - 1);
      b = b >= a ? b + 1 : b;
      long amount = 1 + rnd.nextInt(100);
      byte[] lo = account(Math.min(a, b));
      byte[] hi = account(Math.max(a, b));
      long toHi = a < b ? amount : -amount; // from a to b
      for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        try (BenchTxn tx = e.begin()) {
          long x = tx.getLong(lo);
          long y = tx.getLong(hi);
          tx.putLong(lo, x - toHi);
          tx.putLong(hi, y + toHi);
          tx.commit();
          return 4L * kv;
        } catch (BenchConflict c) {
          conflicts.increment();
        }
      }
      givenUp.increment();
      return 0;
    });
    long total = 0;
    for (long a = 0; a < n; a++) {
      total += e.counter(account(a));
    }
    if (total != n * INITIAL_BALANCE) {
      throw new IllegalStateException("txntransfer: the total balance is " + total + ", not "
          + n * INITIAL_BALANCE);
    }
    long committed = t.ops() - givenUp.sum();
    return new BenchRunner.Timed(t.ops(), t.nanos(), t.userBytes(), committed * 2 * kv, t.hist(),
        String.format(java.util.Locale.ROOT, "%,d accounts; %,d transfers committed, %,d conflicts"
            + " (each retried), %,d given up after %d attempts; total balance kept; %s", n,
            committed, conflicts.sum(), givenUp.sum(), MAX_ATTEMPTS, e.txnMethod()), t.timeline());
  }

  BenchRunner.Timed update(BenchEngine e, Workload w, int idx) {
    if (e.txnMethod() == null) {
      return null;
    }
    byte[][] hot = new byte[HOT_COUNTERS][];
    long before = 0;
    for (int c = 0; c < HOT_COUNTERS; c++) {
      hot[c] = hotCounter(c);
      before += e.counter(hot[c]);
    }
    LongAdder conflicts = new LongAdder();
    LongAdder givenUp = new LongAdder();
    LongAdder updates = new LongAdder();
    int kv = cfg.keySize() + 8;
    BenchRunner.Timed t = runner.fixed(w, idx, cfg.num(), (th, rnd) -> new BenchRunner.Op() {
      private final int[] picks = new int[4];

      @Override
      public long run(long i) {
        int m = 1 + rnd.nextInt(4);
        for (int j = 0; j < m; j++) {
          picks[j] = rnd.nextInt(HOT_COUNTERS);
        }
        Arrays.sort(picks, 0, m);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
          try (BenchTxn tx = e.begin()) {
            for (int j = 0; j < m; j++) {
              tx.add(hot[picks[j]], 1);
            }
            tx.commit();
            updates.add(m);
            return (long) m * kv;
          } catch (BenchConflict c) {
            conflicts.increment();
          }
        }
        givenUp.increment();
        return 0;
      }
    });
    long after = 0;
    for (int c = 0; c < HOT_COUNTERS; c++) {
      after += e.counter(hot[c]);
    }
    if (after - before != updates.sum()) {
      throw new IllegalStateException("txnupdate: the counters grew by " + (after - before)
          + ", but " + updates.sum() + " updates committed");
    }
    return new BenchRunner.Timed(t.ops(), t.nanos(), t.userBytes(), t.userBytes(), t.hist(),
        String.format(java.util.Locale.ROOT, "%d hot counters, 1-4 updates a transaction; %,d"
            + " updates in %,d transactions committed, %,d conflicts (each retried), %,d given up;"
            + " counters add up; %s", HOT_COUNTERS, updates.sum(), t.ops() - givenUp.sum(),
            conflicts.sum(), givenUp.sum(), e.txnMethod()), t.timeline());
  }

  BenchRunner.Timed readSnapshot(BenchEngine e, Workload w, int idx, BenchRunner.State st) {
    BenchSnapshot probe = e.snapshot();
    if (probe == null) {
      return null;
    }
    probe.close();
    long n = cfg.num();
    AtomicLong found = new AtomicLong();
    boolean held = w == Workload.READSNAPSHOT;
    BenchRunner.Timed t = runner.fixed(w, idx, cfg.readOps(), (th, rnd) -> new BenchRunner.Op() {
      private final BenchSnapshot s = held ? e.snapshot() : null;

      @Override
      public long run(long i) {
        long k = rnd.nextLong(n);
        if (held) {
          return runner.readBytes(k, s.get(keys.key(k)), st, found);
        }
        try (BenchSnapshot own = e.snapshot()) {
          return runner.readBytes(k, own.get(keys.key(k)), st, found);
        }
      }

      @Override
      public void close() {
        if (s != null) {
          s.close();
        }
      }
    });
    return new BenchRunner.Timed(t.ops(), t.nanos(), t.userBytes(), 0, t.hist(),
        "found " + found.get() + " of " + t.ops() + (held ? "; one snapshot per thread, held"
            : "; a snapshot per read"), t.timeline());
  }

  /** Runs {@code body} in a transaction until it commits (loading, untimed). */
  private static void retry(BenchEngine e, java.util.function.Consumer<BenchTxn> body) {
    for (int attempt = 0; ; attempt++) {
      try (BenchTxn tx = e.begin()) {
        body.accept(tx);
        tx.commit();
        return;
      } catch (BenchConflict c) {
        if (attempt >= MAX_ATTEMPTS) {
          throw new IllegalStateException("loading accounts: " + c.getMessage());
        }
      }
    }
  }
}
