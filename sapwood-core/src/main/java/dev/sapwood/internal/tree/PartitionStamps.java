package dev.sapwood.internal.tree;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Tells, for a node about to be written, which of its partitions are unchanged since the node's
 * last image on disk (its last write, or the read it was loaded by): the measure of what a
 * partition-level copy-on-write would not rewrite ({@code node_write.*} counters).
 *
 * <p>How: every node image gets a fresh stamp; the node and every partition it holds carry it
 * ({@link Node#diskStamp}, {@link Basement#diskStamp}, {@link MessageArena#diskStamp}). A basement
 * is immutable, and a buffer sets its stamp back to 0 on every change of its records, so a
 * partition whose stamp equals its node's is, byte for byte, one the node's last image holds.
 * Exact (stamps are never reused, so a partition moved from another node never matches) and
 * cheap: one long compare per partition per node write, no allocation per message.
 *
 * <p>The same stamps tell which buffers of a node decoded from a parked image are parked again
 * unchanged ({@code cache.parked_partitions_unchanged}): the decoding gives the node's buffers a
 * fresh stamp, kept in {@link Node#parkStamp}, not in {@link Node#diskStamp} (the file does not
 * hold a parked image, and the {@code node_write.*} counters are about the file's images).
 *
 * <p>Invariants: a stamp is never 0 and never issued twice by one store; stamps are set only under
 * the node's write latch, or under its {@code fetchLock} for a partition fetched into a clean node.
 */
final class PartitionStamps {
  private final AtomicLong last = new AtomicLong();

  /** A stamp no image had before. */
  long next() {
    return last.incrementAndGet();
  }

  /** Whether partition {@code i} of {@code node} (in memory) is held unchanged by the node's last image. */
  static boolean unchanged(Node node, int i) {
    long s = node.diskStamp;
    if (s == 0) {
      return false;
    }
    return node.height == 0 ? node.basements[i].diskStamp == s : node.buffers[i].diskStamp == s;
  }

  /** Gives the buffers of {@code node}, just decoded from its parked image, the fresh stamp {@code s}. */
  static void stampUnparked(Node node, long s) {
    node.parkStamp = s;
    for (int i = 0; i < node.n; i++) {
      node.buffers[i].diskStamp = s;
    }
  }

  /** How many buffers of internal {@code node} are, byte for byte, those of the parked image it was decoded from. */
  static int unchangedSinceUnpark(Node node) {
    long s = node.parkStamp;
    if (s == 0) {
      return 0;
    }
    int unchanged = 0;
    for (int i = 0; i < node.n; i++) {
      if (node.buffers[i] != null && node.buffers[i].diskStamp == s) {
        unchanged++;
      }
    }
    return unchanged;
  }

  /** Gives {@code node} and every partition it holds in memory the stamp {@code s} of a new image. */
  static void stampAll(Node node, long s) {
    node.diskStamp = s;
    int n = node.n;
    // The kind's branch outside the loop: inside it (stampPartition's), C2 hoisted the range check of
    // the arm this node does not take before the loop, which fails on it (see Node#loaded).
    if (node.height == 0) {
      Basement[] basements = node.basements;
      for (int i = 0; i < n; i++) {
        stampBasement(basements[i], s);
      }
    } else {
      MessageBuffer[] buffers = node.buffers;
      for (int i = 0; i < n; i++) {
        if (buffers[i] != null) {
          buffers[i].diskStamp = s;
        }
      }
    }
  }

  /** Gives partition {@code i} (just read from the node's image, or written in it) the node's stamp. */
  static void stampPartition(Node node, int i) {
    if (node.height == 0) {
      stampBasement(node.basements[i], node.diskStamp);
    } else if (node.buffers[i] != null) {
      node.buffers[i].diskStamp = node.diskStamp;
    }
  }

  private static void stampBasement(Basement b, long s) {
    if (b != null && b != Basement.empty()) { // the shared empty basement is never stamped
      b.diskStamp = s;
    }
  }
}
