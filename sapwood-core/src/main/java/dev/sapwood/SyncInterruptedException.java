package dev.sapwood;

/**
 * A thread was interrupted while it waited for its write to become durable: a {@link
 * Durability#SYNC} write, or {@link Database#sync()}, gave up waiting for the log's fsync. It is
 * thrown when the thread's interrupt flag is set as the wait begins or while it waits; the flag is
 * still set when the caller catches it, and the cause is the {@link InterruptedException}.
 *
 * <p>What it means for the write: the change was applied — readers see it — and logged, but its
 * fsync was not waited for, so it <em>may or may not</em> be durable yet; it is exactly as durable
 * as an {@link Durability#ASYNC} write. Its log record was handed to the operating system before
 * this was thrown, so it survives a killed process; it survives a power loss once the next {@link
 * Database#sync()}, {@code SYNC} write, periodic log sync, checkpoint or {@link Database#close()}
 * is done, and a power loss before then may lose it (a batch whole, never in part).
 * Nothing else is affected: the database stays writable for every thread (an interrupt never
 * fails the database), and the interrupted thread itself may go on using it.
 */
public class SyncInterruptedException extends SapwoodException {
  private static final long serialVersionUID = 1L;

  public SyncInterruptedException(String message, InterruptedException cause) {
    super(message, cause);
  }
}
