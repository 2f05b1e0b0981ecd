package dev.sapwood.bench.ycsb;

import dev.sapwood.Limits;
import dev.sapwood.UpdateFunction;

/**
 * The update function behind the Sapwood binding's blind YCSB update: the argument is an encoded
 * partial record ({@link Records}); applying it overlays its fields on the stored record (an
 * absent record becomes the partial one).
 *
 * <p>Two updates of one key combine ({@link #combine}) into the overlay of the second on the first:
 * overlaying is associative, so applying the combined fields once gives what applying both gives —
 * the partial merge a RocksDB merge operator does. The one place the law of {@link
 * UpdateFunction#combine} could bend is a merge past {@link Limits#MAX_VALUE_SIZE} (16 MiB), which
 * the engine skips: the combined argument is refused when it, or the two arguments together, pass
 * {@link #COMBINE_LIMIT}, so only a stored record within a few KiB of 16 MiB could tell; YCSB's
 * records are {@code fieldcount × fieldlength} bytes (1 KB here).
 */
public final class FieldMergeFunction implements UpdateFunction {
  public static final FieldMergeFunction INSTANCE = new FieldMergeFunction();

  private FieldMergeFunction() {}

  @Override
  public String name() {
    return "ycsb.merge_fields";
  }

  @Override
  public byte[] apply(byte[] key, byte[] oldValueOrNull, byte[] argument) {
    return Records.merge(oldValueOrNull, argument);
  }

  /** The largest combined argument (and sum of the two combined) this function makes: 64 KiB. */
  static final int COMBINE_LIMIT = 64 << 10;

  @Override
  public byte[] combine(byte[] key, byte[] first, byte[] second) {
    if (first.length + second.length > COMBINE_LIMIT) {
      return null;
    }
    return Records.merge(first, second);
  }

  @Override
  public void checkArgument(byte[] argument) {
    try {
      Records.check(argument);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not an encoded YCSB record", e);
    }
  }
}
