package dev.sapwood.internal.engine;

import dev.sapwood.CorruptionException;
import dev.sapwood.DatabaseLockedException;
import dev.sapwood.SapwoodException;
import dev.sapwood.internal.io.FileIo;
import dev.sapwood.internal.io.NioFileIo;
import dev.sapwood.internal.store.BlockFile;
import java.io.Closeable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A database directory opened for inspection by the tools ({@code dev.sapwood.internal.tools}):
 * the lock taken shared (so no writer runs meanwhile, while read-only opens and other tools may),
 * the block file opened read-only as of its last checkpoint (the write-ahead log is not replayed,
 * and nothing is ever written), the catalog read. What the
 * log holds beyond the last checkpoint is not seen; open and close the database first to fold it
 * in.
 *
 * <p>Not thread-safe.
 */
public final class Inspection implements Closeable {
  private final DirectoryLock lock;
  private final BlockFile file;
  private final long catalogBlock;
  private final SortedMap<String, Long> roots;
  private final SortedMap<String, Long> rows;

  private Inspection(DirectoryLock lock, BlockFile file, long catalogBlock, SortedMap<String, Long> roots,
      SortedMap<String, Long> rows) {
    this.lock = lock;
    this.file = file;
    this.catalogBlock = catalogBlock;
    this.roots = roots;
    this.rows = rows;
  }

  /** Whether {@code dir} is a directory holding a Sapwood database. */
  public static boolean isDatabase(Path dir) {
    return Files.isRegularFile(dir.resolve(DatabaseOpener.FILE_NAME));
  }

  /** The block file of the database in {@code dir}. */
  public static Path blockFile(Path dir) {
    return dir.resolve(DatabaseOpener.FILE_NAME);
  }

  /**
   * Takes a shared hold on the lock of the database in {@code dir} and opens its block file read-only.
   *
   * @throws SapwoodException if {@code dir} holds no database
   * @throws DatabaseLockedException if the database is open for writing (in this process or another)
   * @throws CorruptionException if the headers, the block table or the catalog are damaged
   */
  public static Inspection open(Path dir) {
    if (!isDatabase(dir)) {
      throw new SapwoodException("no Sapwood database in " + dir);
    }
    FileIo io = new NioFileIo();
    DirectoryLock lock = DirectoryLock.takeShared(io, dir);
    BlockFile file = null;
    try {
      file = BlockFile.openReadOnly(io, dir.resolve(DatabaseOpener.FILE_NAME));
      long catalogBlock = file.header().catalogBlock();
      Catalog catalog = Catalog.read(file, catalogBlock);
      SortedMap<String, Long> roots = new TreeMap<>();
      catalog.trees.forEach((name, entry) -> roots.put(name, entry.root()));
      return new Inspection(lock, file, catalogBlock, Collections.unmodifiableSortedMap(roots),
          Collections.unmodifiableSortedMap(new TreeMap<>(catalog.rows)));
    } catch (RuntimeException e) {
      if (file != null) {
        file.close();
      }
      lock.releaseAfter(e);
      throw e;
    }
  }

  public BlockFile file() {
    return file;
  }

  public long catalogBlock() {
    return catalogBlock;
  }

  /** Each tree's root block number, by name. */
  public SortedMap<String, Long> roots() {
    return roots;
  }

  /**
   * Each tree's logical row count as of the last checkpoint, by name (format/catalog.md): entries
   * in its leaves, without messages still buffered; absent for a catalog of format 3.
   */
  public SortedMap<String, Long> rows() {
    return rows;
  }

  @Override
  public void close() {
    file.close();
    lock.release();
  }
}
