package dev.sapwood.internal.engine;

import dev.sapwood.UpdateFunction;

/**
 * A user update function that tests find through {@link java.util.ServiceLoader}: listed in
 * src/test/resources/META-INF/services/dev.sapwood.UpdateFunction. Joins old and argument with '+'.
 */
public final class ProvidedConcat implements UpdateFunction {
  /** The name this provider is found by. */
  public static final String NAME = "test.provided_concat";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte[] apply(byte[] key, byte[] oldValueOrNull, byte[] argument) {
    if (oldValueOrNull == null) {
      return argument.clone();
    }
    byte[] out = new byte[oldValueOrNull.length + 1 + argument.length];
    System.arraycopy(oldValueOrNull, 0, out, 0, oldValueOrNull.length);
    out[oldValueOrNull.length] = '+';
    System.arraycopy(argument, 0, out, oldValueOrNull.length + 1, argument.length);
    return out;
  }
}
