package dev.sapwood.internal.fuzz;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.sapwood.CorruptionException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * A seeded mutation fuzzer for the decoders of on-disk structures. It takes valid encodings,
 * applies a few random mutations to one (bit flips, random or boundary bytes, big-endian fields
 * overwritten with boundary values — 0, -1, 2^30, 2^31-1, the input's length, ... — insertions,
 * deletions, duplications, truncation, extension), optionally reseals the checksums so the damage
 * reaches the checks behind them, and feeds the result to the decoder. The decoder must decode it
 * or throw {@link CorruptionException}; any other {@link Throwable}, a hang, or an allocation
 * above {@code 4 MiB + 256 × input length} on the decoding thread fails the run, naming the
 * decoder, the seed, the iteration and the input.
 *
 * <p>The seed is printed; set {@code -Dsapwood.fuzz.seed=N} to replay a run. A default run is a
 * few hundred milliseconds per decoder; {@code -Dsapwood.fuzz.iterations=N} sets the count of a
 * long ({@code stress}) run.
 */
public final class Fuzz {
  /** The decoder under test. */
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
  }

  private static final int[] INTS = {
    0, 1, -1, 2, 7, 8, 255, 256, 4095, 4096, 65535, 65536, 1 << 20, (1 << 30) - 1, 1 << 30,
    Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE - 8, 1_400_000_000,
  };

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

  private static long allocated(long thread) {
    try {
      return (long) ALLOCATED.invoke(ManagementFactory.getThreadMXBean(), thread);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private Fuzz() {}

  /** The iterations of a short run, or of a stress run from {@code -Dsapwood.fuzz.iterations}. */
  public static int iterations(boolean stress, int shortRun) {
    return stress ? Integer.getInteger("sapwood.fuzz.iterations", 500_000) : shortRun;
  }

  /** Runs {@code iterations} mutations of {@code seeds} through {@code target}; prints the seed. */
  public static void run(String name, List<byte[]> seeds, Target target, int iterations) {
    long seed = Long.getLong("sapwood.fuzz.seed", System.nanoTime());
    System.out.println("fuzz " + name + ": seed " + seed + ", " + iterations + " iterations"
        + " (replay with -Dsapwood.fuzz.seed=" + seed + ")");
    Duration limit = Duration.ofSeconds(Math.max(120, iterations / 500));
    long[] outcomes = new long[2];
    assertTimeoutPreemptively(limit, () -> loop(name, seeds, target, iterations, seed, outcomes),
        () -> "fuzz " + name + " seed " + seed + ": hang");
    System.out.println("fuzz " + name + ": " + outcomes[0] + " decoded, " + outcomes[1]
        + " corruption");
  }

  private static void loop(String name, List<byte[]> seeds, Target target, int iterations,
      long seed, long[] outcomes) {
    Random r = new Random(seed);
    long thread = Thread.currentThread().getId();
    for (int i = 0; i < iterations; i++) {
      byte[] input = mutate(seeds.get(r.nextInt(seeds.size())), r);
      input = target.reseal(input, r);
      long before = allocated(thread);
      try {
        target.decode(input);
        outcomes[0]++;
      } catch (CorruptionException e) {
        outcomes[1]++;
      } catch (Throwable t) {
        if (!target.allowed(t)) {
          throw new AssertionError(failure(name, seed, i, input, "threw " + t), t);
        }
      }
      long allocated = allocated(thread) - before;
      long bound = (4L << 20) + 256L * input.length;
      if (allocated > bound) {
        throw new AssertionError(failure(name, seed, i, input,
            "allocated " + allocated + " bytes, over the bound of " + bound));
      }
    }
  }

  private static String failure(String name, long seed, int i, byte[] input, String what) {
    String hex = HexFormat.of().formatHex(input, 0, Math.min(input.length, 256));
    return "fuzz " + name + " seed " + seed + " iteration " + i + ": " + what + "; input of "
        + input.length + " bytes begins " + hex;
  }

  /** One to four random mutations of a copy of {@code in}. */
  public static byte[] mutate(byte[] in, Random r) {
    byte[] b = in.clone();
    int n = 1 + r.nextInt(r.nextInt(8) == 0 ? 4 : 2);
    for (int k = 0; k < n; k++) {
      b = mutateOnce(b, r);
    }
    return b;
  }

  private static byte[] mutateOnce(byte[] b, Random r) {
    if (b.length == 0) {
      return new byte[] {(byte) r.nextInt()};
    }
    int at = r.nextInt(b.length);
    switch (r.nextInt(10)) {
      case 0 -> b[at] ^= (byte) (1 << r.nextInt(8));
      case 1 -> b[at] = (byte) r.nextInt();
      case 2 -> b[at] = (byte) new int[] {0, 0xff, 0x7f, 0x80, 1}[r.nextInt(5)];
      case 3, 4, 5 -> {
        int width = new int[] {2, 4, 4, 8}[r.nextInt(4)];
        long v = r.nextInt(4) == 0 ? b.length + r.nextInt(9) - 4 : INTS[r.nextInt(INTS.length)];
        if (r.nextBoolean()) {
          v = width == 8 ? v : (v & 0xffffffffL);
        }
        at = Math.max(0, Math.min(at, b.length - width));
        for (int j = 0; j < width && at + j < b.length; j++) {
          b[at + j] = (byte) (v >>> (8 * (width - 1 - j)));
        }
      }
      case 6 -> {
        int len = 1 + r.nextInt(Math.min(64, b.length - at));
        byte[] out = new byte[b.length - len];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(b, at + len, out, at, b.length - at - len);
        return out;
      }
      case 7 -> {
        int len = 1 + r.nextInt(16);
        byte[] out = new byte[b.length + len];
        System.arraycopy(b, 0, out, 0, at);
        for (int j = 0; j < len; j++) {
          out[at + j] = r.nextBoolean() ? 0 : (byte) r.nextInt();
        }
        System.arraycopy(b, at, out, at + len, b.length - at);
        return out;
      }
      case 8 -> {
        int len = 1 + r.nextInt(Math.min(32, b.length - at));
        byte[] out = new byte[b.length + len];
        System.arraycopy(b, 0, out, 0, at + len);
        System.arraycopy(b, at, out, at + len, b.length - at);
        return out;
      }
      default -> {
        return r.nextBoolean() ? java.util.Arrays.copyOf(b, at)
            : java.util.Arrays.copyOf(b, b.length + 1 + r.nextInt(64));
      }
    }
    return b;
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
