package dev.sapwood.internal.engine;

import dev.sapwood.UpdateFunction;
import dev.sapwood.internal.util.BigEndian;
import dev.sapwood.internal.util.Checksums;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Self-checking values for concurrent model tests ({@link PooledArraysStressTest}): each value
 * carries the version of the change that wrote it and a CRC32C over its key, version and payload,
 * so a reader that cannot know the value exactly (writers run beside it) can still tell a value
 * that some change of this key wrote from bytes read out of a reused or poisoned array, or from
 * another key's value. Which change a key's version {@code v} is (put, delete or blind update) is
 * a function of the key and {@code v} alone, so a reader knows whether a key may be absent at any
 * version in a window.
 *
 * <p>Layout: version (8 bytes), payload, CRC32C of key + version + payload (4 bytes).
 */
final class VersionedValues {
  private VersionedValues() {}

  static final int PUT = 0;
  static final int DELETE = 1;
  static final int UPDATE = 2;

  /** Failures seen inside the update function (it runs in flushes and reads, not in the test's threads). */
  static final AtomicReference<String> FUNCTION_FAILURE = new AtomicReference<>();

  /**
   * The blind update: its argument is the new version (8 bytes) and a salt byte; the old value's
   * payload (none if absent) is rotated by one byte and XORed with the salt, under the new version.
   * An old value that does not check out is recorded in {@link #FUNCTION_FAILURE}.
   */
  static final UpdateFunction BUMP = new UpdateFunction() {
    @Override
    public String name() {
      return "test.versioned_bump";
    }

    @Override
    public byte[] apply(byte[] key, byte[] old, byte[] arg) {
      if (old != null && !valid(key, old)) {
        FUNCTION_FAILURE.compareAndSet(null, "the update of " + new String(key) + " saw a damaged value "
            + Arrays.toString(Arrays.copyOf(old, Math.min(old.length, 24))));
      }
      return bumped(key, old, arg);
    }
  };

  /** What {@link #BUMP} makes of {@code old} (null: absent) with {@code arg}. */
  static byte[] bumped(byte[] key, byte[] old, byte[] arg) {
    byte[] payload = old == null || old.length < 12 ? new byte[3] : Arrays.copyOfRange(old, 8, old.length - 4);
    byte[] next = new byte[payload.length];
    for (int i = 0; i < payload.length; i++) {
      next[i] = (byte) (payload[(i + 1) % payload.length] ^ arg[8]);
    }
    return encode(key, BigEndian.getLong(arg, 0), next);
  }

  /** The argument of a blind update to version {@code v}. */
  static byte[] bumpArg(long v, Random rnd) {
    byte[] arg = new byte[9];
    BigEndian.putLong(arg, 0, v);
    arg[8] = (byte) rnd.nextInt();
    return arg;
  }

  /** Which change version {@code v} of key {@code k} is: about 60% puts, 15% deletes, 25% updates. */
  static int kind(int k, long v) {
    long h = (k * 0x9E3779B97F4A7C15L) ^ (v * 0xC2B2AE3D27D4EB4FL);
    h ^= h >>> 29;
    h *= 0xBF58476D1CE4E5B9L;
    int r = (int) ((h >>> 33) % 20);
    return r < 12 ? PUT : r < 15 ? DELETE : UPDATE;
  }

  /** Whether key {@code k} is absent after its version {@code v} (0: never written). */
  static boolean absentAt(int k, long v) {
    return v == 0 || kind(k, v) == DELETE;
  }

  /** A put's value for version {@code v}: a payload of mostly small, sometimes block-sized length. */
  static byte[] putValue(byte[] key, long v, Random rnd) {
    int len = rnd.nextInt(50) == 0 ? 2_000 + rnd.nextInt(18_000) : rnd.nextInt(300);
    byte[] payload = new byte[len];
    rnd.nextBytes(payload);
    return encode(key, v, payload);
  }

  static byte[] encode(byte[] key, long v, byte[] payload) {
    byte[] out = new byte[12 + payload.length];
    BigEndian.putLong(out, 0, v);
    System.arraycopy(payload, 0, out, 8, payload.length);
    BigEndian.putInt(out, out.length - 4, crc(key, out));
    return out;
  }

  private static int crc(byte[] key, byte[] value) {
    byte[] all = Arrays.copyOf(key, key.length + value.length - 4);
    System.arraycopy(value, 0, all, key.length, value.length - 4);
    return Checksums.crc32c(all, 0, all.length);
  }

  /** Whether {@code value} is one this class made for {@code key}. */
  static boolean valid(byte[] key, byte[] value) {
    return value.length >= 12 && BigEndian.getInt(value, value.length - 4) == crc(key, value);
  }

  static long version(byte[] value) {
    return BigEndian.getLong(value, 0);
  }
}
