package dev.sapwood;

/**
 * An I/O operation failed (a read, write, fsync, truncate or a full disk). After a failed write or
 * fsync the database refuses all further writes with a {@code StorageException} whose cause is the
 * first failure; it is never retried as if it had worked.
 */
public class StorageException extends SapwoodException {
  private static final long serialVersionUID = 1L;

  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
