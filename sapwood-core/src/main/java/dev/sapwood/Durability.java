package dev.sapwood;

/**
 * When a write is durable. Every level keeps a database consistent after a crash (a batch is
 * applied whole or not at all); they differ in which acknowledged writes a crash can lose.
 */
public enum Durability {
  /**
   * The write is in the write-ahead log on stable storage (fsynced) when the call returns: it
   * survives a killed process and a power loss. Concurrent {@code SYNC} writers share fsyncs. A
   * writer interrupted before its fsync is done gives up waiting with a {@link
   * SyncInterruptedException}: the write is applied, and durable only as an {@link #ASYNC} one.
   */
  SYNC,
  /**
   * The write is in the log in the operating system when the call returns: it survives a killed
   * process at once, and a power loss once the log is synced — within {@link
   * Options#syncInterval} (or at {@link Database#sync()}, a {@code SYNC} write or a checkpoint).
   */
  ASYNC,
  /**
   * The write is not logged: only a checkpoint ({@link Database#checkpoint()}, the periodic one,
   * or {@link Database#close()}) makes it durable. For bulk loads. After a crash, such writes
   * made since the last checkpoint are gone, even if logged writes made after them survive.
   */
  NONE
}
