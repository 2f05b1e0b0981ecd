package dev.sapwood.internal.tree;

/**
 * Message type codes. On disk (in node buffers, and later in the log) — never renumber.
 */
final class MessageType {
  private MessageType() {}

  /** Set key to value. */
  static final byte PUT = 1;
  /** Remove key. */
  static final byte DELETE = 2;
  /** Apply the named update function to key's value with the argument. */
  static final byte UPDATE = 3;
  /** Remove every key in [key, value) — the "value" slot holds the exclusive end key. */
  static final byte DELETE_RANGE = 4;

  static boolean isValid(byte t) {
    return t >= PUT && t <= DELETE_RANGE;
  }
}
