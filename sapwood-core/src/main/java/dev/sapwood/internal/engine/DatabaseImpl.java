package dev.sapwood.internal.engine;

import dev.sapwood.CorruptionException;
import dev.sapwood.Database;
import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.Stats;
import dev.sapwood.StorageException;
import dev.sapwood.SyncInterruptedException;
import dev.sapwood.Tree;
import dev.sapwood.UpdateFunction;
import dev.sapwood.UpdateFunctions;
import dev.sapwood.WriteBatch;
import dev.sapwood.internal.io.FileIo;
import dev.sapwood.internal.io.IoFile;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.tree.BeTree;
import dev.sapwood.internal.tree.Journal;
import dev.sapwood.internal.tree.TreeContext;
import dev.sapwood.internal.util.Compressors;
import dev.sapwood.internal.wal.LogReader;
import dev.sapwood.internal.wal.LogWriter;
import dev.sapwood.internal.wal.PayloadReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * An open database: the block file, the catalog of trees, the shared node cache, the write-ahead
 * log, and the lock that orders operations against checkpoint begins and multi-key batches.
 *
 * <p>Locking: single changes and reads run under the read side of {@code lock} (trees latch their
 * own nodes, and a single change is logged under its tree's root latch, so the log orders a key's
 * changes as the tree applies them); batches of several changes, tree creation and dropping,
 * {@code compact} and a checkpoint's begin run under the write side, so neither a reader nor a
 * checkpoint ever sees part of a batch. The {@link Checkpointer}'s monitor orders checkpoints,
 * {@code compact} and {@code close}.
 *
 * <p>Invariants: a change is in the log (if logged at all) before it changes a node; once {@code
 * failure} is set (a write path failed, so the trees in memory may be half-changed), or a read
 * found damage ({@link BlockFile#corruption()}: no checkpoint may complete any more), every later
 * write throws a {@link StorageException} carrying it, and reads go on.
 */
public final class DatabaseImpl implements Database {
  /** Bytes a checkpoint may move toward the start of the file. */
  static final long RELOCATE_PER_CHECKPOINT = 16L << 20;
  /** Size after which the log starts a new segment. */
  static final long LOG_SEGMENT_BYTES = 64L << 20;

  private final Path dir;
  private final IoFile lockFile;
  private final BlockFile file;
  private final Options options;
  private final FunctionRegistry functions;
  private final Counters counters = new Counters();
  private final TreeContext ctx;
  private final Catalog catalog;
  private final long catalogBlock;
  private final Map<String, TreeImpl> trees = new ConcurrentHashMap<>();
  private final Map<Integer, TreeImpl> treesById = new ConcurrentHashMap<>();
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Checkpointer checkpointer;
  private final LogWriter log;
  private final BackgroundTasks background;
  private volatile boolean closed;
  private volatile RuntimeException failure;

  DatabaseImpl(Path dir, FileIo io, IoFile lockFile, BlockFile file, Options options, Catalog catalog,
      long catalogBlock) {
    this.dir = dir;
    this.lockFile = lockFile;
    this.file = file;
    this.options = options;
    this.functions = new FunctionRegistry(options.registeredFunctions());
    this.catalog = catalog;
    this.catalogBlock = catalogBlock;
    this.ctx = new TreeContext(file, options.cacheSize(), options.nodeSize(), options.basementSize(),
        options.fanout(), Compressors.codeOf(options.compression()), functions, file.header().maxMsn(), counters);
    for (Map.Entry<String, Catalog.Entry> e : catalog.trees.entrySet()) {
      register(new TreeImpl(this, e.getKey(), e.getValue().id(), new BeTree(ctx, e.getValue().root())));
    }
    this.checkpointer = new Checkpointer(file, ctx, counters);
    Path walDir = dir.resolve(DatabaseOpener.WAL_DIR);
    LogReader.Result r = LogReader.recover(io, walDir, file.header().checkpointLsn(), this::replay);
    counters.counter("recovery.records_replayed").add(r.replayed());
    counters.counter("recovery.torn_bytes").add(r.tornBytes());
    this.log = new LogWriter(io, walDir, r.nextLsn(), LOG_SEGMENT_BYTES, counters);
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

  /** Opens or creates the database in {@code dir} through {@code io}. */
  public static DatabaseImpl open(Path dir, Options options, FileIo io) {
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

  TreeImpl treeById(int id) {
    return treesById.get(id);
  }

  boolean hasTree(String name) {
    return trees.containsKey(name);
  }

  void register(TreeImpl t) {
    trees.put(t.name(), t);
    treesById.put(t.id(), t);
  }

  // ---- recovery ----

  private void replay(long lsn, PayloadReader payload) {
    LogRecords.decode(payload, lsn, new LogReplayer(this, lsn, payload));
  }

  // ---- trees ----

  @Override
  public Tree tree(String name) {
    checkTreeName(name);
    TreeImpl t = read(() -> trees.get(name));
    if (t != null) {
      return t;
    }
    TreeImpl created = write(() -> {
      TreeImpl existing = trees.get(name);
      if (existing != null) {
        return existing;
      }
      long root = BeTree.create(ctx);
      int id = catalog.add(name, root);
      appendBytes(LogRecords.createTree(id, name));
      TreeImpl fresh = new TreeImpl(this, name, id, new BeTree(ctx, root));
      register(fresh);
      return fresh;
    });
    afterWrite(metadataDurability(), -1, false);
    return created;
  }

  @Override
  public List<String> treeNames() {
    return read(() -> new ArrayList<>(new TreeMap<>(trees).keySet()));
  }

  @Override
  public void dropTree(String name) {
    checkTreeName(name);
    write(() -> {
      TreeImpl t = trees.get(name);
      if (t == null) {
        throw new IllegalArgumentException("no tree named '" + name + "'");
      }
      appendBytes(LogRecords.dropTree(t.id()));
      drop(t);
      return null;
    });
    afterWrite(metadataDurability(), -1, false);
  }

  void drop(TreeImpl t) {
    BeTree doomed = t.beTree();
    t.markDropped();
    trees.remove(t.name());
    treesById.remove(t.id());
    catalog.trees.remove(t.name());
    doomed.destroy();
  }

  // ---- writes ----

  /** A single change through tree {@code t}, logged under its root latch. */
  void change(TreeImpl t, byte type, byte[] key, byte[] value, byte[] fn) {
    Durability d = options.durability();
    long[] lsn = {-1};
    Journal journal = d == Durability.NONE ? Journal.NONE : (ty, k, v, f) ->
        lsn[0] = appendBytes(LogRecords.single(ty, t.id(), k, v, f));
    writeShared(() -> {
      t.beTree().apply(type, key, value, fn, journal);
      return null;
    });
    afterWrite(d, lsn[0]);
  }

  private long appendBytes(byte[] payload) {
    return log.append(payload, 0, payload.length);
  }

  @Override
  public void write(WriteBatch batch) {
    write(batch, options.durability());
  }

  @Override
  public void write(WriteBatch batch, Durability durability) {
    java.util.Objects.requireNonNull(durability, "durability");
    List<Object[]> ops = new ArrayList<>(batch.size());
    LogRecords.BatchBuilder record = new LogRecords.BatchBuilder();
    batch.forEach(new WriteBatch.Handler() {
      @Override
      public void put(Tree tree, byte[] key, byte[] value) {
        add(own(tree), Journal.PUT, key, value, null);
      }

      @Override
      public void delete(Tree tree, byte[] key) {
        add(own(tree), Journal.DELETE, key, new byte[0], null);
      }

      @Override
      public void update(Tree tree, byte[] key, UpdateFunction fn, byte[] argument) {
        add(own(tree), Journal.UPDATE, key, argument, functionName(fn));
      }

      private void add(TreeImpl t, byte type, byte[] key, byte[] value, byte[] fn) {
        ops.add(new Object[] {t, type, key, value, fn});
        record.add(type, t.id(), key, value, fn);
      }
    });
    if (ops.isEmpty()) {
      checkOpen();
      return;
    }
    long[] lsn = {-1};
    write(() -> {
      for (Object[] op : ops) {
        ((TreeImpl) op[0]).beTree(); // a dropped tree fails the batch before anything is logged
      }
      if (durability != Durability.NONE) {
        lsn[0] = appendBytes(record.build());
      }
      for (Object[] op : ops) {
        ((TreeImpl) op[0]).beTree().apply((byte) op[1], (byte[]) op[2], (byte[]) op[3], (byte[]) op[4], Journal.NONE);
      }
      return null;
    });
    afterWrite(durability, lsn[0]);
  }

  /**
   * Creating and dropping a tree are always logged (later logged writes name the tree), with the
   * default durability, at least ASYNC.
   */
  private Durability metadataDurability() {
    return options.durability() == Durability.NONE ? Durability.ASYNC : options.durability();
  }

  /**
   * After a change is applied: wait for its durability (outside the database lock). A SYNC wait
   * gives up on an interrupt with a {@link SyncInterruptedException}, which fails nothing.
   */
  private void afterWrite(Durability d, long lsn) {
    afterWrite(d, lsn, true);
  }

  /** As above; creating or dropping a tree waits even if interrupted (the caller needs it done). */
  private void afterWrite(Durability d, long lsn, boolean interruptible) {
    try {
      if (d == Durability.SYNC) {
        long upTo = lsn >= 0 ? lsn : log.nextLsn() - 1;
        if (interruptible) {
          log.syncInterruptibly(upTo);
        } else {
          log.sync(upTo);
        }
      } else if (d == Durability.ASYNC) {
        log.write();
      }
    } catch (SyncInterruptedException e) {
      throw e;
    } catch (RuntimeException e) {
      fail(e);
      throw e;
    }
  }

  @Override
  public void sync() {
    checkWritable();
    afterWrite(Durability.SYNC, -1);
  }

  // ---- checkpoints ----

  @Override
  public void checkpoint() {
    file.checkCheckpointAllowed();
    synchronized (checkpointer) {
      long start = System.nanoTime();
      Checkpointer.Begun begun = write(() -> {
        long moved = file.relocateTail(RELOCATE_PER_CHECKPOINT);
        counters.counter("checkpoint.relocated_bytes").add(moved);
        return checkpointer.begin(log, catalog);
      });
      try {
        checkpointer.finish(begun, log, catalogBlock, start);
      } catch (RuntimeException e) {
        fail(e);
        throw e;
      }
    }
  }

  @Override
  public void compact() {
    file.checkCheckpointAllowed();
    synchronized (checkpointer) {
      write(() -> {
        for (TreeImpl t : trees.values()) {
          t.beTree().flushAll();
        }
        return null;
      });
      // Space the last two checkpoints refer to is released two checkpoints on; after that the
      // blocks at the end move down, and two more checkpoints release their old places.
      checkpoint();
      checkpoint();
      write(() -> file.relocateTail(Long.MAX_VALUE));
      checkpoint();
      checkpoint();
    }
  }

  // ---- stats and close ----

  @Override
  public Stats stats() {
    return read(() -> {
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
    if (closed) {
      return;
    }
    ctx.setBackground(dev.sapwood.internal.tree.Background.INLINE);
    background.stop(); // before taking the checkpointer: its thread may be waiting for it
    synchronized (checkpointer) {
      if (closed) {
        return;
      }
      RuntimeException first = null;
      RuntimeException failure = failure();
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
      lock.writeLock().lock();
      try {
        closed = true;
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
          lockFile.close();
        } catch (IOException e) {
          first = keepFirst(first, new StorageException("cannot release the lock file: " + e.getMessage(), e));
        }
      } finally {
        lock.writeLock().unlock();
      }
      if (first != null) {
        throw first;
      }
    }
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

  /** Syncs the log if anything written is not yet durable (the ASYNC interval). */
  void syncIfBehind() {
    if (!closed && failure == null && log.durableLsn() < log.nextLsn() - 1) {
      try {
        log.sync(log.nextLsn() - 1);
      } catch (RuntimeException e) {
        fail(e);
        throw e;
      }
    }
  }

  boolean isClosed() {
    return closed;
  }

  /**
   * Simulates the process dying, for crash tests: stops the background threads and marks the
   * database closed without writing, syncing or releasing anything (the caller then crashes the
   * file system, e.g. {@code MemoryFileIo.crash()}, which also drops the lock).
   */
  public void haltForCrashTest() {
    ctx.setBackground(dev.sapwood.internal.tree.Background.INLINE);
    background.stop();
    closed = true;
  }

  /** Runs a background task on the trees under the same lock as a write. */
  void runInBackground(Runnable task) {
    writeShared(() -> {
      task.run();
      return null;
    });
  }

  /** One cleaner pass: flushes the internal nodes whose buffers hold at least half a node. */
  void clean() {
    writeShared(() -> {
      long threshold = options.nodeSize() / 2;
      for (long block : ctx.cleanerCandidates(threshold, 4)) {
        ctx.clean(block, threshold);
      }
      counters.counter("cleaner.passes").increment();
      return null;
    });
  }

  // ---- locking helpers, used by trees and cursors ----

  /** Runs a read under the shared lock. */
  <T> T read(Supplier<T> op) {
    lock.readLock().lock();
    try {
      checkOpen();
      return op.get();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Runs a change under the shared lock (trees latch their own nodes). */
  <T> T writeShared(Supplier<T> op) {
    lock.readLock().lock();
    try {
      checkWritable();
      return failOnError(op);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Runs a change under the exclusive lock. */
  <T> T write(Supplier<T> op) {
    lock.writeLock().lock();
    try {
      checkWritable();
      return failOnError(op);
    } finally {
      lock.writeLock().unlock();
    }
  }

  private <T> T failOnError(Supplier<T> op) {
    try {
      return op.get();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw e;
    } catch (RuntimeException e) {
      fail(e);
      throw e;
    }
  }

  /**
   * What stops writes: the first failed write path, else the first damage a read found (a
   * checkpoint could not make the trees durable without the damaged block; the log keeps what was
   * acknowledged, and a reopen replays it onto the last checkpoint).
   */
  private RuntimeException failure() {
    RuntimeException f = failure;
    return f != null ? f : file.corruption();
  }

  private void fail(RuntimeException e) {
    synchronized (lock) {
      if (failure == null) {
        failure = e;
      }
    }
  }

  TreeImpl own(Tree tree) {
    if (!(tree instanceof TreeImpl t) || t.database() != this) {
      throw new IllegalArgumentException("tree " + tree.name() + " belongs to another database");
    }
    t.beTree();
    return t;
  }

  /** The stored name of {@code fn}, which must be registered; remembered in the catalog. */
  byte[] functionName(UpdateFunction fn) {
    String name = fn.name();
    if (!functions.isRegistered(name)) {
      throw new IllegalArgumentException("update function '" + name + "' is not registered (Options.register)");
    }
    if (!isBuiltIn(name)) {
      catalog.functions.add(name);
    }
    return name.getBytes(StandardCharsets.UTF_8);
  }

  static boolean isBuiltIn(String name) {
    return UpdateFunctions.builtIns().stream().anyMatch(f -> f.name().equals(name));
  }

  void checkOpen() {
    if (closed) {
      throw new IllegalStateException("database is closed");
    }
  }

  private void checkWritable() {
    checkOpen();
    RuntimeException f = failure();
    if (f != null) {
      throw new StorageException("database refuses writes after an earlier failure: " + f.getMessage(), f);
    }
  }

  private static void checkTreeName(String name) {
    TreeNames.check(name);
  }
}
