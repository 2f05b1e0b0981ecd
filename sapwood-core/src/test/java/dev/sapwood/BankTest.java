package dev.sapwood;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bank: transfers between accounts in SNAPSHOT transactions (retried on conflict) from many
 * threads, while auditors sum every account in snapshots (by cursor and by gets) and in
 * SERIALIZABLE read-only transactions. The total never changes, and the final balances are the
 * initial ones plus every committed transfer. Tiny nodes and a small cache make flushes, splits
 * and evictions happen under the auditors' snapshots.
 */
class BankTest {
  private static final int ACCOUNTS = 60;
  private static final long INITIAL = 1_000;

  private record Transfer(int from, int to, long amount) {}

  static byte[] account(int i) {
    return String.format("acct%04d", i).getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void theTotalNeverChangesAndFinalBalancesMatchTheCommittedTransfers(@TempDir Path dir) throws Exception {
    long seed = System.nanoTime();
    Options opts = RandomizedModelTest.shape(256 << 10, Compression.NONE).transactionRetries(1000);
    try (Database db = Database.open(dir, opts)) {
      Tree accounts = db.tree("accounts");
      Tree padding = db.tree("padding");
      for (int i = 0; i < ACCOUNTS; i++) {
        accounts.put(account(i), UpdateFunctions.fromLong(INITIAL));
      }
      ConcurrentLinkedQueue<Transfer> committed = new ConcurrentLinkedQueue<>();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong audits = new AtomicLong();
      ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
      List<Thread> writers = new ArrayList<>();
      for (int w = 0; w < 3; w++) {
        Random rnd = new Random(seed + w);
        writers.add(new Thread(() -> {
          try {
            for (int n = 0; n < 400; n++) {
              int from = rnd.nextInt(ACCOUNTS);
              int to = (from + 1 + rnd.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
              long amount = 1 + rnd.nextInt(50);
              Transfer done = db.transact(tx -> {
                long a = UpdateFunctions.toLong(tx.get(accounts, account(from)));
                long b = UpdateFunctions.toLong(tx.get(accounts, account(to)));
                if (a < amount) {
                  return null;
                }
                tx.put(accounts, account(from), UpdateFunctions.fromLong(a - amount));
                tx.put(accounts, account(to), UpdateFunctions.fromLong(b + amount));
                return new Transfer(from, to, amount);
              });
              if (done != null) {
                committed.add(done);
              }
              // Unrelated writes keep the flusher busy under the auditors' snapshots.
              byte[] pad = new byte[200];
              rnd.nextBytes(pad);
              padding.put(account(rnd.nextInt(5000)), pad);
            }
          } catch (Throwable t) {
            errors.add(t);
          }
        }));
      }
      List<Thread> auditors = new ArrayList<>();
      for (int a = 0; a < 2; a++) {
        int kind = a;
        auditors.add(new Thread(() -> {
          try {
            while (!stop.get()) {
              long total;
              if (kind == 0) {
                try (Snapshot s = db.snapshot()) {
                  total = sumByCursor(s.cursor(accounts));
                  long byGets = 0;
                  for (int i = 0; i < ACCOUNTS; i++) {
                    byGets += UpdateFunctions.toLong(s.get(accounts, account(i)));
                  }
                  assertEquals(total, byGets, "a snapshot's gets and cursor agree");
                }
              } else {
                total = db.transact(Isolation.SERIALIZABLE, tx -> sumByCursor(tx.cursor(accounts)));
              }
              assertEquals(ACCOUNTS * INITIAL, total, "the bank's total");
              audits.incrementAndGet();
            }
          } catch (Throwable t) {
            errors.add(t);
          }
        }));
      }
      auditors.forEach(Thread::start);
      writers.forEach(Thread::start);
      for (Thread t : writers) {
        t.join();
      }
      stop.set(true);
      for (Thread t : auditors) {
        t.join();
      }
      assertTrue(errors.isEmpty(), () -> "seed " + seed + ": " + errors.peek());
      long[] expected = new long[ACCOUNTS];
      java.util.Arrays.fill(expected, INITIAL);
      for (Transfer t : committed) {
        expected[t.from] -= t.amount;
        expected[t.to] += t.amount;
      }
      for (int i = 0; i < ACCOUNTS; i++) {
        assertEquals(expected[i], UpdateFunctions.toLong(accounts.get(account(i))), "seed " + seed + ": account " + i);
      }
      assertTrue(audits.get() > 0, "auditors ran");
      assertEquals(0, db.stats().get("snapshots.open"));
      assertEquals(0, db.stats().get("versions.retained"));
    }
  }

  static long sumByCursor(Cursor c) {
    long total = 0;
    try (c) {
      for (boolean ok = c.first(); ok; ok = c.next()) {
        total += UpdateFunctions.toLong(c.value());
      }
    }
    return total;
  }
}
