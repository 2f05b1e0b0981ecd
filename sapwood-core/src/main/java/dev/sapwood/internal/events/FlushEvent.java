package dev.sapwood.internal.events;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.EventType;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A flush of an internal node's buffers toward its children (TokuFT's flusher), with the cascade it
 * set off: by a writer ({@link #ROOT}, the writer waits: a write stall too), by the background
 * flusher a writer handed its root to ({@link #BACKGROUND}), or by the cleaner ({@link #CLEANER}).
 */
@Name("dev.sapwood.Flush")
@Label("Flush")
@Category("Sapwood")
@StackTrace(false) // frequent: a stack per event would cost more than the event
@Description("Messages moved down a B-epsilon tree from an internal node's buffers")
public final class FlushEvent extends jdk.jfr.Event {
  /** A writer flushed its gorged root itself (back-pressure). */
  public static final String ROOT = "root";
  /** The background flusher flushed a root a writer handed over. */
  public static final String BACKGROUND = "background";
  /** The cleaner flushed a heavy internal node. */
  public static final String CLEANER = "cleaner";

  private static final EventType TYPE = EventType.getEventType(FlushEvent.class);

  @Label("Kind")
  @Description("Who flushed: root (a writer, inline), background (the flusher thread) or cleaner")
  String kind;

  @Label("Block")
  @Description("The block number of the node flushed from")
  long block;

  @Label("Height")
  @Description("The node's height: 1 flushes into leaves")
  int height;

  @Label("Buffered")
  @Description("Bytes in the node's buffers when the flush began")
  @DataAmount
  long bytesBefore;

  /** A started event, or null when no recording wants it (nothing allocated then). */
  public static FlushEvent start(String kind, long block, int height, long bytesBefore) {
    if (!TYPE.isEnabled()) {
      return null;
    }
    FlushEvent e = new FlushEvent();
    e.kind = kind;
    e.block = block;
    e.height = height;
    e.bytesBefore = bytesBefore;
    e.begin();
    return e;
  }

  /** Ends and commits {@code e} (from {@link #start}; null does nothing). */
  public static void finish(FlushEvent e) {
    if (e == null) {
      return;
    }
    e.end();
    if (e.shouldCommit()) {
      e.commit();
    }
  }
}
