package dev.sapwood.internal.tree;

/**
 * Told of each message as it enters a tree, under the root's write latch — so the order in which
 * a journal (the write-ahead log) records a key's messages is the order they apply in.
 */
public interface Journal {
  /** A journal that records nothing (replay, and changes that are not logged). */
  Journal NONE = (type, key, value, fn) -> {};

  /**
   * @param type the message type code ({@link MessageType})
   * @param fn the update function's name for UPDATE, else null
   */
  void record(byte type, byte[] key, byte[] value, byte[] fn);
}
