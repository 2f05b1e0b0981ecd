package dev.sapwood.internal.engine;

import dev.sapwood.CorruptionException;
import dev.sapwood.Database;
import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.Stats;
import dev.sapwood.StorageException;
import dev.sapwood.Tree;
import dev.sapwood.UpdateFunction;
import dev.sapwood.WriteBatch;
import dev.sapwood.internal.io.FileIo;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.util.Compressors;
import dev.sapwood.internal.tree.Background;
import dev.sapwood.internal.tree.TreeContext;
import dev.sapwood.internal.wal.LogReader;
import dev.sapwood.internal.wal.LogWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * An open database: the façade over its rooms — the {@link DatabaseGate} (lock, closed flag,
 * sticky failure), the {@link TreeRegistry}, the {@link WritePath} (single changes and batches,
 * and the rule that keeps the log in MSN order), recovery ({@link LogReplayer#recover}) — and the
 * block file, the shared node cache, the write-ahead log, checkpoints, {@code compact}, stats and
 * close. The {@link Checkpointer}'s monitor orders checkpoints, {@code compact} and {@code close}.
 *
 * <p>Invariants: the gate's (a write path failed, or a read found damage: every later write
 * throws, reads go on); a checkpoint never begins while a batch is half applied (its begin takes
 * the gate's exclusive lock).
 */
public final class DatabaseImpl implements Database {
  /** Bytes a checkpoint may move toward the start of the file. */
  static final long RELOCATE_PER_CHECKPOINT = 16L << 20;
  /** Size after which the log starts a new segment. */
  static final long LOG_SEGMENT_BYTES = 64L << 20;

  private final Path dir;
  private final DirectoryLock lock;
  private final BlockFile file;
  private final Options options;
  private final FunctionRegistry functions;
  private final Counters counters = new Counters();
  private final TreeContext ctx;
  private final Catalog catalog;
  private final long catalogBlock;
  private final DatabaseGate gate;
  private final TreeRegistry trees;
  private final Checkpointer checkpointer;
  private final LogWriter log;
  private final WritePath writes;
  private final BackgroundTasks background;
  private final OnlineOptimize optimizer;

  DatabaseImpl(Path dir, FileIo io, DirectoryLock lock, BlockFile file, Options options, Catalog catalog,
      long catalogBlock) {
    this.dir = dir;
    this.lock = lock;
    this.file = file;
    this.options = options;
    this.functions = new FunctionRegistry(options.registeredFunctions());
    this.catalog = catalog;
    this.catalogBlock = catalogBlock;
    this.ctx = new TreeContext(file, options.cacheSize(), options.nodeSize(), options.basementSize(),
        options.fanout(), Compressors.codeOf(options.compression()), functions, file.header().maxMsn(), counters);
    this.gate = new DatabaseGate(file);
    this.trees = new TreeRegistry(this, ctx, catalog);
    this.checkpointer = new Checkpointer(file, ctx, counters);
    this.optimizer = new OnlineOptimize(gate, catalog, ctx, counters);
    Path walDir = dir.resolve(DatabaseOpener.WAL_DIR);
    LogReader.Result r = LogReplayer.recover(this, io, walDir, file.header().checkpointLsn(), counters);
    this.log = new LogWriter(io, walDir, r.nextLsn(), LOG_SEGMENT_BYTES, counters);
    this.writes = new WritePath(this, gate, trees, catalog, functions, log, options);
    try {
      if (r.replayed() > 0) {
        checkpoint(); // what was replayed is durable in the block file; the next open replays less
      }
    } catch (RuntimeException e) {
      try {
        log.close();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    this.background = new BackgroundTasks(this, options, System.getLogger(DatabaseImpl.class.getName()));
    ctx.setBackground(background);
  }

  /** Opens or creates the database in {@code dir} through {@code io} ({@link Engine}, {@link TestSeams}). */
  static DatabaseImpl open(Path dir, Options options, FileIo io) {
    DatabaseImpl db = DatabaseOpener.open(dir, options, io);
    dev.sapwood.internal.jmx.DatabaseBean.register(db, dir);
    return db;
  }

  Catalog catalog() {
    return catalog;
  }

  TreeContext treeContext() {
    return ctx;
  }

  FunctionRegistry functions() {
    return functions;
  }

  Path dir() {
    return dir;
  }

  TreeRegistry trees() {
    return trees;
  }

  // ---- trees and writes: the registry and the write path ----

  @Override
  public Tree tree(String name) {
    TreeNames.check(name);
    return writes.tree(name);
  }

  @Override
  public List<String> treeNames() {
    return gate.read(trees::names);
  }

  @Override
  public void dropTree(String name) {
    TreeNames.check(name);
    writes.dropTree(name);
  }

  /** A single change through tree {@code t} ({@link WritePath#change}). */
  void change(TreeImpl t, byte type, byte[] key, byte[] value, byte[] fn) {
    writes.change(t, type, key, value, fn);
  }

  @Override
  public void write(WriteBatch batch) {
    writes.write(batch, options.durability());
  }

  @Override
  public void write(WriteBatch batch, Durability durability) {
    writes.write(batch, durability);
  }

  @Override
  public void sync() {
    writes.sync();
  }

  /** Syncs the log if anything written is not yet durable (the ASYNC interval). */
  void syncIfBehind() {
    writes.syncIfBehind();
  }

  // ---- checkpoints ----

  @Override
  public void checkpoint() {
    file.checkCheckpointAllowed();
    synchronized (checkpointer) {
      long start = System.nanoTime();
      // Tail relocation copies blocks: under the shared side, like a write, never the exclusive
      // one (BlockFile's relocator re-checks each move against writes and frees made meanwhile).
      long moved = gate.writeShared(() -> file.relocateTail(RELOCATE_PER_CHECKPOINT));
      counters.counter("checkpoint.relocated_bytes").add(moved);
      Checkpointer.Begun begun = gate.write(() -> checkpointer.begin(log, catalog));
      try {
        checkpointer.finish(begun, log, catalogBlock, start);
      } catch (RuntimeException e) {
        gate.fail(e);
        throw e;
      }
    }
  }

  @Override
  public void compact() {
    file.checkCheckpointAllowed();
    // Online: the buffers are drained one path at a time (optimize), and blocks move under the
    // shared side; readers and writers go on throughout, waiting at most for one optimize step or
    // a checkpoint's begin. Changes written meanwhile may stay buffered.
    for (String name : treeNames()) {
      TreeImpl t = gate.read(() -> trees.get(name));
      if (t != null) {
        optimizer.compactTree(t);
      }
    }
    synchronized (checkpointer) {
      // Space the last two checkpoints refer to is released two checkpoints on; after that the
      // blocks at the end move down, and two more checkpoints release their old places.
      checkpoint();
      checkpoint();
      gate.writeShared(() -> file.relocateTail(Long.MAX_VALUE));
      checkpoint();
      checkpoint();
    }
  }

  // ---- stats and close ----

  @Override
  public void optimize() {
    for (String name : treeNames()) {
      TreeImpl t = gate.read(() -> trees.get(name));
      if (t != null) {
        optimize(t);
      }
    }
  }

  void optimize(TreeImpl t) {
    optimizer.optimize(t);
  }

  /** {@link #optimize(TreeImpl)} cut short after {@code maxSteps} steps (tests); whether it finished. */
  boolean optimize(TreeImpl t, long maxSteps) {
    return optimizer.optimize(t, maxSteps);
  }

  @Override
  public Stats stats() {
    return gate.read(() -> {
      Map<String, Long> m = new TreeMap<>(counters.snapshot());
      m.putAll(file.counters());
      m.put("cache.used_bytes", ctx.cacheUsedBytes());
      m.put("cache.budget_bytes", ctx.cacheBudgetBytes());
      m.put("cache.nodes", (long) ctx.cachedNodes());
      m.put("db.trees", (long) trees.size());
      m.put("db.last_msn", ctx.lastMsn());
      m.put("log.next_lsn", log.nextLsn());
      m.put("log.durable_lsn", log.durableLsn());
      return new Stats(m);
    });
  }

  @Override
  public void close() {
    if (gate.isClosed()) {
      return;
    }
    ctx.setBackground(Background.INLINE);
    background.stop(); // before taking the checkpointer: its thread may be waiting for it
    synchronized (checkpointer) {
      if (gate.isClosed()) {
        return;
      }
      RuntimeException first = null;
      RuntimeException failure = gate.failure();
      if (failure == null) {
        try {
          checkpoint();
        } catch (RuntimeException e) {
          first = e;
        }
      } else if (failure instanceof CorruptionException) {
        // The log is synced at close: the next open replays it onto the last checkpoint.
        first = new CorruptionException(file.name(), -1, "closed without a checkpoint after a read"
            + " found damage; acknowledged writes are in the log: " + failure.getMessage(), failure);
      } else {
        // Nothing more can be made durable; say so, with the failure that stopped the writes.
        first = new StorageException("closed after a failure; writes since the last durable point are lost: "
            + failure.getMessage(), failure);
      }
      RuntimeException[] failed = {first};
      gate.closeWith(() -> failed[0] = releaseAll(failed[0]));
      if (failed[0] != null) {
        throw failed[0];
      }
    }
  }

  /** Closes the log, the block file and the lock, keeping the first failure ({@code first} if any). */
  private RuntimeException releaseAll(RuntimeException first) {
    dev.sapwood.internal.jmx.DatabaseBean.unregister(this);
    try {
      log.close();
    } catch (RuntimeException e) {
      first = keepFirst(first, e);
    }
    try {
      file.close();
    } catch (RuntimeException e) {
      first = keepFirst(first, e);
    }
    try {
      lock.release();
    } catch (RuntimeException e) {
      first = keepFirst(first, e);
    }
    return first;
  }

  /** The first failure of a close; later ones ride along as suppressed exceptions. */
  private static RuntimeException keepFirst(RuntimeException first, RuntimeException next) {
    if (first == null) {
      return next;
    }
    if (first != next) {
      first.addSuppressed(next);
    }
    return first;
  }

  boolean isClosed() {
    return gate.isClosed();
  }

  /** A simulated process death ({@link TestSeams#halt}): stops the threads, writes nothing. */
  void halt() {
    ctx.setBackground(Background.INLINE);
    background.stop();
    gate.markClosed();
  }

  /** Runs a background task on the trees under the same lock as a write. */
  void runInBackground(Runnable task) {
    gate.writeShared(() -> {
      task.run();
      return null;
    });
  }

  /** One cleaner pass: flushes the internal nodes whose buffers hold at least half a node. */
  void clean() {
    gate.writeShared(() -> {
      long threshold = options.nodeSize() / 2;
      for (long block : ctx.cleaner().candidates(threshold, 4)) {
        ctx.cleaner().clean(block, threshold);
      }
      counters.counter("cleaner.passes").increment();
      return null;
    });
  }

  /** Runs a read under the gate's shared lock. */
  <T> T read(Supplier<T> op) {
    return gate.read(op);
  }

  void checkOpen() {
    gate.checkOpen();
  }

  /** {@code tree} as this database's tree, checked not dropped. */
  TreeImpl own(Tree tree) {
    if (!(tree instanceof TreeImpl t) || t.database() != this) {
      throw new IllegalArgumentException("tree " + tree.name() + " belongs to another database");
    }
    t.beTree();
    return t;
  }

  /** The stored name of {@code fn} ({@link WritePath#storedName}). */
  byte[] functionName(UpdateFunction fn) {
    return writes.storedName(fn);
  }
}
