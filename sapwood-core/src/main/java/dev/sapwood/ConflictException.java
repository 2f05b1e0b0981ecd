package dev.sapwood;

/**
 * Thrown by {@link Transaction#commit()} when the transaction must abort because a change that
 * committed after its snapshot conflicts with it (see {@link Isolation}). Nothing of the
 * transaction is applied then, and it is finished (rolled back). Running it again from the start
 * usually succeeds; {@link Database#transact} does that for you.
 */
public class ConflictException extends SapwoodException {
  private static final long serialVersionUID = 1L;

  /** What kind of conflict aborted a transaction. */
  public enum Kind {
    /**
     * Another change to a key this transaction put or deleted committed after its snapshot (a
     * range delete or range update covering the key counts).
     */
    WRITE_WRITE,
    /** (SERIALIZABLE) Another change to a key this transaction read committed after its snapshot. */
    READ_WRITE,
    /** (SERIALIZABLE) A change inside a range this transaction scanned committed after its snapshot. */
    RANGE
  }

  private final Kind kind;

  public ConflictException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  /** What kind of conflict this is. */
  public Kind kind() {
    return kind;
  }
}
