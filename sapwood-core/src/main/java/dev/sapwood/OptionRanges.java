package dev.sapwood;

import java.time.Duration;
import java.util.Objects;

/**
 * The range checks {@link Options}' setters share: each refuses a value outside its option's
 * accepted range with an {@link IllegalArgumentException} naming the option, the value and the
 * range, before any {@code Options} is made. The ranges themselves are stated in each setter's
 * Javadoc, the contract; this class only words the refusal the same way for all of them.
 */
final class OptionRanges {
  private OptionRanges() {}

  /** Refuses {@code value} outside {@code [min, max]}: "{@code what value} outside [min, max]". */
  static void checkRange(long value, long min, long max, String what) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(what + " " + value + " outside [" + min + ", " + max + "]");
    }
  }

  /** Refuses a null interval, or one outside {@code [min, 1 day]}. */
  static void checkInterval(Duration d, Duration min, String what) {
    Objects.requireNonNull(d, what);
    if (d.compareTo(min) < 0 || d.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException(what + " " + d + " outside [" + min + ", 1 day]");
    }
  }
}
