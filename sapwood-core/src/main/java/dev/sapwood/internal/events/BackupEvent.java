package dev.sapwood.internal.events;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.EventType;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** A hot backup that completed ({@code Database.backup}): its whole duration, checkpoint included. */
@Name("dev.sapwood.Backup")
@Label("Backup")
@Category("Sapwood")
@Description("A hot backup of a database copied to a new directory")
public final class BackupEvent extends jdk.jfr.Event {
  private static final EventType TYPE = EventType.getEventType(BackupEvent.class);

  @Label("Target")
  String target;

  @Label("Copied")
  @Description("Bytes copied: the live blocks, the block table and the header slots")
  @DataAmount
  long bytes;

  /** A started event, or null when no recording wants it (nothing allocated then). */
  public static BackupEvent start() {
    if (!TYPE.isEnabled()) {
      return null;
    }
    BackupEvent e = new BackupEvent();
    e.begin();
    return e;
  }

  /** Ends and commits {@code e} (from {@link #start}; null does nothing). */
  public static void finish(BackupEvent e, String target, long bytes) {
    if (e == null) {
      return;
    }
    e.end();
    if (e.shouldCommit()) {
      e.target = target;
      e.bytes = bytes;
      e.commit();
    }
  }
}
