package dev.sapwood;

/**
 * There is no database to open: the directory holds none (or only a creation that never
 * finished), and the open may not create one — {@link Options#createIfMissing(boolean)} is false,
 * or the open is {@link Options#readOnly(boolean) read-only}. Nothing was created.
 */
public class DatabaseNotFoundException extends SapwoodException {
  private static final long serialVersionUID = 1L;

  public DatabaseNotFoundException(String message) {
    super(message);
  }
}
