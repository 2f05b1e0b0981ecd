package dev.sapwood.internal.engine;

import dev.sapwood.BulkLoader;
import dev.sapwood.Limits;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.StagedBlocks;
import dev.sapwood.internal.tree.BulkBuilder;
import dev.sapwood.internal.tree.TreeContext;
import java.util.Arrays;

/**
 * A bulk load of one tree ({@link BulkLoader}): checks the order of the keys, hands the entries to
 * the {@link BulkBuilder} (whose nodes go to the block file staged, unmapped), installs the built
 * tree with no reader or writer inside the database, then checkpoints.
 *
 * <p>Recovery: nothing of the load is logged, and its blocks are staged ({@link StagedBlocks}): no
 * checkpoint refers to them until the install, which the checkpoint finish takes right after makes
 * durable. A crash before that checkpoint's header is written reopens the previous checkpoint, in
 * which the tree is empty and the staged space is free; a crash after it reopens the whole load.
 *
 * <p>Invariants: at most one load per tree is open ({@link TreeImpl#beginLoad}); once the load is
 * abandoned or installed, the staging holds nothing and the tree's load slot is free again. Not
 * thread-safe (one owner, as {@link BulkLoader} says).
 */
final class BulkLoad implements BulkLoader {
  private enum State { OPEN, BUILT, DONE, ABANDONED }

  private final DatabaseImpl db;
  private final BulkLoads loads;
  private final TreeImpl tree;
  private final StagedBlocks staged;
  private final TreeContext ctx;
  private final Counters counters;
  private final BulkBuilder builder;
  private State state = State.OPEN;
  private BulkBuilder.Built built;
  /** The previous key, in a reused buffer (no allocation per entry). */
  private byte[] previous = new byte[64];
  private int previousLength = -1;

  BulkLoad(DatabaseImpl db, BulkLoads loads, TreeImpl tree, StagedBlocks staged, TreeContext ctx, Counters counters,
      double fill) {
    this.db = db;
    this.loads = loads;
    this.tree = tree;
    this.staged = staged;
    this.ctx = ctx;
    this.counters = counters;
    this.builder = new BulkBuilder(ctx, staged, ctx.lastMsn(), fill, loads::write);
    if (!db.read(() -> tree.beTree().isEmptyForLoad())) {
      throw new IllegalStateException("tree '" + tree.name() + "' is not empty: a bulk load needs an empty tree");
    }
    if (!tree.beginLoad()) {
      throw new IllegalStateException("another bulk load of tree '" + tree.name() + "' is open");
    }
  }

  @Override
  public void add(byte[] key, byte[] value) {
    checkState(State.OPEN);
    try {
      db.checkOpen(); // a closed database abandons the load
      Limits.checkKey(key);
      Limits.checkValue(value);
      if (previousLength >= 0 && Arrays.compareUnsigned(key, 0, key.length, previous, 0, previousLength) <= 0) {
        throw new IllegalArgumentException("bulk load of tree '" + tree.name() + "': key " + (builder.entries() + 1)
            + " (" + KeysText.hex(key) + ") is not above the key before it (" + KeysText.hex(previous, previousLength)
            + "); keys must be strictly ascending");
      }
      builder.add(key, value);
    } catch (RuntimeException | Error e) {
      abandon();
      throw e;
    }
    if (previous.length < key.length) {
      previous = new byte[Math.max(key.length, previous.length * 2)];
    }
    System.arraycopy(key, 0, previous, 0, key.length);
    previousLength = key.length;
  }

  @Override
  public long finish() {
    if (state == State.OPEN) {
      try {
        built = builder.finish();
      } catch (RuntimeException | Error e) {
        abandon();
        throw e;
      }
      state = State.BUILT;
    }
    checkState(State.BUILT);
    if (built == null) {
      done(); // no entries: nothing to install
      return 0;
    }
    boolean[] snapshotsOpen = new boolean[1];
    try {
      loads.install(() -> {
        if (ctx.snapshots.openCount() > 0) {
          snapshotsOpen[0] = true;
          throw new IllegalStateException(ctx.snapshots.openCount() + " snapshots or transactions are open: a bulk"
              + " load installs only when none is (they would see it); finish again once they are closed");
        }
        if (!tree.beTree().isEmptyForLoad()) {
          throw new IllegalStateException("tree '" + tree.name() + "' was written since the bulk load began: it"
              + " installs only into an empty tree");
        }
      }, () -> tree.beTree().installLoad(built));
    } catch (RuntimeException | Error e) {
      if (!snapshotsOpen[0]) {
        abandon();
      }
      throw e;
    }
    done();
    counters.counter("bulk.loads").increment();
    counters.counter("bulk.entries").add(built.entries());
    counters.counter("bulk.nodes_written").add(builder.nodesWritten());
    counters.counter("bulk.bytes_written").add(staged.bytes());
    db.checkpoint();
    return built.entries();
  }

  @Override
  public void close() {
    if (state == State.OPEN || state == State.BUILT) {
      abandon();
    }
  }

  private void done() {
    state = State.DONE;
    tree.endLoad();
  }

  private void abandon() {
    state = State.ABANDONED;
    counters.counter("bulk.abandoned").increment();
    staged.discard();
    tree.endLoad();
  }

  private void checkState(State expected) {
    if (state != expected) {
      throw new IllegalStateException("bulk load of tree '" + tree.name() + "' is "
          + (state == State.DONE ? "finished" : state == State.ABANDONED ? "abandoned" : "built") + ": no more "
          + (expected == State.OPEN ? "entries" : "finish"));
    }
  }

  /** Short hex forms of keys for messages. */
  private static final class KeysText {
    static String hex(byte[] k) {
      return hex(k, k.length);
    }

    static String hex(byte[] k, int len) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < Math.min(len, 32); i++) {
        sb.append(String.format("%02x", k[i] & 0xff));
      }
      return len > 32 ? sb + "..." : sb.toString();
    }
  }
}
