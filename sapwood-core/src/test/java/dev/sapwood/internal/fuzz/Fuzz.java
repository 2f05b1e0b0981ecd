package dev.sapwood.internal.fuzz;

import dev.sapwood.CorruptionException;
import java.lang.management.ManagementFactory;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The seeded mutation fuzzer for every decoder of bytes from disk (block file, catalog, node, log
 * record, log segment, whole log replay). It takes valid encodings (the corpus), applies one to
 * four random mutations to one of them ({@link Mutator}), optionally reseals its checksums
 * ({@link Target#reseal}) so the damage reaches the checks behind them, and feeds the result to
 * the decoder. The decoder must decode it or throw {@link CorruptionException}; any other {@link
 * Throwable} (an assertion of the target's own included), one input running longer than {@link
 * #HANG_SECONDS}, or an allocation on the decoding thread above {@link Target#allocationBound}
 * fails the run, naming the decoder, the seed, the iteration and the input.
 *
 * <p>The seed is printed; {@code -Dsapwood.fuzz.seed=N} replays a run. Each test passes its
 * iteration count through {@link #iterations}: a short default (seconds of work), or for the
 * {@code stress} runs a long one; {@code -Dsapwood.fuzz.iterations=N} overrides either. Not
 * thread-safe: one run at a time per target.
 */
public final class Fuzz {
  /** The decoder under test. A lambda supplies {@link #decode} alone. */
  @FunctionalInterface
  public interface Target {
    /** Decodes {@code input} completely (every part a reader could reach). */
    void decode(byte[] input) throws Exception;

    /** Fixes the checksums of a mutated input so the damage reaches the checks behind them. */
    default byte[] reseal(byte[] input, Random r) {
      return input;
    }

    /** Whether {@code t}, other than a CorruptionException, is part of the decoder's contract. */
    default boolean allowed(Throwable t) {
      return false;
    }

    /** The most the decoding thread may allocate for one input of {@code length} bytes. */
    default long allocationBound(int length) {
      return (4L << 20) + 256L * length;
    }
  }

  /** How many decoded and how many refused as corruption (or an allowed exception). */
  public record Outcome(long decoded, long refused) {}

  /** One input decoding longer than this is a hang (generous: the machine may be loaded). */
  public static final int HANG_SECONDS = 60;

  /** {@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes(long)}, found reflectively
   *  (the test sources compile inside the module, which does not read jdk.management). */
  private static final java.lang.reflect.Method ALLOCATED;

  static {
    try {
      ALLOCATED = Class.forName("com.sun.management.ThreadMXBean").getMethod("getThreadAllocatedBytes", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private Fuzz() {}

  /** {@code -Dsapwood.fuzz.iterations}, else {@code dflt} (short in the default run, long under stress). */
  public static int iterations(int dflt) {
    return Integer.getInteger("sapwood.fuzz.iterations", dflt);
  }

  /** {@code -Dsapwood.fuzz.seed}, else a fresh seed. */
  static long seed() {
    return Long.getLong("sapwood.fuzz.seed", System.nanoTime());
  }

  /**
   * Runs {@code iterations} mutations of {@code corpus} through {@code target} on a worker thread
   * watched for hangs; prints the seed and the outcome.
   */
  public static Outcome run(String name, List<byte[]> corpus, Target target, int iterations) {
    long seed = seed();
    System.out.println("fuzz " + name + ": seed " + seed + ", " + iterations + " iterations"
        + " (replay with -Dsapwood.fuzz.seed=" + seed + ")");
    Loop loop = new Loop(name, corpus, target, iterations, seed);
    Thread worker = new Thread(loop, "fuzz " + name);
    worker.setDaemon(true);
    worker.start();
    try {
      while (worker.isAlive()) {
        worker.join(1000);
        long since = loop.inputStarted;
        if (worker.isAlive() && since != 0 && System.nanoTime() - since > HANG_SECONDS * 1_000_000_000L) {
          byte[] input = loop.input;
          worker.interrupt();
          throw new AssertionError(failure(name, seed, loop.iteration, input,
              "still decoding after " + HANG_SECONDS + " s (a hang)"));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("fuzz " + name + " seed " + seed + ": interrupted", e);
    }
    Throwable failed = loop.failure.get();
    if (failed instanceof Error e) {
      throw e;
    }
    if (failed != null) {
      throw new AssertionError(failed);
    }
    System.out.println("fuzz " + name + ": " + loop.decoded + " decoded, " + loop.refused + " refused");
    return new Outcome(loop.decoded, loop.refused);
  }

  /** The mutate-reseal-decode loop; its progress is read by the watching thread. */
  private static final class Loop implements Runnable {
    private final String name;
    private final List<byte[]> corpus;
    private final Target target;
    private final int iterations;
    private final long seed;
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    volatile long inputStarted;
    volatile int iteration;
    volatile byte[] input;
    long decoded;
    long refused;

    Loop(String name, List<byte[]> corpus, Target target, int iterations, long seed) {
      this.name = name;
      this.corpus = corpus;
      this.target = target;
      this.iterations = iterations;
      this.seed = seed;
    }

    @Override
    public void run() {
      try {
        loop();
      } catch (Throwable t) {
        failure.set(t);
      }
    }

    private void loop() {
      Mutator mutator = new Mutator(new Random(seed), corpus);
      long thread = Thread.currentThread().getId();
      for (int i = 0; i < iterations; i++) {
        byte[] in = target.reseal(mutator.next(), mutator.random());
        iteration = i;
        input = in;
        inputStarted = System.nanoTime();
        long before = allocated(thread);
        try {
          target.decode(in);
          decoded++;
        } catch (CorruptionException e) {
          refused++;
        } catch (Throwable t) {
          if (!target.allowed(t)) {
            throw new AssertionError(failure(name, seed, i, in, "threw " + t), t);
          }
          refused++;
        }
        long allocated = allocated(thread) - before;
        long bound = target.allocationBound(in.length);
        if (allocated > bound) {
          throw new AssertionError(failure(name, seed, i, in,
              "allocated " + allocated + " bytes, over the bound of " + bound));
        }
      }
    }
  }

  private static long allocated(long thread) {
    try {
      return (long) ALLOCATED.invoke(ManagementFactory.getThreadMXBean(), thread);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String failure(String name, long seed, int i, byte[] input, String what) {
    String hex = HexFormat.of().formatHex(input, 0, Math.min(input.length, 512));
    return "fuzz " + name + " seed " + seed + " iteration " + i + ": " + what + "; input of "
        + input.length + " bytes: " + hex + (input.length > 512 ? "..." : "")
        + " (replay with -Dsapwood.fuzz.seed=" + seed + ")";
  }

  /** Writes the CRC32C of {@code b[from, to)} at {@code to}, if it fits. */
  public static void sealAt(byte[] b, int from, int to) {
    if (from < 0 || to < from || (long) to + 4 > b.length) {
      return;
    }
    java.util.zip.CRC32C c = new java.util.zip.CRC32C();
    c.update(b, from, to - from);
    java.nio.ByteBuffer.wrap(b).putInt(to, (int) c.getValue());
  }
}
