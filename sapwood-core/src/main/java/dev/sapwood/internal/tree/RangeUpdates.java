package dev.sapwood.internal.tree;

import dev.sapwood.Limits;
import dev.sapwood.internal.util.BigEndian;

/**
 * The "value" slot of an {@link MessageType#UPDATE_RANGE} message, in a node buffer and in a log
 * op alike (docs/format/node.md, log.md): the range's end and the function's argument in one byte
 * string, so the message travels through every path a four-slot message does (type, key, value,
 * function name) unchanged.
 *
 * <pre>
 * Value := bounded u8 (1: an end follows; 0: no end, the range runs past every key),
 *          [endLength u32, end]   (bounded only),
 *          argument               (the rest of the value)
 * </pre>
 *
 * <p>Invariants: a value that passed {@link #check} has {@code bounded} 0 or 1, an end of at most
 * {@link Limits#MAX_KEY_SIZE} bytes above the start key, and an argument of at most {@link
 * Limits#MAX_VALUE_SIZE} bytes; every accessor below assumes a checked value. Stateless.
 */
public final class RangeUpdates {
  private RangeUpdates() {}

  /** Longest value an UPDATE_RANGE message can carry. */
  public static final int MAX_VALUE = 1 + 4 + Limits.MAX_KEY_SIZE + Limits.MAX_VALUE_SIZE;

  /** The value slot for a range ending before {@code endOrNull} (null: no end) with {@code argument}. */
  public static byte[] encode(byte[] endOrNull, byte[] argument) {
    int endBytes = endOrNull == null ? 0 : 4 + endOrNull.length;
    byte[] v = new byte[1 + endBytes + argument.length];
    v[0] = (byte) (endOrNull == null ? 0 : 1);
    if (endOrNull != null) {
      BigEndian.putInt(v, 1, endOrNull.length);
      System.arraycopy(endOrNull, 0, v, 5, endOrNull.length);
    }
    System.arraycopy(argument, 0, v, 1 + endBytes, argument.length);
    return v;
  }

  /**
   * What is wrong with value {@code v[off, off+len)} of a message starting at key {@code
   * k[kOff, kOff+kLen)}, or null if nothing is.
   */
  public static String check(byte[] k, int kOff, int kLen, byte[] v, int off, int len) {
    if (len < 1) {
      return "range update without its end flag";
    }
    int flag = v[off];
    if (flag == 0) {
      return len - 1 > Limits.MAX_VALUE_SIZE ? "range update argument over the value limit" : null;
    }
    if (flag != 1) {
      return "range update end flag " + flag;
    }
    if (len < 5) {
      return "range update end length cut short";
    }
    int endLen = BigEndian.getInt(v, off + 1);
    if (endLen < 0 || endLen > Limits.MAX_KEY_SIZE || endLen > len - 5) {
      return "range update end length " + endLen + " (" + (len - 5) + " bytes left)";
    }
    if (Keys.compare(k, kOff, kLen, v, off + 5, endLen) >= 0) {
      return "empty key range";
    }
    return len - 5 - endLen > Limits.MAX_VALUE_SIZE ? "range update argument over the value limit" : null;
  }

  /** {@link #check} of a whole key and value. */
  public static String check(byte[] key, byte[] value) {
    return check(key, 0, key.length, value, 0, value.length);
  }

  /** Whether the range has an end. */
  static boolean bounded(byte[] v, int off) {
    return v[off] != 0;
  }

  /** Offset of the end key (bounded ranges only). */
  static int endOff(int off) {
    return off + 5;
  }

  /** Length of the end key (bounded ranges only). */
  static int endLen(byte[] v, int off) {
    return BigEndian.getInt(v, off + 1);
  }

  /** Offset of the argument. */
  static int argOff(byte[] v, int off) {
    return bounded(v, off) ? off + 5 + endLen(v, off) : off + 1;
  }

  /** The end key of a whole checked value, or null for no end. */
  public static byte[] end(byte[] v) {
    return bounded(v, 0) ? java.util.Arrays.copyOfRange(v, 5, 5 + endLen(v, 0)) : null;
  }

  /** The argument of a whole checked value. */
  public static byte[] argument(byte[] v) {
    return java.util.Arrays.copyOfRange(v, argOff(v, 0), v.length);
  }

  /**
   * Whether the range message with start {@code type}/key and value covers some key of [lo, hi)
   * (null bounds are infinite): for DELETE_RANGE the value is the end key itself.
   */
  public static boolean overlaps(byte type, byte[] key, byte[] value, byte[] lo, byte[] hi) {
    if (hi != null && Keys.compare(key, hi) >= 0) {
      return false;
    }
    if (lo == null) {
      return true;
    }
    if (type == MessageType.DELETE_RANGE) {
      return Keys.compare(value, lo) > 0;
    }
    return !bounded(value, 0) || Keys.compare(value, 5, endLen(value, 0), lo, 0, lo.length) > 0;
  }
}
