package dev.sapwood;

/**
 * How much a {@link Transaction} is isolated from the transactions that commit while it runs.
 * Both read one consistent snapshot plus the transaction's own writes; they differ in what makes
 * {@link Transaction#commit()} throw {@link ConflictException}. See {@code docs/transactions.md}.
 */
public enum Isolation {
  /**
   * Snapshot isolation: commit fails if another change to a key this transaction put or deleted
   * committed after its snapshot (first committer wins). Blind {@link Transaction#update updates}
   * and range deletes never conflict. Write skew is possible.
   */
  SNAPSHOT,
  /**
   * Serializable: additionally, commit fails if a key this transaction read, or a key inside a
   * range it scanned with a cursor, was changed by anyone after its snapshot. Committed
   * transactions then behave as if run one at a time in commit order: no write skew, no phantoms.
   */
  SERIALIZABLE
}
