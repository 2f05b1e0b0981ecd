package dev.sapwood.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/** Parsing of sizes and counts ("256M", "1G", "64KiB", "20000000", "20M" keys), and directory removal. */
public final class Sizes {
  private Sizes() {}

  /** Bytes: a number with an optional K/M/G/T suffix (powers of 1024; "B", "iB" ignored). */
  public static long bytes(String s) {
    String t = s.trim().toUpperCase(Locale.ROOT).replace("IB", "").replace("B", "");
    long mul = 1;
    if (!t.isEmpty() && "KMGT".indexOf(t.charAt(t.length() - 1)) >= 0) {
      mul = 1L << (10 * ("KMGT".indexOf(t.charAt(t.length() - 1)) + 1));
      t = t.substring(0, t.length() - 1);
    }
    try {
      return Math.round(Double.parseDouble(t) * mul);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a size: '" + s + "' (e.g. 64M, 1G)");
    }
  }

  /** A count: a number with an optional k/M/G suffix (powers of 1000) and optional '_' or ','. */
  public static long count(String s) {
    String t = s.trim().replace("_", "").replace(",", "").toUpperCase(Locale.ROOT);
    long mul = 1;
    if (!t.isEmpty() && "KMG".indexOf(t.charAt(t.length() - 1)) >= 0) {
      mul = (long) Math.pow(1000, "KMG".indexOf(t.charAt(t.length() - 1)) + 1);
      t = t.substring(0, t.length() - 1);
    }
    try {
      return Math.round(Double.parseDouble(t) * mul);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a count: '" + s + "' (e.g. 1000000, 1M)");
    }
  }

  /** Removes {@code dir} and everything under it, if present. */
  public static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("removing " + dir, e);
    }
  }
}
