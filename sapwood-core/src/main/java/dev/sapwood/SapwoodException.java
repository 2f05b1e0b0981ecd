package dev.sapwood;

/**
 * The root of Sapwood's unchecked exceptions. Caller mistakes are reported with the standard
 * {@link IllegalArgumentException} and {@link IllegalStateException} instead.
 */
public class SapwoodException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SapwoodException(String message) {
    super(message);
  }

  public SapwoodException(String message, Throwable cause) {
    super(message, cause);
  }
}
