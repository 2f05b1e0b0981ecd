package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sapwood.internal.stats.Counters;
import org.junit.jupiter.api.Test;

/** Internal-node writes by cause, and the repeats: a node written more than once for one checkpoint interval. */
class InternalWritesTest {
  private final Counters c = new Counters();

  private long count(String name) {
    return c.counter("node_write.internal_" + name).sum();
  }

  @Test
  void aSpillAndTheCheckpointThatWritesTheSameIntervalAgainIsARepeat() {
    InternalWrites w = new InternalWrites(c);
    w.written(7, false, true, 100); // spilled in interval 0
    w.written(8, false, false, 50); // written back in interval 0
    assertEquals(0, count("repeats"));
    w.checkpointBegins(); // interval 1; the checkpoint writes interval 0's state
    w.written(7, true, false, 120);
    assertEquals(1, count("repeats"), "node 7 was written for interval 0 already");
    assertEquals(120, count("repeat_bytes"));
    w.written(9, true, false, 30); // first write of 9 for interval 0
    w.written(7, false, true, 110); // spilled again, in interval 1: its first write for it
    assertEquals(1, count("repeats"));
    w.written(7, false, true, 90); // and once more in interval 1
    assertEquals(2, count("repeats"));
    w.checkpointBegins();
    w.checkpointBegins(); // interval 3: older intervals forgotten, nothing counted twice
    w.written(7, false, true, 10);
    w.written(8, false, false, 10);
    assertEquals(2, count("repeats"));
    assertEquals(150, count("checkpoint_bytes"));
    assertEquals(310, count("spill_bytes"));
    assertEquals(60, count("writeback_bytes"));
  }
}
