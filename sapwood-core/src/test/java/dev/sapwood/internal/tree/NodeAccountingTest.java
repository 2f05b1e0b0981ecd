package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.UpdateFunctions;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.store.Header;
import dev.sapwood.internal.util.Compressors;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What the cache counts a node at is what the node holds: for every cached node, warm (built by
 * writes, buffers grown by flushes) and cold (fetched partition by partition), its accounted bytes
 * are within {@link #SLACK} of the heap its arrays and objects really take, measured by walking
 * them (array capacities, not bytes used). A node that kept spare capacity the accounting ignores,
 * or an accounting that counts what is not there, fails it.
 */
class NodeAccountingTest {
  /** Allowed divergence: a tenth of the node plus 2 KiB (object headers the estimate rounds). */
  static long slack(long real) {
    return real / 10 + 2048;
  }

  private static final FunctionResolver BUILT_INS = name -> UpdateFunctions.builtIns().stream()
      .filter(f -> f.name().equals(name)).findFirst().orElseThrow();

  private final BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/db/acct.sap"),
      new Header.Settings(64 << 10, 4 << 10, 8, Compressors.LZ4));

  private TreeContext context(long cacheBytes) {
    return new TreeContext(file, cacheBytes, 64 << 10, 4 << 10, 8, Compressors.LZ4, BUILT_INS, 0, new Counters());
  }

  private static byte[] key(int i) {
    return String.format("key%08d", i).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] value(int i) {
    byte[] v = new byte[40 + i % 60];
    Arrays.fill(v, (byte) i);
    return v;
  }

  @Test
  void everyCachedNodeIsAccountedAtWhatItsArraysHold() {
    int n = 60_000;
    TreeContext warm = context(64 << 20);
    long root = BeTree.create(warm);
    BeTree tree = new BeTree(warm, root);
    for (int i = 0; i < n; i++) {
      tree.put(key((int) ((i * 7919L) % n)), value(i));
    }
    int[] warmNodes = check(warm, "warm");
    assertTrue(warmNodes[0] > 0 && warmNodes[1] > 0, "the warm tree has internal nodes and leaves: " + Arrays.toString(warmNodes));
    warm.nodes.writeDirtyNodes();
    file.checkpoint(root, warm.lastMsn(), 0);

    TreeContext cold = context(64 << 20);
    BeTree coldTree = new BeTree(cold, root);
    for (int i = 0; i < n; i += 997) {
      assertArrayEquals(value(indexOf(i, n)), coldTree.get(key(i)));
    }
    int[] coldNodes = check(cold, "cold");
    assertTrue(coldNodes[0] > 0 && coldNodes[1] > 0, "the cold reads cached both kinds: " + Arrays.toString(coldNodes));
  }

  /** The i with key((i * 7919) % n) == key(k). */
  private static int indexOf(int k, int n) {
    for (int i = 0; i < n; i++) {
      if ((i * 7919L) % n == k) {
        return i;
      }
    }
    throw new AssertionError(k);
  }

  /** Checks every cached node; returns {internal nodes, leaves} checked. */
  private static int[] check(TreeContext ctx, String what) {
    int[] kinds = new int[2];
    long[] sums = new long[2];
    ctx.cache.forEach(node -> {
      long real = DeepSize.of(node);
      long accounted = ctx.cache.accountedBytes(node);
      assertTrue(Math.abs(accounted - real) <= slack(real), what + " node " + node.key() + " at height " + node.height
          + ": accounted " + accounted + " B, holds " + real + " B");
      kinds[node.height > 0 ? 0 : 1]++;
      sums[0] += real;
      sums[1] += accounted;
    });
    System.out.println("NodeAccountingTest " + what + ": " + kinds[0] + " internal, " + kinds[1] + " leaves, hold "
        + sums[0] + " B, accounted " + sums[1] + " B");
    return kinds;
  }

  /**
   * The heap a node reaches through its own fields: arrays at their capacity and objects of the
   * tree package, with 12-byte headers, 4-byte references and 8-byte alignment (a 64-bit JVM
   * with compressed references, as the cache's estimates assume). It does not follow into
   * another node, the cache's latch or counters, nor a flush's transient view.
   */
  static final class DeepSize {
    private static final Set<String> SKIP = Set.of("FlushView", "Versions");

    static long of(Node node) {
      Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
      ArrayDeque<Object> todo = new ArrayDeque<>();
      todo.add(node);
      seen.add(node);
      long total = 0;
      while (!todo.isEmpty()) {
        Object o = todo.poll();
        Class<?> c = o.getClass();
        if (c.isArray()) {
          int len = Array.getLength(o);
          Class<?> e = c.getComponentType();
          total += align(16 + (long) len * width(e));
          if (!e.isPrimitive()) {
            for (int i = 0; i < len; i++) {
              follow(Array.get(o, i), seen, todo);
            }
          }
          continue;
        }
        long shallow = 12;
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
          for (Field f : k.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
              continue;
            }
            shallow += width(f.getType());
            if (!f.getType().isPrimitive() && k.getPackageName().equals(Node.class.getPackageName())) {
              f.setAccessible(true);
              try {
                follow(f.get(o), seen, todo);
              } catch (IllegalAccessException ex) {
                throw new AssertionError(ex);
              }
            }
          }
        }
        total += align(shallow);
      }
      return total;
    }

    private static void follow(Object v, Set<Object> seen, ArrayDeque<Object> todo) {
      if (v == null || v instanceof Node || seen.contains(v)) {
        return;
      }
      Class<?> c = v.getClass();
      boolean ours = c.isArray() || c.getPackageName().equals(Node.class.getPackageName());
      if (ours && !SKIP.contains(c.getSimpleName()) && seen.add(v)) {
        todo.add(v);
      }
    }

    private static long width(Class<?> t) {
      if (!t.isPrimitive()) {
        return 4;
      }
      return t == long.class || t == double.class ? 8 : t == int.class || t == float.class ? 4
          : t == short.class || t == char.class ? 2 : 1;
    }

    private static long align(long n) {
      return (n + 7) & ~7L;
    }
  }
}
