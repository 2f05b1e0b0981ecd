package dev.sapwood;

/**
 * Another {@link Database} (in this process or another) holds the directory open in a way that
 * excludes this open: a writer excludes everyone; read-only opens ({@link Options#readOnly(boolean)})
 * exclude writers but not each other. The message says which kind of holder it is.
 */
public class DatabaseLockedException extends SapwoodException {
  private static final long serialVersionUID = 1L;

  public DatabaseLockedException(String message) {
    super(message);
  }
}
