package dev.sapwood.internal.tree;

import static dev.sapwood.internal.tree.MessageBufferTest.b;
import static dev.sapwood.internal.tree.MessageBufferTest.key;
import static dev.sapwood.internal.tree.MessageBufferTest.points;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.UpdateFunction;
import dev.sapwood.UpdateFunctions;
import dev.sapwood.Xor8Function;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.tree.MessageBufferTest.Msg;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * The folding of a key's buffered messages ({@link Combiner}) message by message: which pairs
 * fold, into what, and what keeps them apart (a snapshot between them, a newer message not yet
 * visible, a range message between them, a function that does not combine).
 */
class CombinerTest {
  private static final byte[] ADD = b(UpdateFunctions.ADD_LONG.name());
  private static final byte[] APPEND = b(UpdateFunctions.APPEND.name());

  /** A user function that combines: XOR with an 8-byte argument (absent counts as zero). */
  static final UpdateFunction XOR8 = new Xor8Function("test.xor8");

  /** A user function that deletes the key. */
  static final UpdateFunction DELETER = new UpdateFunction() {
    @Override
    public String name() {
      return "test.deleter";
    }

    @Override
    public byte[] apply(byte[] key, byte[] old, byte[] arg) {
      return null;
    }
  };

  private final AtomicLong visible = new AtomicLong(Long.MAX_VALUE);
  private final SnapshotRegistry snapshots = new SnapshotRegistry(new Counters(), visible::get);
  private final LongAdder combined = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final Combiner combiner = new Combiner(MessageApplierTest.resolver(XOR8, DELETER), (fn, e) -> failed.increment(),
      snapshots, combined);
  private final MessageBuffer buf = new MessageBuffer();

  private void put(long msn, byte[] k, byte[] v) {
    buf.add(MessageType.PUT, msn, k, 0, k.length, v, 0, v.length, null, combiner);
  }

  private void delete(long msn, byte[] k) {
    buf.add(MessageType.DELETE, msn, k, 0, k.length, new byte[0], 0, 0, null, combiner);
  }

  private void update(long msn, byte[] k, byte[] fn, byte[] arg) {
    buf.add(MessageType.UPDATE, msn, k, 0, k.length, arg, 0, arg.length, fn, combiner);
  }

  private void deleteRange(long msn, byte[] from, byte[] to) {
    buf.add(MessageType.DELETE_RANGE, msn, from, 0, from.length, to, 0, to.length, null, combiner);
  }

  private static byte[] num(long v) {
    return UpdateFunctions.fromLong(v);
  }

  /** The bytes of the live records, summed from the lists: what {@link MessageBuffer#bytes} must say. */
  private int liveBytes() {
    int n = 0;
    for (int i = 0; i < buf.pointCount(); i++) {
      n += buf.recordSize(buf.point(i));
    }
    for (int i = 0; i < buf.rangeCount(); i++) {
      n += buf.recordSize(buf.range(i));
    }
    return n;
  }

  @Test
  void manyAddLongsOfOneKeyAreOneMessageInPlace() {
    for (int i = 1; i <= 10_000; i++) {
      update(i, key(1), ADD, num(i % 7 - 3));
      update(i + 100_000, key(2), ADD, num(1)); // interleaved: the other key's record follows
    }
    List<Msg> p = points(buf);
    assertEquals(2, p.size(), p.toString());
    long sum = 0;
    for (int i = 1; i <= 10_000; i++) {
      sum += i % 7 - 3;
    }
    assertArrayEquals(num(sum), p.get(0).value());
    assertEquals(10_000, p.get(0).msn());
    assertArrayEquals(num(10_000), p.get(1).value());
    assertEquals(liveBytes(), buf.bytes());
    assertEquals(19_998, combined.sum());
  }

  @Test
  void keysAlikeInTheirFirstEightBytesFoldOnlyWhenWholeAlike() {
    // the same kept prefix (first eight bytes, zero-padded): only the whole key decides
    byte[][] keys = {b("prefix00-a"), b("prefix00-b"), b("prefix00"), b("prefix00\0"), b("pre"), b("pre\0")};
    for (int round = 0; round < 3; round++) {
      for (int k = 0; k < keys.length; k++) {
        update(1 + round * keys.length + k, keys[k], ADD, num(k + 1));
      }
    }
    List<Msg> p = points(buf);
    assertEquals(keys.length, p.size(), p.toString());
    for (Msg m : p) {
      int k = 0;
      while (!java.util.Arrays.equals(keys[k], m.key())) {
        k++;
      }
      assertArrayEquals(num(3L * (k + 1)), m.value(), new String(m.key()));
    }
    // and keys whose prefixes differ are never compared as equal: a new key between two others
    update(100, b("prefix00-ab"), ADD, num(7));
    assertEquals(keys.length + 1, buf.pointCount());
  }

  @Test
  void anUpdateAfterAPutOrADeleteIsAppliedAtOnce() {
    put(1, key(1), b("ab"));
    update(2, key(1), APPEND, b("cd"));
    delete(3, key(2));
    update(4, key(2), ADD, num(5));
    put(5, key(3), b("not a long"));
    update(6, key(3), ADD, num(5)); // fails on a 10-byte value: skipped, the PUT stays
    List<Msg> p = points(buf);
    assertEquals(3, p.size(), p.toString());
    assertEquals(new Msg(MessageType.PUT, 2, key(1), b("abcd"), null).toString(), p.get(0).toString());
    assertEquals(new Msg(MessageType.PUT, 4, key(2), num(5), null).toString(), p.get(1).toString());
    assertEquals(new Msg(MessageType.PUT, 6, key(3), b("not a long"), null).toString(), p.get(2).toString());
    assertEquals(1, failed.sum());
    assertEquals(liveBytes(), buf.bytes());
  }

  @Test
  void aPutOrDeleteDropsWhatCameBeforeIt() {
    update(1, key(1), APPEND, b("x"));
    update(2, key(1), APPEND, b("y")); // appends do not combine
    assertEquals(2, buf.pointCount());
    put(3, key(1), b("v"));
    assertEquals(1, buf.pointCount());
    delete(4, key(1));
    List<Msg> p = points(buf);
    assertEquals(1, p.size());
    assertEquals(MessageType.DELETE, p.get(0).type());
    assertEquals(4, p.get(0).msn());
    assertEquals(liveBytes(), buf.bytes());
  }

  @Test
  void anUpdateThatDeletesFoldsIntoADelete() {
    put(1, key(1), num(1));
    update(2, key(1), b(XOR8.name()), num(0)); // XOR8 keeps 8 bytes: folded in place
    assertEquals(1, buf.pointCount());
    update(3, key(1), b(DELETER.name()), b("ignored"));
    List<Msg> p = points(buf);
    assertEquals(1, p.size());
    assertEquals(MessageType.DELETE, p.get(0).type());
    assertEquals(3, p.get(0).msn());
    update(4, key(1), b(UpdateFunctions.PUT_IF_ABSENT.name()), b("new"));
    p = points(buf);
    assertEquals(1, p.size());
    assertEquals(new Msg(MessageType.PUT, 4, key(1), b("new"), null).toString(), p.get(0).toString());
    assertEquals(liveBytes(), buf.bytes());
  }

  @Test
  void aUserFunctionsCombineIsUsedAndItsResultChecked() {
    update(1, key(1), b(XOR8.name()), num(3));
    update(2, key(1), b(XOR8.name()), num(5));
    List<Msg> p = points(buf);
    assertEquals(1, p.size());
    assertEquals(MessageType.UPDATE, p.get(0).type());
    assertArrayEquals(XOR8.apply(null, num(3), num(5)), p.get(0).value());
    update(3, key(1), b(XOR8.name()), new byte[3]); // combine throws: kept apart
    assertEquals(2, buf.pointCount());
  }

  @Test
  void aSnapshotBetweenTwoMessagesKeepsThemApart() {
    update(1, key(1), ADD, num(1));
    long s = snapshots.open(() -> 1);
    update(2, key(1), ADD, num(1));
    update(3, key(1), ADD, num(1)); // folds into 2: the snapshot at 1 sees neither
    List<Msg> p = points(buf);
    assertEquals(2, p.size(), p.toString());
    assertEquals(1, p.get(0).msn());
    assertArrayEquals(num(2), p.get(1).value());
    snapshots.close(s);
    update(4, key(1), ADD, num(1));
    assertEquals(1, buf.pointCount());
    assertArrayEquals(num(4), points(buf).get(0).value());
  }

  @Test
  void aMessageNotYetVisibleFoldsOnlyOnceTheNextOneComes() {
    visible.set(0);
    update(1, key(1), ADD, num(1));
    update(2, key(1), ADD, num(1));
    assertEquals(2, buf.pointCount()); // 2 is not visible: a snapshot may still open at 1
    visible.set(2);
    update(3, key(1), ADD, num(1)); // 3 is not visible, but 1 and 2 fold
    List<Msg> p = points(buf);
    assertEquals(2, p.size(), p.toString());
    assertEquals(2, p.get(0).msn());
    assertArrayEquals(num(2), p.get(0).value());
    assertEquals(3, p.get(1).msn());
  }

  @Test
  void aRangeMessageBetweenTwoUpdatesKeepsThemApart() {
    update(1, key(1), ADD, num(1));
    deleteRange(2, key(0), key(5));
    update(3, key(1), ADD, num(1));
    assertEquals(2, buf.pointCount());
    update(4, key(1), ADD, num(1)); // 3 and 4 have no range between them
    assertEquals(2, buf.pointCount());
    assertArrayEquals(num(2), points(buf).get(1).value());
    put(5, key(1), num(9)); // a put decides the key whatever the range did
    assertEquals(1, buf.pointCount());
  }

  @Test
  void deadRecordsAreCompactedInsteadOfGrowingTheArena() {
    visible.set(0);
    for (int i = 1; i <= 20_000; i++) {
      visible.set(i - 1); // as the engine: the newest message is not visible yet
      update(i, key(i % 3), ADD, num(1));
    }
    assertEquals(6, buf.pointCount());
    assertEquals(liveBytes(), buf.bytes());
    assertTrue(buf.memoryBytes() < 64 << 10, "arena grew to " + buf.memoryBytes());
    long total = 0;
    for (Msg m : points(buf)) {
      total += UpdateFunctions.toLong(m.value());
    }
    assertEquals(20_000, total);
  }

  /** An empty buffer: the run's first message has nothing before it, the rest fold into it. */
  @Test
  void aFlushIntoAnEmptyBufferFoldsTheRunsOwnMessages() {
    MessageBuffer child = new MessageBuffer();
    MessageBuffer incoming = new MessageBuffer();
    for (int i = 0; i < 20; i++) {
      incoming.add(MessageType.UPDATE, 10 + i, key(i % 2), 0, 4, num(1), 0, 8, ADD);
    }
    child.addSortedRun(incoming, 0, incoming.pointCount(), combiner);
    List<Msg> p = points(child);
    assertEquals(2, p.size(), p.toString());
    assertArrayEquals(num(10), p.get(0).value());
    assertArrayEquals(num(10), p.get(1).value());
    assertEquals(28, p.get(0).msn());
    assertEquals(29, p.get(1).msn());
    assertEquals(points(child).stream().mapToInt(Msg::size).sum(), child.bytes());
  }

  @Test
  void aFlushFoldsTheIncomingMessagesIntoTheChildsBuffer() {
    MessageBuffer child = new MessageBuffer();
    MessageBuffer incoming = new MessageBuffer();
    child.add(MessageType.UPDATE, 1, key(1), 0, 4, num(1), 0, 8, ADD);
    for (int i = 0; i < 20; i++) {
      incoming.add(MessageType.UPDATE, 10 + i, key(i % 2), 0, 4, num(1), 0, 8, ADD);
    }
    child.addSortedRun(incoming, 0, incoming.pointCount(), combiner);
    List<Msg> p = points(child);
    assertEquals(2, p.size(), p.toString());
    assertArrayEquals(num(10), p.get(0).value());
    assertArrayEquals(num(11), p.get(1).value());
    assertEquals(29, p.get(1).msn());
    assertEquals(UpdateFunctions.ADD_LONG.name(), p.get(0).fn());
    assertEquals(points(child).stream().mapToInt(Msg::size).sum(), child.bytes());
  }
}
