package dev.sapwood.internal.util;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * A seeded mutation fuzzer for decoders of bytes from disk. It takes valid encodings (the corpus),
 * mutates them — bit flips, random bytes, inserted, deleted, duplicated and overwritten runs,
 * 16/32/64-bit fields set to boundary values (0, -1, the extremes, the input's length, small
 * numbers), truncation, splices of two inputs — and feeds each mutant to the decoder, which must
 * either decode it or throw an exception the caller allows (a {@code CorruptionException});
 * anything else (another exception, an {@link Error} such as an OutOfMemoryError) fails with the
 * seed, the iteration and the input, so that a failure is reproduced by running again with
 * {@code -Dsapwood.fuzzSeed=<seed>}.
 *
 * <p>Iterations: the caller's default (seconds of work, for the default test run) unless {@code
 * -Dsapwood.fuzzIterations=N} says otherwise (the {@code stress} runs). Not thread-safe.
 */
public final class MutationFuzzer {
  /** Decodes one input; returns normally or throws. */
  public interface Target {
    void decode(byte[] input) throws Exception;
  }

  private static final long[] INTERESTING = {0, 1, -1, 2, 7, 8, 16, 255, 256, 0x7F, 0x80, 0xFF, 0xFFFF, 0x10000,
      Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE - 1, 1 << 24, 16 << 20, (16 << 20) + 1, 256 << 20,
      (256 << 20) + 1, Long.MAX_VALUE, Long.MIN_VALUE};

  private final Random random;
  private final long seed;

  public MutationFuzzer(long seed) {
    this.seed = seed;
    this.random = new Random(seed);
  }

  /** The seed from {@code -Dsapwood.fuzzSeed}, else a fresh one; printed either way. */
  public static long seed(String what) {
    String s = System.getProperty("sapwood.fuzzSeed");
    long seed = s != null ? Long.parseLong(s) : System.nanoTime();
    System.out.println(what + ": fuzz seed " + seed + " (-Dsapwood.fuzzSeed=" + seed + ")");
    return seed;
  }

  /** {@code -Dsapwood.fuzzIterations}, else {@code dflt}. */
  public static int iterations(int dflt) {
    return Integer.getInteger("sapwood.fuzzIterations", dflt);
  }

  /**
   * Runs {@code iterations} mutants of the corpus through {@code target}; a throwable that is
   * not an instance of one of {@code allowed} fails the run. Returns how many mutants were
   * refused (threw an allowed exception).
   */
  @SafeVarargs
  public final int run(List<byte[]> corpus, int iterations, Target target, Class<? extends Throwable>... allowed) {
    int refused = 0;
    for (int it = 0; it < iterations; it++) {
      byte[] input = mutants(corpus);
      try {
        target.decode(input);
      } catch (Throwable t) {
        if (!isAllowed(t, allowed)) {
          throw new AssertionError("fuzz seed " + seed + ", iteration " + it + ": " + t + " on input "
              + shortHex(input), t);
        }
        refused++;
      }
    }
    return refused;
  }

  private static boolean isAllowed(Throwable t, Class<? extends Throwable>[] allowed) {
    for (Class<? extends Throwable> c : allowed) {
      if (c.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static String shortHex(byte[] b) {
    String h = HexFormat.of().formatHex(b, 0, Math.min(b.length, 512));
    return b.length + " bytes: " + h + (b.length > 512 ? "..." : "");
  }

  /** One to four mutations of a corpus entry. */
  public byte[] mutants(List<byte[]> corpus) {
    byte[] b = corpus.get(random.nextInt(corpus.size()));
    int n = 1 + (random.nextInt(4) == 0 ? random.nextInt(4) : 0);
    for (int i = 0; i < n; i++) {
      b = mutate(b, corpus);
    }
    return b;
  }

  /** One mutation; never changes {@code in}. */
  public byte[] mutate(byte[] in, List<byte[]> corpus) {
    Random r = random;
    byte[] b = in.clone();
    int len = b.length;
    switch (r.nextInt(10)) {
      case 0 -> { // flip a bit
        if (len > 0) {
          b[r.nextInt(len)] ^= (byte) (1 << r.nextInt(8));
        }
      }
      case 1 -> { // random bytes
        for (int k = 1 + r.nextInt(4); k > 0 && len > 0; k--) {
          b[r.nextInt(len)] = (byte) r.nextInt(256);
        }
      }
      case 2 -> { // insert a run
        int at = r.nextInt(len + 1);
        byte[] run = new byte[1 + r.nextInt(r.nextBoolean() ? 8 : 64)];
        r.nextBytes(run);
        b = splice(b, at, at, run);
      }
      case 3 -> { // delete a run
        if (len > 0) {
          int at = r.nextInt(len);
          b = splice(b, at, Math.min(len, at + 1 + r.nextInt(Math.min(len - at, 64))), new byte[0]);
        }
      }
      case 4 -> { // duplicate a run
        if (len > 0) {
          int from = r.nextInt(len);
          int to = Math.min(len, from + 1 + r.nextInt(64));
          int at = r.nextInt(len + 1);
          b = splice(b, at, at, Arrays.copyOfRange(b, from, to));
        }
      }
      case 5, 6 -> { // a field set to a boundary value (lengths, counts, ids, LSNs)
        int width = new int[] {1, 2, 4, 8}[r.nextInt(4)];
        if (len >= width) {
          int at = r.nextInt(len - width + 1);
          long v = r.nextInt(3) == 0 ? len + r.nextInt(5) - 2 : INTERESTING[r.nextInt(INTERESTING.length)];
          if (r.nextBoolean()) {
            v += r.nextInt(3) - 1;
          }
          for (int k = width - 1; k >= 0; k--) {
            b[at + k] = (byte) v;
            v >>= 8;
          }
        }
      }
      case 7 -> { // truncate
        b = Arrays.copyOf(b, len == 0 ? 0 : r.nextInt(len));
      }
      case 8 -> { // overwrite a run with zeros or 0xFF
        if (len > 0) {
          int at = r.nextInt(len);
          Arrays.fill(b, at, Math.min(len, at + 1 + r.nextInt(32)), r.nextBoolean() ? 0 : (byte) 0xFF);
        }
      }
      default -> { // splice with another input
        byte[] o = corpus.get(r.nextInt(corpus.size()));
        int cut = r.nextInt(len + 1);
        int from = r.nextInt(o.length + 1);
        b = splice(Arrays.copyOf(b, cut), cut, cut, Arrays.copyOfRange(o, from, o.length));
      }
    }
    return b;
  }

  private static byte[] splice(byte[] b, int from, int to, byte[] insert) {
    byte[] out = new byte[b.length - (to - from) + insert.length];
    System.arraycopy(b, 0, out, 0, from);
    System.arraycopy(insert, 0, out, from, insert.length);
    System.arraycopy(b, to, out, from + insert.length, b.length - to);
    return out;
  }
}
