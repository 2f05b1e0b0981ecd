package dev.sapwood.internal.events;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.EventType;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** A checkpoint: from its begin step to its durable header (docs/durability.md, "Checkpoints"). */
@Name("dev.sapwood.Checkpoint")
@Label("Checkpoint")
@Category("Sapwood")
@Description("A checkpoint: dirty nodes, the catalog and the block table written and fsynced")
public final class CheckpointEvent extends jdk.jfr.Event {
  private static final EventType TYPE = EventType.getEventType(CheckpointEvent.class);

  @Label("Checkpoint Count")
  @Description("The number of the checkpoint in the block file's header")
  long checkpoint;

  @Label("LSN")
  @Description("The log position the checkpoint covers: recovery replays the log from here")
  long lsn;

  @Label("Nodes Written")
  @Description("Dirty nodes the checkpoint wrote (those writers wrote for it first included)")
  long nodes;

  @Label("Relocated")
  @Description("Bytes of blocks moved from the end of the file toward its start")
  @DataAmount
  long relocatedBytes;

  @Label("Block File Size")
  @DataAmount
  long fileBytes;

  /** A started event, or null when no recording wants it (nothing allocated then). */
  public static CheckpointEvent start() {
    if (!TYPE.isEnabled()) {
      return null;
    }
    CheckpointEvent e = new CheckpointEvent();
    e.begin();
    return e;
  }

  /** Ends and commits {@code e} (from {@link #start}; null does nothing). */
  public static void finish(CheckpointEvent e, long checkpoint, long lsn, long nodes, long relocatedBytes,
      long fileBytes) {
    if (e == null) {
      return;
    }
    e.end();
    if (e.shouldCommit()) {
      e.checkpoint = checkpoint;
      e.lsn = lsn;
      e.nodes = nodes;
      e.relocatedBytes = relocatedBytes;
      e.fileBytes = fileBytes;
      e.commit();
    }
  }
}
