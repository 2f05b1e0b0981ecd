package dev.sapwood;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Built-in {@link UpdateFunction}s, registered in every database. */
public final class UpdateFunctions {
  private UpdateFunctions() {}

  /**
   * Adds two signed longs, each stored as 8 bytes in the encoding of {@link Codec#LONG} (big-endian
   * with the sign bit flipped; build them with {@link #fromLong}, read them with {@link #toLong} or
   * {@code Codec.LONG}). Overflow wraps. An absent key counts as 0. An argument that is not 8 bytes
   * long is an {@link IllegalArgumentException} when given to {@code update}; an old value that is
   * not 8 bytes long makes the update fail, so it is skipped (see {@link UpdateFunction}).
   *
   * <p><b>One long encoding.</b> Counters share {@link Codec#LONG}'s encoding so that a map view
   * {@code tree.asMap(keyCodec, Codec.LONG)} reads the numbers {@code ADD_LONG} wrote, and a value
   * put through that view can be added to. The sign flip exists for keys (byte order is numeric
   * order); using it for values too leaves one encoding to choose, not two to confuse. The cost: a
   * plain {@code ByteBuffer.putLong} value or argument is <em>not</em> this encoding (it reads as
   * the number with its sign bit flipped); use {@link #fromLong}. Files of format version 2, whose
   * counters were plain big-endian, are refused with a message rather than read wrongly.
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

    /** Two additions are one: the sum of the arguments (wrapping, as the addition does). */
    @Override
    public byte[] combine(byte[] key, byte[] first, byte[] second) {
      return fromLong(toLong(first) + toLong(second));
    }
  };

  /**
   * Appends the argument to the old value (absent counts as empty). An append whose result would
   * be longer than {@link Limits#MAX_VALUE_SIZE} is skipped: the value stays as it was and the
   * {@code update.failed} counter counts it (see {@link UpdateFunction}). Two appends do not
   * {@linkplain UpdateFunction#combine combine}: together they may pass the limit where each alone
   * would not.
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

    /** The first wins: after it the key is present, so the second keeps what is there. */
    @Override
    public byte[] combine(byte[] key, byte[] first, byte[] second) {
      return first.clone();
    }
  };

  /** All built-ins. */
  public static List<UpdateFunction> builtIns() {
    return List.of(ADD_LONG, APPEND, PUT_IF_ABSENT);
  }

  /**
   * Encodes {@code v} as {@link #ADD_LONG} and {@link Codec#LONG} store it: 8 big-endian bytes of
   * {@code v} with the sign bit flipped (so 0 is {@code 80 00 00 00 00 00 00 00}).
   */
  public static byte[] fromLong(long v) {
    return Codec.LONG.encode(v);
  }

  /**
   * Decodes what {@link #fromLong} (or {@link Codec#LONG}) encoded; anything but 8 bytes is an
   * {@link IllegalArgumentException}.
   */
  public static long toLong(byte[] b) {
    if (b == null || b.length != 8) {
      throw new IllegalArgumentException("expected 8 bytes, got " + (b == null ? "null" : b.length));
    }
    return Codec.LONG.decode(b);
  }

  /**
   * {@code registered} with {@code fns} added, in order, as an unmodifiable map by name ({@link
   * Options#register}); a built-in name, or one registered twice, is an {@link
   * IllegalArgumentException}.
   */
  static Map<String, UpdateFunction> withRegistered(Map<String, UpdateFunction> registered,
      UpdateFunction... fns) {
    Map<String, UpdateFunction> m = new LinkedHashMap<>(registered);
    for (UpdateFunction fn : fns) {
      String name = registrableName(fn);
      boolean builtIn = builtIns().stream().anyMatch(b -> b.name().equals(name));
      if (builtIn || m.containsKey(name)) {
        throw new IllegalArgumentException("update function '" + name + "' is already registered");
      }
      m.put(name, fn);
    }
    return Collections.unmodifiableMap(m);
  }

  /**
   * The name of {@code fn} if {@link Options#register} may store it: 1 to 255 UTF-8 bytes of valid
   * Unicode. Whether it is free (not a built-in's, not registered already) is the caller's check.
   *
   * @throws NullPointerException if {@code fn} or its name is null
   * @throws IllegalArgumentException otherwise
   */
  static String registrableName(UpdateFunction fn) {
    Objects.requireNonNull(fn, "update function");
    String name = Objects.requireNonNull(fn.name(), "update function name");
    if (hasUnpairedSurrogate(name)) {
      throw new IllegalArgumentException("update function name is not valid Unicode (an unpaired surrogate)");
    }
    int len = name.getBytes(StandardCharsets.UTF_8).length;
    if (len == 0 || len > 255) {
      throw new IllegalArgumentException("update function name must be 1..255 UTF-8 bytes: '" + name + "'");
    }
    return name;
  }

  /** Whether {@code s} holds a surrogate that is not half of a pair (which UTF-8 cannot store). */
  private static boolean hasUnpairedSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return true;
      }
    }
    return false;
  }
}
