package dev.sapwood.internal.events;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.EventType;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * The cache's clock acting on one node: writing it back if dirty, then dropping unused partitions
 * ({@link #PARTIAL}) or the whole node ({@link #WHOLE}), or only the write-back ({@link
 * #WRITTEN}) when the node stays.
 */
@Name("dev.sapwood.Eviction")
@Label("Eviction")
@Category("Sapwood")
@StackTrace(false) // frequent: a stack per event would cost more than the event
@Description("A cached node written back and/or dropped (partly or whole) to keep the cache in budget")
public final class EvictionEvent extends jdk.jfr.Event {
  /** The whole node left the cache. */
  public static final String WHOLE = "whole";
  /** Unused partitions were dropped; the node stays. */
  public static final String PARTIAL = "partial";
  /** The dirty node was written back and stays. */
  public static final String WRITTEN = "written";

  private static final EventType TYPE = EventType.getEventType(EvictionEvent.class);

  @Label("Outcome")
  @Description("whole, partial or written")
  String outcome;

  @Label("Block")
  @Description("The block number of the node")
  long block;

  @Label("Freed")
  @Description("The drop in the cache's bytes in use: the node's accounted bytes before, minus after"
      + " (0 for written; partial may be negative when the node had grown since it was last accounted)")
  @DataAmount
  long bytes;

  @Label("Written Back")
  @Description("Whether the node was dirty and written to the block file first")
  boolean dirty;

  /** A started event, or null when no recording wants it (nothing allocated then). */
  public static EvictionEvent start() {
    if (!TYPE.isEnabled()) {
      return null;
    }
    EvictionEvent e = new EvictionEvent();
    e.begin();
    return e;
  }

  /** Ends and commits {@code e} (from {@link #start}; null does nothing). */
  public static void finish(EvictionEvent e, String outcome, long block, long bytes, boolean dirty) {
    if (e == null) {
      return;
    }
    e.end();
    if (e.shouldCommit()) {
      e.outcome = outcome;
      e.block = block;
      e.bytes = bytes;
      e.dirty = dirty;
      e.commit();
    }
  }
}
