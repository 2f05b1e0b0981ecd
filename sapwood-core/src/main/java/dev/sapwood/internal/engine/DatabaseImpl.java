package dev.sapwood.internal.engine;

import dev.sapwood.Database;
import dev.sapwood.DatabaseLockedException;
import dev.sapwood.Options;
import dev.sapwood.SapwoodException;
import dev.sapwood.Stats;
import dev.sapwood.StorageException;
import dev.sapwood.Tree;
import dev.sapwood.UpdateFunction;
import dev.sapwood.WriteBatch;
import dev.sapwood.internal.io.FileIo;
import dev.sapwood.internal.io.IoFile;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.store.Codecs;
import dev.sapwood.internal.store.Header;
import dev.sapwood.internal.tree.BeTree;
import dev.sapwood.internal.tree.TreeContext;
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
 * An open database: one block file, its catalog of trees, the shared node cache, and the lock that
 * orders operations against checkpoints and multi-key batches.
 *
 * <p>Locking: single operations run under the read side of {@code lock}; checkpoints, batches of
 * more than one operation, tree creation and dropping run under the write side, so a checkpoint
 * or a reader never sees part of a batch. Within the read side, trees latch their own nodes.
 *
 * <p>Invariants: once {@code failure} is set (a write path threw an I/O or corruption error, so
 * the in-memory trees may be half-changed), every later write throws a {@link StorageException}
 * carrying it; reads go on.
 */
public final class DatabaseImpl implements Database {
  static final String FILE_NAME = "sapwood.db";
  static final String LOCK_NAME = "LOCK";
  /** Bytes a checkpoint may move toward the start of the file. */
  static final long RELOCATE_PER_CHECKPOINT = 16L << 20;

  private final IoFile lockFile;
  private final BlockFile file;
  private final FunctionRegistry functions;
  private final Counters counters = new Counters();
  private final TreeContext ctx;
  private final Catalog catalog;
  private final long catalogBlock;
  private final Map<String, TreeImpl> trees = new ConcurrentHashMap<>();
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private volatile boolean closed;
  private volatile RuntimeException failure;

  private DatabaseImpl(IoFile lockFile, BlockFile file, Options options, Catalog catalog, long catalogBlock) {
    this.lockFile = lockFile;
    this.file = file;
    this.functions = new FunctionRegistry(options.registeredFunctions());
    this.catalog = catalog;
    this.catalogBlock = catalogBlock;
    this.ctx = new TreeContext(file, options.cacheSize(), options.nodeSize(), options.basementSize(),
        options.fanout(), Codecs.codeOf(options.compression()), functions, file.header().maxMsn(), counters);
    for (Map.Entry<String, Long> e : catalog.roots.entrySet()) {
      trees.put(e.getKey(), new TreeImpl(this, e.getKey(), new BeTree(ctx, e.getValue())));
    }
  }

  /** Opens or creates the database in {@code dir} through {@code io}. */
  public static DatabaseImpl open(Path dir, Options options, FileIo io) {
    IoFile lockFile;
    try {
      io.createDirectories(dir);
      lockFile = io.open(dir.resolve(LOCK_NAME));
      if (!lockFile.tryLock()) {
        lockFile.close();
        throw new DatabaseLockedException("database " + dir + " is already open (in this or another process)");
      }
    } catch (IOException e) {
      throw new StorageException("cannot open " + dir + ": " + e.getMessage(), e);
    }
    try {
      return openLocked(dir, options, io, lockFile);
    } catch (RuntimeException e) {
      try {
        lockFile.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private static DatabaseImpl openLocked(Path dir, Options options, FileIo io, IoFile lockFile) {
    Path path = dir.resolve(FILE_NAME);
    BlockFile file;
    Catalog catalog;
    long catalogBlock;
    if (!io.exists(path)) {
      file = BlockFile.create(io, path, new Header.Settings(options.nodeSize(), options.basementSize(),
          options.fanout(), Codecs.codeOf(options.compression())));
      catalog = new Catalog();
      catalogBlock = file.allocateBlockNumber();
      byte[] b = catalog.encode();
      file.writeBlock(catalogBlock, b, 0, b.length);
      file.checkpoint(catalogBlock, 0, 0);
    } else {
      file = BlockFile.open(io, path);
      catalogBlock = file.header().catalogBlock();
      try {
        if (!file.isMapped(catalogBlock)) {
          throw new dev.sapwood.CorruptionException(file.name(), -1, "catalog block " + catalogBlock + " is not in the block table");
        }
        catalog = Catalog.decode(file.readBlock(catalogBlock), file.name(), file.blockOffset(catalogBlock));
        FunctionRegistry reg = new FunctionRegistry(options.registeredFunctions());
        for (String fn : catalog.functions) {
          if (!reg.isRegistered(fn)) {
            throw new SapwoodException("database " + dir + " may hold update messages for function '" + fn
                + "', which is not registered: register it with Options.register");
          }
        }
      } catch (RuntimeException e) {
        file.close();
        throw e;
      }
    }
    return new DatabaseImpl(lockFile, file, options, catalog, catalogBlock);
  }

  // ---- operations ----

  @Override
  public Tree tree(String name) {
    checkTreeName(name);
    TreeImpl t = read(() -> trees.get(name));
    if (t != null) {
      return t;
    }
    return write(() -> trees.computeIfAbsent(name, n -> {
      long root = BeTree.create(ctx);
      catalog.roots.put(n, root);
      return new TreeImpl(this, n, new BeTree(ctx, root));
    }));
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
      BeTree doomed = t.beTree();
      t.markDropped();
      trees.remove(name);
      catalog.roots.remove(name);
      doomed.destroy();
      return null;
    });
  }

  @Override
  public void write(WriteBatch batch) {
    List<Runnable> ops = new ArrayList<>(batch.size());
    batch.forEach(new WriteBatch.Handler() {
      @Override
      public void put(Tree tree, byte[] key, byte[] value) {
        BeTree t = own(tree);
        ops.add(() -> t.put(key, value));
      }

      @Override
      public void delete(Tree tree, byte[] key) {
        BeTree t = own(tree);
        ops.add(() -> t.delete(key));
      }

      @Override
      public void update(Tree tree, byte[] key, UpdateFunction fn, byte[] argument) {
        BeTree t = own(tree);
        byte[] name = functionName(fn);
        ops.add(() -> t.update(key, name, argument));
      }
    });
    if (ops.isEmpty()) {
      checkOpen();
      return;
    }
    Supplier<Void> body = () -> {
      ops.forEach(Runnable::run);
      return null;
    };
    if (ops.size() == 1) {
      writeShared(body);
    } else {
      write(body);
    }
  }

  @Override
  public void checkpoint() {
    write(() -> {
      checkpointLocked();
      return null;
    });
  }

  @Override
  public void compact() {
    write(() -> {
      for (TreeImpl t : trees.values()) {
        t.beTree().flushAll();
      }
      // Space the last two checkpoints refer to is released two checkpoints on; after that the
      // blocks at the end move down, and two more checkpoints release their old places.
      checkpointLocked();
      checkpointLocked();
      file.relocateTail(Long.MAX_VALUE);
      checkpointLocked();
      checkpointLocked();
      return null;
    });
  }

  private void checkpointLocked() {
    ctx.writeDirtyNodes();
    // Move a bounded amount from the end of the file down when much of it is free, so the file
    // shrinks over a few checkpoints without a compaction.
    long moved = file.relocateTail(RELOCATE_PER_CHECKPOINT);
    counters.counter("checkpoint.relocated_bytes").add(moved);
    byte[] b = catalog.encode();
    file.writeBlock(catalogBlock, b, 0, b.length);
    file.checkpoint(catalogBlock, ctx.lastMsn(), 0);
    counters.counter("checkpoint.count").increment();
  }

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
      return new Stats(m);
    });
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      RuntimeException first = null;
      if (failure == null) {
        try {
          checkpointLocked();
        } catch (RuntimeException e) {
          first = e;
        }
      }
      file.close();
      try {
        lockFile.close();
      } catch (IOException e) {
        if (first == null) {
          first = new StorageException("cannot release the lock file: " + e.getMessage(), e);
        }
      }
      if (first != null) {
        throw first;
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  // ---- used by trees and cursors ----

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

  /** Runs a single-key change under the shared lock (trees latch their own nodes). */
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
      if (failure == null) {
        failure = e;
      }
      throw e;
    }
  }

  BeTree own(Tree tree) {
    if (!(tree instanceof TreeImpl t) || t.database() != this) {
      throw new IllegalArgumentException("tree " + tree.name() + " belongs to another database");
    }
    return t.beTree();
  }

  /** The stored name of {@code fn}, which must be registered; remembered in the catalog. */
  byte[] functionName(UpdateFunction fn) {
    String name = fn.name();
    if (!functions.isRegistered(name)) {
      throw new IllegalArgumentException("update function '" + name + "' is not registered (Options.register)");
    }
    if (!catalog.functions.contains(name) && !isBuiltIn(name)) {
      write(() -> catalog.functions.add(name));
    }
    return name.getBytes(StandardCharsets.UTF_8);
  }

  private static boolean isBuiltIn(String name) {
    return dev.sapwood.UpdateFunctions.builtIns().stream().anyMatch(f -> f.name().equals(name));
  }

  void checkOpen() {
    if (closed) {
      throw new IllegalStateException("database is closed");
    }
  }

  private void checkWritable() {
    checkOpen();
    RuntimeException f = failure;
    if (f != null) {
      throw new StorageException("database refuses writes after an earlier failure: " + f.getMessage(), f);
    }
  }

  private static void checkTreeName(String name) {
    if (name == null) {
      throw new IllegalArgumentException("tree name is null");
    }
    int len = name.getBytes(StandardCharsets.UTF_8).length;
    if (len == 0 || len > 255) {
      throw new IllegalArgumentException("tree name must be 1..255 UTF-8 bytes: '" + name + "'");
    }
  }
}
