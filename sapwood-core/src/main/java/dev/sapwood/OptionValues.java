package dev.sapwood;

import java.time.Duration;
import java.util.Map;

/**
 * Every setting of an {@link Options}, and which shape fields were set explicitly ({@link
 * #explicit}, with two flags of the open), in one mutable holder that a setter copies, changes and
 * hands to a new {@code Options}; once an {@code Options} holds it, nothing changes it again (so
 * its final field publishes it safely, and {@code Options} stays immutable). The initial values
 * are {@link Options#defaults()}. Not thread-safe on its own; never leaves this package.
 */
final class OptionValues implements Cloneable {
  /** Bits of {@link #explicit}: which shape fields a setter gave, */
  static final int NODE_SIZE = 1;
  static final int BASEMENT_SIZE = 2;
  static final int FANOUT = 4;
  static final int COMPRESSION = 8;
  /** and two flags of the open (not shape: never recorded): {@link Options#readOnly(boolean)}, */
  static final int READ_ONLY = 16;
  /** and {@link Options#createIfMissing(boolean)} false (so the defaults have the bit clear). */
  static final int MUST_EXIST = 32;

  long cacheSize = 128L << 20;
  int nodeSize = 1 << 20;
  int basementSize = 32 << 10;
  int fanout = 16;
  Compression compression = Compression.LZ4;
  Map<String, UpdateFunction> functions = Map.of();
  Durability durability = Durability.ASYNC;
  Duration syncInterval = Duration.ofSeconds(1);
  Duration checkpointInterval = Duration.ofSeconds(60);
  int explicit;
  int transactionRetries = 10;
  Duration transactionBackoff = Duration.ofMillis(1);
  long maxTransactionBytes = 64L << 20;
  double leafDeltaRatio = 1.0;
  double offHeapShare;
  boolean logCompression = true;
  boolean drainWhenQuiet = true;

  OptionValues copy() {
    try {
      return (OptionValues) clone();
    } catch (CloneNotSupportedException e) {
      throw new AssertionError(e);
    }
  }
}
