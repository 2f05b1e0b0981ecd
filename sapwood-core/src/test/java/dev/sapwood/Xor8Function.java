package dev.sapwood;

/**
 * A user update function that combines, for tests of folding: XOR with an 8-byte argument (an
 * absent value counts as zero; a stored value that is not 8 bytes fails the update, and so does
 * combining with an argument that is not 8 bytes).
 */
public final class Xor8Function implements UpdateFunction {
  private final String name;

  public Xor8Function(String name) {
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void checkArgument(byte[] argument) {
    if (argument.length != 8) {
      throw new IllegalArgumentException("8 bytes");
    }
  }

  @Override
  public byte[] apply(byte[] key, byte[] old, byte[] arg) {
    if (old == null) {
      return arg.clone();
    }
    if (old.length != 8) {
      throw new IllegalStateException("stored value is not 8 bytes");
    }
    return combine(key, old, arg);
  }

  @Override
  public byte[] combine(byte[] key, byte[] first, byte[] second) {
    byte[] out = first.clone();
    for (int i = 0; i < 8; i++) {
      out[i] ^= second[i];
    }
    return out;
  }
}
