package dev.sapwood;

import java.util.Arrays;
import java.util.List;

/** Built-in {@link UpdateFunction}s, registered in every database. */
public final class UpdateFunctions {
  private UpdateFunctions() {}

  /**
   * Adds two 8-byte big-endian signed longs (overflow wraps). An absent key counts as 0. An
   * argument that is not 8 bytes long is an {@link IllegalArgumentException} when given to
   * {@code update}; an old value that is not 8 bytes long makes the update fail, so it is skipped
   * (see {@link UpdateFunction}).
   */
  public static final UpdateFunction ADD_LONG = new UpdateFunction() {
    @Override
    public String name() {
      return "sapwood.add_long";
    }

    @Override
    public void checkArgument(byte[] argument) {
      if (argument.length != 8) {
        throw new IllegalArgumentException("ADD_LONG needs an 8-byte argument, got " + argument.length + " bytes");
      }
    }

    @Override
    public byte[] apply(byte[] key, byte[] oldValue, byte[] argument) {
      long old = 0;
      if (oldValue != null) {
        if (oldValue.length != 8) {
          throw new SapwoodException("ADD_LONG: the stored value is " + oldValue.length + " bytes, not 8");
        }
        old = toLong(oldValue);
      }
      return fromLong(old + toLong(argument));
    }
  };

  /**
   * Appends the argument to the old value (absent counts as empty). An append whose result would
   * be longer than {@link Limits#MAX_VALUE_SIZE} is skipped: the value stays as it was and the
   * {@code update.failed} counter counts it (see {@link UpdateFunction}).
   */
  public static final UpdateFunction APPEND = new UpdateFunction() {
    @Override
    public String name() {
      return "sapwood.append";
    }

    @Override
    public byte[] apply(byte[] key, byte[] oldValue, byte[] argument) {
      if (oldValue == null) {
        return argument.clone();
      }
      byte[] out = Arrays.copyOf(oldValue, oldValue.length + argument.length);
      System.arraycopy(argument, 0, out, oldValue.length, argument.length);
      return out;
    }
  };

  /** Stores the argument if the key is absent; keeps the old value otherwise. */
  public static final UpdateFunction PUT_IF_ABSENT = new UpdateFunction() {
    @Override
    public String name() {
      return "sapwood.put_if_absent";
    }

    @Override
    public byte[] apply(byte[] key, byte[] oldValue, byte[] argument) {
      return oldValue != null ? oldValue : argument;
    }
  };

  /** All built-ins. */
  public static List<UpdateFunction> builtIns() {
    return List.of(ADD_LONG, APPEND, PUT_IF_ABSENT);
  }

  /** Encodes {@code v} as 8 big-endian bytes (the format {@link #ADD_LONG} reads). */
  public static byte[] fromLong(long v) {
    byte[] b = new byte[8];
    for (int i = 7; i >= 0; i--) {
      b[i] = (byte) v;
      v >>>= 8;
    }
    return b;
  }

  /** Decodes 8 big-endian bytes; anything else is an {@link IllegalArgumentException}. */
  public static long toLong(byte[] b) {
    if (b == null || b.length != 8) {
      throw new IllegalArgumentException("expected 8 bytes, got " + (b == null ? "null" : b.length));
    }
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[i] & 0xFF);
    }
    return v;
  }
}
