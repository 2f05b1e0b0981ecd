package dev.sapwood.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The standard workloads, after leveldb's db_bench. */
public enum Workload {
  /** Puts keys 0..num-1 in ascending order. */
  FILLSEQ(true),
  /**
   * Loads keys 0..num-1 in ascending order through the engine's bulk loader, on one thread (Sapwood:
   * {@code Tree.bulkLoader} into the empty data tree, timed through its finish, which installs and
   * checkpoints); an engine without one puts.
   */
  FILLBULK(true),
  /** Puts every key 0..num-1 once, in a seeded random order. */
  FILLRANDOM(true),
  /** Puts num random keys (with replacement) with new values. */
  OVERWRITE(true),
  /** Gets reads random keys. */
  READRANDOM(false),
  /** Scans the whole keyspace forward. */
  READSEQ(false),
  /** Scans the whole keyspace backward. */
  READREVERSE(false),
  /** Seeks to reads random keys and reads N next entries after each. */
  SEEKRANDOM(false),
  /** Adds 1 to num random 64-bit counters (blind update, merge, or read-modify-write). */
  UPDATERANDOM(true),
  /**
   * Adds 1 to one counter (key 0) num times (blind updates, untimed), then gets that counter
   * reads times (timed): the cost of reading a key after many blind updates of it.
   */
  HOTKEY(false),
  /** Deletes num random keys (with replacement). */
  DELETERANDOM(true),
  /** threads readers get random keys while one more thread overwrites random keys. */
  READWHILEWRITING(true),
  /**
   * Loads num accounts (untimed), then num transactions: read two random accounts in a snapshot
   * transaction, move an amount from one to the other, commit; a conflict is counted and the
   * transfer run again. Skipped for engines without transactions.
   */
  TXNTRANSFER(true),
  /**
   * num transactions of 1 to 4 blind +1 updates of a few hot counters each; a conflict is counted
   * and the transaction run again. Skipped for engines without transactions.
   */
  TXNUPDATE(true),
  /** As readrandom, but each thread reads through one snapshot held for the whole workload. */
  READSNAPSHOT(false),
  /** As readrandom, but every read takes a snapshot of its own, reads through it and closes it. */
  READSNAPSHOTOP(false);

  private final boolean writes;

  Workload(boolean writes) {
    this.writes = writes;
  }

  /** Whether the workload writes (and so settles the engine and reports write amplification). */
  public boolean writes() {
    return writes;
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a comma-separated list such as "fillrandom,readrandom". */
  public static List<Workload> parseList(String csv) {
    List<Workload> out = new ArrayList<>();
    for (String s : csv.split(",")) {
      String t = s.trim();
      if (t.isEmpty()) {
        continue;
      }
      try {
        out.add(valueOf(t.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unknown benchmark '" + t + "'; known: " + allLabels());
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no benchmark given; known: " + allLabels());
    }
    return out;
  }

  public static String allLabels() {
    StringBuilder sb = new StringBuilder();
    for (Workload w : values()) {
      sb.append(sb.length() == 0 ? "" : ",").append(w.label());
    }
    return sb.toString();
  }
}
