package dev.sapwood.internal.engine;

import dev.sapwood.CorruptionException;
import dev.sapwood.DatabaseNotFoundException;
import dev.sapwood.Options;
import dev.sapwood.SapwoodException;
import dev.sapwood.StorageException;
import dev.sapwood.internal.io.FileIo;
import dev.sapwood.internal.io.IoErrors;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.store.Header;
import dev.sapwood.internal.util.Compressors;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Opens a database directory: takes the lock file, creates or opens the block file, reads the
 * catalog, merges the recorded tree shape with the caller's options ({@link StoredShape}) and
 * finds every update function the catalog names (registered, or through {@link
 * java.util.ServiceLoader}). Recovery (log replay, {@link LogReplayer#recover}) happens in {@link
 * DatabaseImpl}'s constructor. A read-only open ({@link Options#readOnly}) takes the lock shared
 * and creates, deletes and records nothing; neither it nor an open with {@link
 * Options#createIfMissing} false creates a database ({@code DatabaseNotFoundException}).
 */
final class DatabaseOpener {
  static final String FILE_NAME = "sapwood.db";
  static final String WAL_DIR = "wal";

  private DatabaseOpener() {}

  static DatabaseImpl open(Path dir, Options options, FileIo io) {
    if (options.readOnly() || !options.createIfMissing()) {
      requireDatabase(dir, options, io);
    }
    if (options.readOnly()) {
      return openReadOnly(dir, options, io);
    }
    try {
      io.createDirectories(dir);
    } catch (IOException e) {
      throw new StorageException("cannot open " + dir + ": " + IoErrors.describe(e), e);
    }
    DirectoryLock lock = DirectoryLock.take(io, dir);
    BlockFile file = null;
    try {
      Path path = dir.resolve(FILE_NAME);
      Catalog catalog;
      long catalogBlock;
      if (!options.createIfMissing()) {
        requireDatabase(dir, options, io); // again, under the lock
      }
      if (io.exists(path) && io.list(dir.resolve(WAL_DIR)).isEmpty() && unfinishedCreation(io, path)) {
        // A creation that crashed before its first checkpoint was durable: nothing was ever
        // acknowledged (the open that created it failed), so create it again.
        io.delete(path);
      }
      if (!io.exists(path)) {
        file = BlockFile.create(io, path, new Header.Settings(options.nodeSize(), options.basementSize(),
            options.fanout(), Compressors.codeOf(options.compression())));
        catalog = new Catalog();
        catalogBlock = file.allocateBlockNumber();
        byte[] b = catalog.encode();
        file.writeBlock(catalogBlock, b, 0, b.length);
        file.checkpoint(catalogBlock, 0, 0);
      } else {
        file = BlockFile.open(io, path);
        catalogBlock = file.header().catalogBlock();
        catalog = Catalog.read(file, catalogBlock);
        options = StoredShape.resolve(options, file.header().settings(), file.name());
        if (!StoredShape.of(options).equals(file.header().settings())) {
          file.recordSettings(StoredShape.of(options)); // an explicit override becomes the shape
        }
        options = withProvidedFunctions(dir, options, catalog);
      }
      return new DatabaseImpl(dir, io, lock, file, options, catalog, catalogBlock);
    } catch (IOException e) {
      StorageException se = new StorageException("cannot open " + dir + ": " + IoErrors.describe(e), e);
      closeAfterFailure(file, lock, se);
      throw se;
    } catch (RuntimeException e) {
      closeAfterFailure(file, lock, e);
      throw e;
    }
  }

  /**
   * A read-only open ({@link Options#readOnly}): a shared lock, the block file through a read-only
   * handle, the recorded shape taken as it is (nothing recorded), and recovery in memory only
   * ({@link DatabaseImpl}).
   */
  private static DatabaseImpl openReadOnly(Path dir, Options options, FileIo io) {
    DirectoryLock lock = DirectoryLock.takeShared(io, dir);
    BlockFile file = null;
    try {
      requireDatabase(dir, options, io); // again, under the lock
      file = BlockFile.openReadOnly(io, dir.resolve(FILE_NAME));
      long catalogBlock = file.header().catalogBlock();
      Catalog catalog = Catalog.read(file, catalogBlock);
      options = StoredShape.resolve(options, file.header().settings(), file.name());
      options = withProvidedFunctions(dir, options, catalog);
      return new DatabaseImpl(dir, io, lock, file, options, catalog, catalogBlock);
    } catch (RuntimeException e) {
      closeAfterFailure(file, lock, e);
      throw e;
    }
  }

  /**
   * @throws DatabaseNotFoundException if {@code dir} holds no database, or only one whose creation
   *     never finished (which an open that may create would create again)
   */
  private static void requireDatabase(Path dir, Options options, FileIo io) {
    Path path = dir.resolve(FILE_NAME);
    boolean unfinished;
    try {
      unfinished = io.exists(path) && io.list(dir.resolve(WAL_DIR)).isEmpty() && unfinishedCreation(io, path);
    } catch (IOException e) {
      throw new StorageException("cannot open " + dir + ": " + e.getMessage(), e);
    }
    if (!io.exists(path) || unfinished) {
      throw new DatabaseNotFoundException("no Sapwood database in " + dir + (unfinished ? " (its creation never finished)" : "")
          + (options.readOnly() ? "; a read-only open creates none" : "; Options.createIfMissing is false"));
    }
  }

  /**
   * {@code options} plus, for each function the catalog names that is not registered, the one
   * {@link java.util.ServiceLoader} provides ({@link FunctionRegistry}).
   *
   * @throws SapwoodException naming the first function found neither way
   */
  private static Options withProvidedFunctions(Path dir, Options options, Catalog catalog) {
    FunctionRegistry reg = new FunctionRegistry(options.registeredFunctions());
    java.util.Set<String> registered = new java.util.HashSet<>();
    options.registeredFunctions().forEach(f -> registered.add(f.name()));
    for (String fn : catalog.functions) {
      if (registered.contains(fn) || FunctionRegistry.isBuiltIn(fn)) {
        continue;
      }
      if (!reg.isRegistered(fn)) {
        throw new SapwoodException("database " + dir + " may hold update messages for function '" + fn
            + "', which is not registered: register it with Options.register, or put a jar providing it"
            + " (META-INF/services/dev.sapwood.UpdateFunction) on the class path (the command line: --functions JAR)");
      }
      options = options.register(reg.resolve(fn));
    }
    return options;
  }

  /**
   * Whether the block file was left by a creation that never finished: no header slot written,
   * or only the headers of checkpoint 0 (creation writes them, then the catalog, then the first
   * checkpoint before anything can be written to the database).
   */
  private static boolean unfinishedCreation(FileIo io, Path path) {
    if (BlockFile.headerSlotsEmpty(io, path)) {
      return true;
    }
    try (BlockFile f = BlockFile.openReadOnly(io, path)) {
      return f.header().checkpointCount() == 0;
    } catch (dev.sapwood.CorruptionException e) {
      return false; // damaged, not unfinished: the open that follows reports it
    }
  }

  private static void closeAfterFailure(BlockFile file, DirectoryLock lock, RuntimeException e) {
    if (file != null) {
      try {
        file.close();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
    }
    lock.releaseAfter(e);
  }
}
