package dev.sapwood.bench.ycsb;

import dev.sapwood.UpdateFunction;

/**
 * The update function behind the Sapwood binding's blind YCSB update: the argument is an encoded
 * partial record ({@link Records}); applying it overlays its fields on the stored record (an
 * absent record becomes the partial one).
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

  @Override
  public void checkArgument(byte[] argument) {
    try {
      Records.decode(argument, null);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not an encoded YCSB record", e);
    }
  }
}
