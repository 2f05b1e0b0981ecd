package dev.sapwood.internal.tree;

import static dev.sapwood.internal.tree.MessageBufferTest.add;
import static dev.sapwood.internal.tree.MessageBufferTest.b;
import static dev.sapwood.internal.tree.MessageBufferTest.key;
import static dev.sapwood.internal.tree.MessageBufferTest.str;
import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.SapwoodException;
import dev.sapwood.UpdateFunction;
import dev.sapwood.UpdateFunctions;
import dev.sapwood.internal.tree.MessageBufferTest.Msg;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class MessageApplierTest {

  /** Resolves the built-in update functions (and any extra ones given). */
  static FunctionResolver resolver(UpdateFunction... extra) {
    Map<String, UpdateFunction> fns = new HashMap<>();
    for (UpdateFunction f : UpdateFunctions.builtIns()) {
      fns.put(f.name(), f);
    }
    for (UpdateFunction f : extra) {
      fns.put(f.name(), f);
    }
    return name -> {
      UpdateFunction f = fns.get(name);
      if (f == null) {
        throw new SapwoodException("no update function " + name);
      }
      return f;
    };
  }

  static TreeMap<byte[], byte[]> newModel() {
    return new TreeMap<>(Arrays::compareUnsigned);
  }

  /** Collects what a merge emits, checking keys are strictly ascending. */
  static final class Collect implements MessageApplier.Sink {
    final TreeMap<byte[], byte[]> out = newModel();
    byte[] last;

    @Override
    public void emit(byte[] k, int kOff, int kLen, byte[] v, int vOff, int vLen) {
      byte[] key = Arrays.copyOfRange(k, kOff, kOff + kLen);
      if (last != null) {
        assertTrue(Keys.compare(last, key) < 0, "emitted out of order: " + str(last) + " then " + str(key));
      }
      last = key;
      out.put(key, Arrays.copyOfRange(v, vOff, vOff + vLen));
    }
  }

  static Basement basementOf(TreeMap<byte[], byte[]> entries, long maxMsn) {
    BasementBuilder bb = new BasementBuilder(Integer.MAX_VALUE, 64, maxMsn);
    entries.forEach((k, v) -> bb.emit(k, 0, k.length, v, 0, v.length));
    List<Basement> pieces = bb.finish();
    assertEquals(1, pieces.size());
    return pieces.get(0);
  }

  /** Applies one message to the model the way the tree's semantics say; counts failed updates. */
  static int applyToModel(TreeMap<byte[], byte[]> model, Msg m, FunctionResolver fns) {
    switch (m.type()) {
      case MessageType.PUT -> model.put(m.key(), m.value());
      case MessageType.DELETE -> model.remove(m.key());
      case MessageType.DELETE_RANGE -> model.subMap(m.key(), true, m.value(), false).clear();
      case MessageType.UPDATE -> {
        UpdateFunction f = fns.resolve(m.fn());
        byte[] result;
        try {
          result = f.apply(m.key(), model.get(m.key()), m.value());
        } catch (RuntimeException e) {
          return 1;
        }
        if (result == null) {
          model.remove(m.key());
        } else {
          model.put(m.key(), result);
        }
      }
      default -> fail("type " + m.type());
    }
    return 0;
  }

  private static List<Msg> randomMessages(Random rnd, int count, int keys) {
    List<Msg> out = new ArrayList<>();
    String[] fns = {"sapwood.append", "sapwood.add_long", "sapwood.put_if_absent"};
    for (int i = 0; i < count; i++) {
      long msn = i + 1;
      int t = rnd.nextInt(20);
      byte[] k = key(rnd.nextInt(keys));
      if (t < 8) {
        byte[] v = rnd.nextInt(3) == 0 ? UpdateFunctions.fromLong(rnd.nextInt(100)) : new byte[rnd.nextInt(6)];
        if (v.length != 8) {
          rnd.nextBytes(v);
        }
        out.add(new Msg(MessageType.PUT, msn, k, v, null));
      } else if (t < 12) {
        out.add(new Msg(MessageType.DELETE, msn, k, new byte[0], null));
      } else if (t < 19) {
        String fn = fns[rnd.nextInt(fns.length)];
        byte[] arg = fn.equals("sapwood.add_long") ? UpdateFunctions.fromLong(rnd.nextInt(1000) - 500) : b("u" + rnd.nextInt(9));
        out.add(new Msg(MessageType.UPDATE, msn, k, arg, fn));
      } else {
        int a = rnd.nextInt(keys);
        out.add(new Msg(MessageType.DELETE_RANGE, msn, key(a), key(a + 1 + rnd.nextInt(Math.max(1, keys / 4))), null));
      }
    }
    return out;
  }

  @Test
  void mergeEqualsApplyingTheMessagesOneByOneInMsnOrder() {
    FunctionResolver fns = resolver();
    for (long seed = 1; seed <= 300; seed++) {
      Random rnd = new Random(seed);
      int keys = 1 + rnd.nextInt(60);
      TreeMap<byte[], byte[]> initial = newModel();
      int initialCount = rnd.nextInt(keys + 1);
      for (int i = 0; i < initialCount; i++) {
        byte[] v = rnd.nextBoolean() ? UpdateFunctions.fromLong(rnd.nextInt(50)) : new byte[rnd.nextInt(5)];
        initial.put(key(rnd.nextInt(keys)), v);
      }
      List<Msg> msgs = randomMessages(rnd, rnd.nextInt(200), keys);
      long skip = rnd.nextInt(4) == 0 ? rnd.nextInt(msgs.size() + 1) : 0;
      Basement base = basementOf(initial, skip);

      TreeMap<byte[], byte[]> model = newModel();
      model.putAll(initial);
      int expectedFailures = 0;
      for (Msg m : msgs) {
        if (m.msn() > skip) {
          expectedFailures += applyToModel(model, m, fns);
        }
      }

      List<Msg> shuffled = new ArrayList<>(msgs);
      Collections.shuffle(shuffled, rnd);
      MessageBuffer buf = new MessageBuffer();
      shuffled.forEach(m -> add(buf, m));
      int[] failures = {0};
      MessageApplier applier = new MessageApplier(fns, (fn, cause) -> failures[0]++);
      Collect sink = new Collect();
      applier.apply(base, 0, base.count(), buf, 0, buf.pointCount(), null, null, skip, sink);

      assertModelEquals(model, sink.out, "seed " + seed + " skip " + skip);
      assertEquals(expectedFailures, failures[0], "failed updates, seed " + seed);
    }
  }

  @Test
  void mergeOfASubRangeOnlyTouchesThatRange() {
    FunctionResolver fns = resolver();
    for (long seed = 1; seed <= 100; seed++) {
      Random rnd = new Random(seed);
      int keys = 40;
      TreeMap<byte[], byte[]> initial = newModel();
      for (int i = 0; i < 30; i++) {
        initial.put(key(rnd.nextInt(keys)), new byte[] {(byte) i});
      }
      List<Msg> msgs = randomMessages(rnd, 150, keys);
      byte[] lo = key(rnd.nextInt(20));
      byte[] hi = key(20 + rnd.nextInt(21));
      Basement base = basementOf(initial, 0);
      MessageBuffer buf = new MessageBuffer();
      msgs.forEach(m -> add(buf, m));
      Collect sink = new Collect();
      new MessageApplier(fns, (f, c) -> {}).apply(base, base.lowerBound(lo), base.lowerBoundOrEnd(hi), buf,
          buf.lowerBound(lo), buf.lowerBoundOrEnd(hi), lo, hi, 0, sink);
      TreeMap<byte[], byte[]> model = newModel();
      model.putAll(initial);
      msgs.forEach(m -> applyToModel(model, m, fns));
      TreeMap<byte[], byte[]> expected = newModel();
      expected.putAll(model.subMap(lo, true, hi, false));
      assertModelEquals(expected, sink.out, "seed " + seed + " [" + str(lo) + ", " + str(hi) + ")");
    }
  }

  @Test
  void messagesAtOrBelowSkipMsnAreIgnored() {
    TreeMap<byte[], byte[]> initial = newModel();
    initial.put(key(1), b("one"));
    initial.put(key(2), b("two"));
    Basement base = basementOf(initial, 10);
    MessageBuffer buf = new MessageBuffer();
    add(buf, new Msg(MessageType.DELETE, 5, key(1), new byte[0], null)); // already applied
    add(buf, new Msg(MessageType.PUT, 10, key(3), b("three"), null)); // already applied (== skip)
    add(buf, new Msg(MessageType.DELETE_RANGE, 9, key(0), key(9), null)); // already applied
    add(buf, new Msg(MessageType.PUT, 11, key(2), b("TWO"), null));
    add(buf, new Msg(MessageType.UPDATE, 12, key(4), b("four"), "sapwood.append"));
    Collect sink = new Collect();
    new MessageApplier(resolver(), (f, c) -> fail("no update fails here"))
        .apply(base, 0, base.count(), buf, 0, buf.pointCount(), null, null, 10, sink);
    TreeMap<byte[], byte[]> expected = newModel();
    expected.put(key(1), b("one"));
    expected.put(key(2), b("TWO"));
    expected.put(key(4), b("four"));
    assertModelEquals(expected, sink.out, "skip 10");
  }

  @Test
  void aThrowingUpdateLeavesTheValueUnchangedAndIsReported() {
    UpdateFunction boom = new UpdateFunction() {
      @Override
      public String name() {
        return "test.boom";
      }

      @Override
      public byte[] apply(byte[] key, byte[] old, byte[] arg) {
        throw new IllegalStateException("boom on " + str(key));
      }
    };
    TreeMap<byte[], byte[]> initial = newModel();
    initial.put(key(1), b("keep"));
    initial.put(key(2), b("abc")); // not 8 bytes: ADD_LONG fails
    Basement base = basementOf(initial, 0);
    MessageBuffer buf = new MessageBuffer();
    add(buf, new Msg(MessageType.UPDATE, 1, key(1), b("x"), "test.boom"));
    add(buf, new Msg(MessageType.UPDATE, 2, key(1), b("!"), "sapwood.append")); // later update still applies
    add(buf, new Msg(MessageType.UPDATE, 3, key(2), UpdateFunctions.fromLong(5), "sapwood.add_long"));
    add(buf, new Msg(MessageType.UPDATE, 4, key(3), b("x"), "test.boom")); // absent key stays absent
    List<String> failed = new ArrayList<>();
    List<RuntimeException> causes = new ArrayList<>();
    Collect sink = new Collect();
    new MessageApplier(resolver(boom), (f, c) -> {
      failed.add(f);
      causes.add(c);
    }).apply(base, 0, base.count(), buf, 0, buf.pointCount(), null, null, 0, sink);
    TreeMap<byte[], byte[]> expected = newModel();
    expected.put(key(1), b("keep!"));
    expected.put(key(2), b("abc"));
    assertModelEquals(expected, sink.out, "after failing updates");
    assertEquals(List.of("test.boom", "sapwood.add_long", "test.boom"), failed);
    assertInstanceOf(IllegalStateException.class, causes.get(0));
  }

  @Test
  void basementBuilderSplitsAtTheTargetSizeAndEveryPieceIsSorted() {
    for (long seed = 1; seed <= 30; seed++) {
      Random rnd = new Random(seed);
      int target = 50 + rnd.nextInt(400);
      TreeMap<byte[], byte[]> entries = newModel();
      int count = rnd.nextInt(300);
      for (int i = 0; i < count; i++) {
        byte[] v = new byte[rnd.nextInt(rnd.nextInt(10) == 0 ? 600 : 40)];
        rnd.nextBytes(v);
        entries.put(b(String.format("key%05d", rnd.nextInt(100000))), v);
      }
      BasementBuilder bb = new BasementBuilder(target, rnd.nextInt(1000), 42);
      entries.forEach((k, v) -> bb.emit(k, 0, k.length, v, 0, v.length));
      List<Basement> pieces = bb.finish();
      String what = "seed " + seed + " target " + target;
      assertFalse(pieces.isEmpty(), what);
      List<byte[]> keys = new ArrayList<>();
      List<byte[]> values = new ArrayList<>();
      for (int p = 0; p < pieces.size(); p++) {
        Basement piece = pieces.get(p);
        assertEquals(42, piece.maxMsn(), what);
        if (entries.isEmpty()) {
          assertEquals(0, piece.count(), what);
          continue;
        }
        assertTrue(piece.count() > 0, what + ": empty piece " + p);
        int sum = 0;
        for (int i = 0; i < piece.count(); i++) {
          if (i > 0) {
            assertTrue(Keys.compare(piece.key(i - 1), piece.key(i)) < 0, what + ": piece " + p + " unsorted");
          }
          sum += Basement.ENTRY_OVERHEAD + piece.keyLen(i) + piece.valueLen(i);
          keys.add(piece.key(i));
          values.add(piece.value(i));
        }
        assertEquals(sum, piece.bytes(), what);
        assertTrue(piece.bytes() <= target || piece.count() == 1, what + ": piece " + p + " of " + piece.bytes() + " bytes");
        if (p + 1 < pieces.size()) {
          Basement next = pieces.get(p + 1);
          int firstNext = Basement.ENTRY_OVERHEAD + next.keyLen(0) + next.valueLen(0);
          assertTrue(piece.bytes() + firstNext > target, what + ": piece " + p + " closed early");
        }
        for (int i = 0; i < piece.count(); i++) {
          assertEquals(i, piece.find(piece.key(i)), what);
        }
      }
      assertEquals(entries.size(), keys.size(), what);
      int i = 0;
      for (Map.Entry<byte[], byte[]> e : entries.entrySet()) {
        assertArrayEquals(e.getKey(), keys.get(i), what);
        assertArrayEquals(e.getValue(), values.get(i), what);
        i++;
      }
    }
  }

  static void assertModelEquals(TreeMap<byte[], byte[]> expected, TreeMap<byte[], byte[]> actual, String what) {
    List<String> e = render(expected);
    List<String> a = render(actual);
    assertEquals(e, a, what);
  }

  static List<String> render(TreeMap<byte[], byte[]> m) {
    List<String> out = new ArrayList<>();
    m.forEach((k, v) -> out.add(new String(k, StandardCharsets.ISO_8859_1) + "=" + Arrays.toString(v)));
    return out;
  }
}
