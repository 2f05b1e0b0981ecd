package dev.sapwood.internal.engine;

import dev.sapwood.Database;
import dev.sapwood.Durability;
import dev.sapwood.Isolation;
import dev.sapwood.Snapshot;
import dev.sapwood.Transaction;
import dev.sapwood.Options;
import dev.sapwood.Stats;
import dev.sapwood.Tree;
import dev.sapwood.UpdateFunction;
import dev.sapwood.WriteBatch;
import dev.sapwood.internal.io.FileIo;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.tree.Background;
import dev.sapwood.internal.tree.TreeContext;
import dev.sapwood.internal.wal.LogReader;
import dev.sapwood.internal.wal.LogWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * An open database: the façade over its rooms — the {@link DatabaseGate} (lock, closed flag,
 * sticky failure), the {@link TreeRegistry}, the {@link WritePath} (single changes and batches,
 * and the rule that keeps the log in MSN order), recovery ({@link LogReplayer#recover}) — and the
 * block file, the shared node cache ({@link TreeContexts}), the write-ahead log, {@link
 * Maintenance} (checkpoints, {@code compact}, a backup's hold), the background flushes and cleaner
 * ({@link TreeUpkeep}), snapshots and transactions ({@link Transactor}), stats and close. The {@link
 * Checkpointer}'s monitor orders checkpoints, {@code compact}, a backup's hold and {@code close}.
 *
 * <p>Invariants: the gate's (a write path failed, or a read found damage: every later write
 * throws, reads go on); a checkpoint never begins while a batch is half applied (its begin takes
 * the gate's exclusive lock).
 */
public final class DatabaseImpl implements Database {
  /** Size after which the log starts a new segment. */
  static final long LOG_SEGMENT_BYTES = 64L << 20;

  private final Path dir;
  private final FileIo io;
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
  private final Maintenance maintenance;
  private final LogWriter log;
  private final WritePath writes;
  private final BackgroundTasks background;
  private final TreeUpkeep upkeep;
  /** Opened read-only ({@link Options#readOnly}): no log writer, no background tasks, no checkpoint. */
  private final boolean readOnly;
  /** The LSN after the last record recovery found (what a read-only database reports as the log's next). */
  private final long recoveredNextLsn;
  private final Conflicts conflicts = new Conflicts();
  private final TxnStats txnStats = new TxnStats(counters);
  private final Transactor transactor;
  private final OnlineOptimize optimizer;
  private final BulkLoads bulkLoads;

  DatabaseImpl(Path dir, FileIo io, DirectoryLock lock, BlockFile file, Options options, Catalog catalog,
      long catalogBlock) {
    this.dir = dir;
    this.io = io;
    this.lock = lock;
    this.file = file;
    this.options = options;
    this.functions = new FunctionRegistry(options.registeredFunctions());
    this.catalog = catalog;
    this.catalogBlock = catalogBlock;
    this.ctx = TreeContexts.open(file, options, functions, counters);
    this.readOnly = options.readOnly();
    this.gate = new DatabaseGate(file, readOnly);
    this.upkeep = new TreeUpkeep(gate, ctx, counters, options.nodeSize());
    this.trees = new TreeRegistry(this, ctx, catalog);
    this.checkpointer = new Checkpointer(file, ctx, counters);
    this.optimizer = new OnlineOptimize(gate, catalog, ctx, counters);
    this.bulkLoads = new BulkLoads(this, gate, file, ctx, counters);
    this.maintenance = new Maintenance(gate, file, checkpointer, catalog, catalogBlock, counters, trees, optimizer,
        options.nodeSize(), options.drainWhenQuiet());
    Path walDir = dir.resolve(DatabaseOpener.WAL_DIR);
    if (readOnly) {
      ctx.keepDirtyNodes(); // what the log replays stays in memory: the file takes no writes
    }
    LogReader.Result r = LogReplayer.recover(this, io, walDir, file.header().checkpointLsn(), counters, readOnly);
    this.recoveredNextLsn = r.nextLsn();
    this.log = readOnly ? null : new LogWriter(io, walDir, r.nextLsn(), LOG_SEGMENT_BYTES, counters,
        options.logCompression());
    this.writes = new WritePath(this, gate, trees, catalog, functions, log, options, ctx);
    ctx.snapshots.visibleFrom(writes::visibleMsn); // buffered messages fold only once visible (Combiner)
    maintenance.useLog(log);
    this.transactor = new Transactor(this, writes, ctx, options, txnStats, conflicts);
    if (readOnly) {
      this.background = null;
      return;
    }
    LogReplayer.checkpointReplayed(this, r, log);
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
  public Optional<Tree> findTree(String name) {
    TreeNames.check(name);
    return gate.read(() -> Optional.ofNullable(trees.get(name)));
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

  // ---- snapshots and transactions ----

  @Override
  public Snapshot snapshot() {
    return transactor.openSnapshot();
  }

  @Override
  public Transaction begin() {
    return begin(Isolation.SNAPSHOT);
  }

  @Override
  public Transaction begin(Isolation isolation) {
    return transactor.begin(isolation);
  }

  @Override
  public <T> T transact(Function<Transaction, T> body) {
    return transact(Isolation.SNAPSHOT, body);
  }

  @Override
  public <T> T transact(Isolation isolation, Function<Transaction, T> body) {
    java.util.Objects.requireNonNull(body, "body");
    return transactor.run(isolation, body);
  }

  /** Changes noted for live transactions (the write path notes them, transactions check them). */
  Conflicts conflicts() {
    return conflicts;
  }

  /** For tests only ({@link TestSeams#onExclusiveBatchStep}). */
  void onExclusiveBatchStep(Runnable step) {
    writes.onExclusiveBatchStep(step);
  }

  @Override
  public void sync() {
    if (readOnly) {
      gate.checkOpen(); // nothing was written, so nothing waits to be durable
      return;
    }
    writes.sync();
  }

  /** Syncs the log if anything written is not yet durable (the ASYNC interval). */
  void syncIfBehind() {
    writes.syncIfBehind();
  }

  // ---- maintenance: checkpoints, compact, optimize, backup ({@link Maintenance}) ----

  @Override
  public void checkpoint() {
    checkWritable();
    maintenance.checkpoint();
  }

  /**
   * The checkpoint thread's tick: a checkpoint if space waiting for release calls for one, else a
   * round giving free space back if writes have stopped (tests pass a later clock).
   */
  void checkpointIfSpaceWaits(long nowNanos) {
    maintenance.checkpointIfSpaceWaits(nowNanos, ctx.lastMsn());
  }

  /** Tests: the checkpoints' rules (space checkpoints, relocation per checkpoint). */
  Maintenance maintenance() {
    return maintenance;
  }

  @Override
  public void compact() {
    checkWritable();
    maintenance.compact(treeNames());
  }

  @Override
  public void optimize() {
    optimizer.optimizeAll(trees);
  }

  void optimize(TreeImpl t) {
    optimizer.optimize(t);
  }

  /** Tests: hooks into {@code compact}, before its later walks of a tree and in each relocation round. */
  void compactHooks(Runnable beforeWalk, Runnable afterRelocation) {
    optimizer.beforeCompactWalk(beforeWalk);
    maintenance.afterCompactRelocation(afterRelocation);
  }

  /** {@link #optimize(TreeImpl)} cut short after {@code maxSteps} steps (tests); whether it finished. */
  boolean optimize(TreeImpl t, long maxSteps) {
    return optimizer.optimize(t, maxSteps);
  }

  @Override
  public void backup(Path target) {
    java.util.Objects.requireNonNull(target, "target");
    gate.checkOpen();
    HotBackup.run(this, io, target);
  }

  /** A checkpoint, then a hold on it for {@link HotBackup} ({@link Maintenance#checkpointAndHold}). */
  dev.sapwood.internal.store.CheckpointCopy checkpointAndHold() {
    checkWritable();
    return maintenance.checkpointAndHold();
  }

  // ---- bulk loads ({@link BulkLoads}) ----

  /** A bulk load into {@code t} ({@link BulkLoads#start}); see {@link dev.sapwood.Tree#bulkLoader(double)}. */
  BulkLoad bulkLoad(TreeImpl t, double leafFill) {
    return bulkLoads.start(t, leafFill);
  }

  // ---- stats and close ----

  @Override
  public Stats stats() {
    return gate.read(() -> DatabaseStats.collect(counters, file, ctx, trees, log, recoveredNextLsn, txnStats));
  }

  @Override
  public void close() {
    new Closer(this, readOnly, ctx, background, checkpointer, gate, maintenance, log, file, lock).close();
  }

  boolean isClosed() {
    return gate.isClosed();
  }

  /** A simulated process death ({@link TestSeams#halt}): stops the threads, writes nothing. */
  void halt() {
    stopBackground();
    gate.markClosed();
    dev.sapwood.internal.jmx.DatabaseBean.unregister(this); // else the platform MBean server keeps it
  }

  /**
   * Tests ({@link TestSeams#stopBackground}): waits for the background task in progress and stops
   * the background threads; later flushes run on the writer's thread.
   */
  void stopBackground() {
    ctx.setBackground(Background.INLINE);
    if (background != null) {
      background.stop();
    }
  }

  /** Runs a background task on the trees under the same lock as a write ({@link TreeUpkeep#run}). */
  void runInBackground(Runnable task) {
    upkeep.run(task);
  }

  /**
   * Records {@code e}, which a background task threw, as the failure that stops writes ({@link
   * DatabaseGate#fail}), unless writes are refused already: then {@code e} is most likely that
   * refusal, and the failure or damage behind it stays the one the database reports.
   */
  void failFromBackground(Throwable e) {
    if (gate.failure() == null) {
      gate.fail(e);
    }
  }

  /** One cleaner pass ({@link TreeUpkeep#clean}). */
  void clean() {
    upkeep.clean();
  }

  /** Tests: the cleaner's passes without the gate or the budget, and its candidates. */
  TreeUpkeep upkeep() {
    return upkeep;
  }

  /** Runs a read under the gate's shared lock. */
  <T> T read(Supplier<T> op) {
    return gate.read(op);
  }

  void checkOpen() {
    gate.checkOpen();
  }

  /** @throws IllegalStateException if the database is closed or read-only (a write that changes nothing still fails) */
  void checkWritable() {
    gate.checkOpen();
    gate.checkNotReadOnly();
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
