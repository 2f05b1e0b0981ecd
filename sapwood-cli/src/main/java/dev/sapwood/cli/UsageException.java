package dev.sapwood.cli;

/** A mistake in what the user asked for (exit status 2): a bad argument, a missing database or tree. */
final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
