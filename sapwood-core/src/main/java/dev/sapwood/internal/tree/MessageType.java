package dev.sapwood.internal.tree;

/**
 * The kinds of change, by their one code: the type byte of a message in a node buffer, of an op in
 * a write-ahead log record (the engine's {@code LogRecords}). On disk in both places — never renumber. ({@code dev.sapwood.WriteBatch} keeps its own
 * private kinds: it is public API and hands its changes over through its {@code Handler}.)
 *
 * <p>Invariants: the codes are 1 to 5 with no gaps; {@link #isValid} is the one check of a code
 * read back.
 */
public final class MessageType {
  private MessageType() {}

  /** Set key to value. */
  public static final byte PUT = 1;
  /** Remove key. */
  public static final byte DELETE = 2;
  /** Apply the named update function to key's value with the argument. */
  public static final byte UPDATE = 3;
  /** Remove every key in [key, value) — the "value" slot holds the exclusive end key. */
  public static final byte DELETE_RANGE = 4;

  /**
   * Apply the named update function, with an argument, to every existing key of a range: key is
   * the inclusive start, the "value" slot holds the end (or none: the whole key space above the
   * start) and the argument, as {@link RangeUpdates} encodes them.
   */
  public static final byte UPDATE_RANGE = 5;

  /** Whether {@code t} is one of the codes above. */
  public static boolean isValid(byte t) {
    return t >= PUT && t <= UPDATE_RANGE;
  }

  /** Whether messages of type {@code t} cover a key range (kept in a buffer's range list). */
  public static boolean isRange(byte t) {
    return t == DELETE_RANGE || t == UPDATE_RANGE;
  }

  /** Whether messages of type {@code t} name an update function. */
  public static boolean hasFunction(byte t) {
    return t == UPDATE || t == UPDATE_RANGE;
  }
}
