package dev.sapwood;

/** Another {@link Database} (in this process or another) holds the directory open. */
public class DatabaseLockedException extends SapwoodException {
  private static final long serialVersionUID = 1L;

  public DatabaseLockedException(String message) {
    super(message);
  }
}
