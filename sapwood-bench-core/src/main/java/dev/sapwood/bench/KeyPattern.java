package dev.sapwood.bench;

import java.util.SplittableRandom;

/**
 * The order in which {@link WriteAmpProfile} draws key numbers from a space of {@code 4 × count}:
 * where a workload's writes land decides how much of a node a flush touches.
 *
 * <ul>
 *   <li>{@code uniform}: every key number equally likely (the default);
 *   <li>{@code hot:F:P}: a fraction P of the writes in the lowest fraction F of the space (one hot
 *       key range), the rest uniform over the whole space;
 *   <li>{@code zipf:T}: Zipfian with exponent T over the space, unscrambled, so the hottest keys
 *       are neighbours at its low end (YCSB's generator, after Gray et al.);
 *   <li>{@code seq:W}: ascending with jitter: write i goes to {@code 4i + r}, r uniform in [0, W).
 * </ul>
 *
 * <p>Not thread-safe; allocates nothing per key.
 */
final class KeyPattern {
  private enum Kind { UNIFORM, HOT, ZIPF, SEQ }

  private final Kind kind;
  private final long space;
  private final double a;
  private final double b;
  // Zipfian constants
  private double zetan;
  private double eta;
  private double alpha;
  private long i;

  private KeyPattern(Kind kind, long space, double a, double b) {
    this.kind = kind;
    this.space = space;
    this.a = a;
    this.b = b;
    if (kind == Kind.ZIPF) {
      double zeta2 = 1 + Math.pow(0.5, a);
      for (long k = 1; k <= space; k++) {
        zetan += 1 / Math.pow(k, a);
      }
      alpha = 1 / (1 - a);
      eta = (1 - Math.pow(2.0 / space, 1 - a)) / (1 - zeta2 / zetan);
    }
  }

  /** Parses a pattern (see the class comment) for {@code count} writes. */
  static KeyPattern parse(String spec, long count) {
    String[] p = spec.split(":");
    long space = count * 4;
    switch (p[0]) {
      case "uniform":
        return new KeyPattern(Kind.UNIFORM, space, 0, 0);
      case "hot":
        return new KeyPattern(Kind.HOT, space, Double.parseDouble(p[1]), Double.parseDouble(p[2]));
      case "zipf":
        return new KeyPattern(Kind.ZIPF, space, Double.parseDouble(p[1]), 0);
      case "seq":
        return new KeyPattern(Kind.SEQ, space, Double.parseDouble(p[1]), 0);
      default:
        throw new IllegalArgumentException("key pattern: uniform, hot:F:P, zipf:T or seq:W, not " + spec);
    }
  }

  /** The next key number, in [0, 4 × count) (seq: up to W beyond). */
  long next(SplittableRandom r) {
    switch (kind) {
      case HOT:
        return r.nextDouble() < b ? r.nextLong(Math.max(1, (long) (space * a))) : r.nextLong(space);
      case ZIPF: {
        double u = r.nextDouble();
        double uz = u * zetan;
        if (uz < 1) {
          return 0;
        }
        if (uz < 1 + Math.pow(0.5, a)) {
          return 1;
        }
        return Math.min(space - 1, (long) (space * Math.pow(eta * u - eta + 1, alpha)));
      }
      case SEQ:
        return 4 * i++ + r.nextLong(Math.max(1, (long) a));
      default:
        return r.nextLong(space);
    }
  }
}
