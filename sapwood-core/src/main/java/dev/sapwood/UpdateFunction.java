package dev.sapwood;

/**
 * A blind read-modify-write: {@link Tree#update} stores a message naming this function, and the
 * function runs later, wherever the old value is found (during a flush into a leaf, or during a
 * read that meets the message on its way down).
 *
 * <p>Contract: {@link #name()} is stable across restarts (it is written to disk with every update
 * message, and the database's catalog keeps the names of the user functions it ever used), and the
 * function must be findable on every open of a database whose messages may still name it.
 *
 * <p><b>How a function is found</b>, by name, in this order: the built-ins ({@link
 * UpdateFunctions}); those given to {@link Options#register}; then the providers of this interface
 * that {@link java.util.ServiceLoader} finds through the thread context class loader of the thread
 * that opens the database (the caller's class path and module path). To be found that way, list
 * the implementing class (public, with a public no-argument constructor) in a jar's {@code
 * META-INF/services/dev.sapwood.UpdateFunction}, or declare {@code provides
 * dev.sapwood.UpdateFunction with ...} in its module; the {@code dev.sapwood} module {@code uses}
 * this service. The command-line tool takes such a jar with {@code --functions JAR}. A database
 * whose catalog names a function found none of these ways refuses to open, naming it; two
 * providers claiming one name are an error, not a choice.
 *
 * <p>{@link #apply} must be a pure, deterministic function of its
 * arguments, must not modify its arguments, and may be called from any thread, any number of times
 * (for example once per read that meets an unapplied message). It must not use the database it
 * runs in: it runs inside the database's gate and under its node latches, so a read or write made
 * from inside it may wait forever (behind a checkpoint that waits for the operation calling it)
 * or fail the database.
 *
 * <p>If {@code apply} throws, that update is skipped (the value stays as it was) and counted in
 * the {@code update.failed} status counter: a message that can never apply must not block the
 * messages behind it. Use {@link #checkArgument} to refuse bad arguments up front.
 *
 * <p>The value limit holds for every value a function produces: if {@code apply} returns a value
 * longer than {@link Limits#MAX_VALUE_SIZE}, that update is skipped in the same way (the value
 * stays as it was, {@code update.failed} counts it). Functions run later, in background flushes
 * and in reads, where nobody could be told of an exception, so the rule is applied there, the same
 * way every time the message is met: every read and the value finally stored agree. For example
 * {@link UpdateFunctions#APPEND} to a value that would pass the limit leaves the value unchanged.
 */
public interface UpdateFunction {
  /** The stable name stored with each update message; 1 to 255 UTF-8 bytes. */
  String name();

  /**
   * Computes the new value.
   *
   * @param key the key being updated
   * @param oldValueOrNull the current value, or null if the key is absent
   * @param argument the argument given to {@link Tree#update}
   * @return the new value, or null to delete the key; a value longer than {@link
   *     Limits#MAX_VALUE_SIZE} makes the update skipped (see above)
   */
  byte[] apply(byte[] key, byte[] oldValueOrNull, byte[] argument);

  /**
   * Checks an argument when {@link Tree#update} (or {@link WriteBatch#update}) is called, before
   * anything is stored, so that a malformed argument is refused at once instead of failing later.
   * The default accepts everything.
   *
   * @throws IllegalArgumentException if {@code argument} can never be applied
   */
  default void checkArgument(byte[] argument) {}

  /**
   * Combines two updates of one key by this function into one, or returns null if they cannot be
   * combined (the default). A key updated again and again before its updates reach the stored value
   * then carries one pending update instead of one per call, so reading it stays as cheap after a
   * million blind updates as after one.
   *
   * <p>Contract (the law the database relies on; a function that breaks it makes reads wrong): if
   * this returns {@code c} for {@code (key, first, second)}, then for every old value {@code v}
   * of the key, absent included, applying {@code first} and then {@code second} leaves the same
   * result as applying {@code c} once: {@code apply(key, apply(key, v, first), second)} equals
   * {@code apply(key, v, c)} — counting an update that throws or makes a value over {@link
   * Limits#MAX_VALUE_SIZE} as skipped (the value stays), on both sides. So {@link
   * UpdateFunctions#ADD_LONG} combines (addition is associative, and both sides fail alike on a
   * stored value that is not 8 bytes), while {@link UpdateFunctions#APPEND} does not (the
   * combined append may pass the limit where the two alone would not).
   *
   * <p>The database may call this or not, at any time before the updates apply, from any thread,
   * with the same arguments any number of times; it must be pure and deterministic and must not
   * modify its arguments. The result must be an argument this function accepts ({@link
   * #checkArgument}) of at most {@link Limits#MAX_VALUE_SIZE} bytes; if it is not, or this throws,
   * the two updates are simply kept apart.
   *
   * @param key the key both updates change
   * @param first the argument of the earlier update
   * @param second the argument of the later update
   * @return the argument of one update equivalent to both, or null if there is none
   */
  default byte[] combine(byte[] key, byte[] first, byte[] second) {
    return null;
  }
}
