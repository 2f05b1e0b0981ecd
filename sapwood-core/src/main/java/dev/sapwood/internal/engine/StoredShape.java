package dev.sapwood.internal.engine;

import dev.sapwood.CorruptionException;
import dev.sapwood.Options;
import dev.sapwood.internal.store.Header;
import dev.sapwood.internal.util.Compressors;

/**
 * The tree shape of an existing database (node size, basement size, fanout, compression, as its
 * header records them) merged with the options of an open: each field the caller set explicitly
 * ({@link Options#isNodeSizeSet()} and its siblings) wins, every other field keeps the recorded
 * value. So a database made with 64 KiB nodes stays at 64 KiB when opened with {@link
 * Options#defaults()}, by the command-line tool or anyone else.
 *
 * <p>Stateless.
 */
final class StoredShape {
  private StoredShape() {}

  /**
   * The options to run the database with.
   *
   * @param given the caller's options
   * @param recorded the shape in the header
   * @param file the block file's name, for messages
   * @throws CorruptionException if the recorded shape is one {@link Options} would never accept
   * @throws IllegalArgumentException if an explicit field contradicts a recorded one (a basement
   *     larger than the recorded node size)
   */
  static Options resolve(Options given, Header.Settings recorded, String file) {
    checkRecorded(recorded, file);
    int node = given.isNodeSizeSet() ? given.nodeSize() : recorded.nodeSize();
    int basement;
    if (given.isBasementSizeSet()) {
      basement = given.basementSize();
      if (basement > node) {
        throw new IllegalArgumentException("basementSize " + basement + " is larger than the node size "
            + node + " the database " + file + " records; set nodeSize too");
      }
    } else {
      basement = Math.min(recorded.basementSize(), node);
    }
    return given.nodeSize(node)
        .basementSize(basement)
        .fanout(given.isFanoutSet() ? given.fanout() : recorded.fanout())
        .compression(given.isCompressionSet() ? given.compression()
            : Compressors.compressionOf(recorded.compression()));
  }

  /** The shape {@code o} gives, as a header records it. */
  static Header.Settings of(Options o) {
    return new Header.Settings(o.nodeSize(), o.basementSize(), o.fanout(), Compressors.codeOf(o.compression()));
  }

  private static void checkRecorded(Header.Settings s, String file) {
    boolean ok = s.nodeSize() >= Options.MIN_NODE_SIZE && s.nodeSize() <= Options.MAX_NODE_SIZE
        && s.basementSize() >= Options.MIN_BASEMENT_SIZE && s.basementSize() <= s.nodeSize()
        && s.fanout() >= Options.MIN_FANOUT && s.fanout() <= Options.MAX_FANOUT
        && Compressors.isKnown(s.compression());
    if (!ok) {
      throw new CorruptionException(file, 0, "header records a tree shape no open accepts: " + s);
    }
  }
}
