package dev.sapwood.internal.events;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.EventType;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * A caller held back to let background work catch up (back-pressure): a writer flushing its root
 * itself ({@link #ROOT_FULL}) because the root holds more than twice a node's size (or no
 * background thread takes flushes: during recovery and close), or a caller
 * writing dirty nodes out itself because the cache is a quarter over its budget ({@link
 * #CACHE_FULL}).
 */
@Name("dev.sapwood.WriteStall")
@Label("Write Stall")
@Category("Sapwood")
@Description("A writer (or reader) doing background work itself because it fell behind")
public final class WriteStallEvent extends jdk.jfr.Event {
  /** The root's buffers hold more than a node's size and the writer flushes them inline. */
  public static final String ROOT_FULL = "root full";
  /** The cache is more than a quarter over budget: the caller writes dirty nodes back itself. */
  public static final String CACHE_FULL = "cache full";

  private static final EventType TYPE = EventType.getEventType(WriteStallEvent.class);

  @Label("Cause")
  @Description("root full (inline flush) or cache full (inline eviction of dirty nodes)")
  String cause;

  @Label("Bytes")
  @Description("Root full: the root's buffered bytes; cache full: the cache's bytes in use")
  @DataAmount
  long bytes;

  @Label("Limit")
  @Description("Root full: the node size (a root past it is flushed; past twice it by the writer);"
      + " cache full: the cache's budget (past a quarter over it the caller writes dirty nodes itself)")
  @DataAmount
  long limit;

  /** A started event, or null when no recording wants it (nothing allocated then). */
  public static WriteStallEvent start(String cause, long bytes, long limit) {
    if (!TYPE.isEnabled()) {
      return null;
    }
    WriteStallEvent e = new WriteStallEvent();
    e.cause = cause;
    e.bytes = bytes;
    e.limit = limit;
    e.begin();
    return e;
  }

  /** Ends and commits {@code e} (from {@link #start}; null does nothing). */
  public static void finish(WriteStallEvent e) {
    if (e == null) {
      return;
    }
    e.end();
    if (e.shouldCommit()) {
      e.commit();
    }
  }
}
