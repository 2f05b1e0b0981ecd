package dev.sapwood.internal.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link FileIo} that keeps files in memory, for fast tests. Each file remembers its current bytes
 * and the bytes it had at its last {@link IoFile#force()}; {@link #crash()} simulates a power loss by
 * reverting every file to its last forced contents.
 *
 * <p>Simplifications: creating and deleting a file are durable at once (no directory fsync is
 * modelled), so a file created but never forced survives a crash, empty. Locks behave like
 * {@link NioFileIo}'s: one exclusive holder per path, or any number of shared ones, until those
 * handles are closed; a read-only handle refuses writes, truncation, fsync and the exclusive lock.
 *
 * <p>Files are sparse, as on a real file system: a write of zeros past the bytes written so far
 * only moves the file's size, and a sync copies only the bytes written (a log segment preallocated
 * to 64 MiB costs what was written into it, not 64 MiB per sync).
 *
 * <p>Invariants: {@code synced} is only replaced by {@code force()} and {@link #crash()}; a lock
 * holder is always an open handle; every field of a {@code MemFile} is guarded by that file;
 * {@code extent <= size} and {@code extent <= data.length}; every byte at or past {@code extent}
 * and before {@code size} reads as zero (the same for {@code synced} and {@code syncedSize}).
 */
public final class MemoryFileIo implements FileIo {
  private final Map<Path, MemFile> files = new HashMap<>(); // guarded by this

  @Override
  public synchronized IoFile open(Path path) throws IOException {
    MemFile file = files.computeIfAbsent(key(path), p -> new MemFile());
    return new Handle(path, file, false);
  }

  @Override
  public synchronized IoFile openReadOnly(Path path) throws IOException {
    MemFile file = files.get(key(path));
    if (file == null) {
      throw new java.nio.file.NoSuchFileException(path.toString());
    }
    return new Handle(path, file, true);
  }

  @Override
  public synchronized boolean exists(Path path) {
    return files.containsKey(key(path));
  }

  /** Directories are implicit: one is present while a file lies anywhere under it. */
  @Override
  public synchronized boolean isPresent(Path path) {
    Path k = key(path);
    for (Path p : files.keySet()) {
      if (p.startsWith(k)) {
        return true;
      }
    }
    return false;
  }

  /** Moves the file at {@code from}, or every file under it; durable at once, like creation. */
  @Override
  public synchronized void rename(Path from, Path to) throws IOException {
    Path f = key(from);
    Path t = key(to);
    if (isPresent(t)) {
      throw new java.nio.file.FileAlreadyExistsException(to.toString());
    }
    Map<Path, MemFile> moved = new HashMap<>();
    files.entrySet().removeIf(e -> {
      if (e.getKey().startsWith(f)) {
        moved.put(t.resolve(f.relativize(e.getKey())).normalize(), e.getValue());
        return true;
      }
      return false;
    });
    if (moved.isEmpty()) {
      throw new java.nio.file.NoSuchFileException(from.toString());
    }
    files.putAll(moved);
  }

  @Override
  public synchronized void delete(Path path) {
    files.remove(key(path));
  }

  @Override
  public void createDirectories(Path dir) {
    // Directories are implicit.
  }

  @Override
  public synchronized List<Path> list(Path dir) {
    Path d = key(dir);
    List<Path> out = new ArrayList<>();
    for (Path p : files.keySet()) {
      if (d.equals(p.getParent())) {
        out.add(p);
      }
    }
    return out;
  }

  /** File creation and deletion are durable at once here (a created file survives a crash empty). */
  @Override
  public void syncDirectory(Path dir) {}

  /**
   * Simulates a power loss: every file reverts to the contents of its last force(), every open
   * handle is closed (later calls on it fail) and every lock is released.
   */
  public synchronized void crash() {
    for (MemFile f : files.values()) {
      synchronized (f) {
        f.data = f.synced.clone();
        f.extent = f.synced.length;
        f.size = f.syncedSize;
        f.lockHolder = null;
        f.sharedHolders.clear();
        f.generation++;
      }
    }
  }

  /** A copy of the current (not necessarily durable) contents of {@code path}. */
  public synchronized byte[] contents(Path path) {
    MemFile f = files.get(key(path));
    if (f == null) {
      throw new IllegalArgumentException("no such file: " + path);
    }
    synchronized (f) {
      byte[] b = new byte[f.size];
      System.arraycopy(f.data, 0, b, 0, f.extent);
      return b;
    }
  }

  /**
   * A copy of the bytes of {@code path} that writes put there: the file up to the end of its last
   * write that was not all zeros. A preallocated log segment's zero tail is left out, so a test
   * that appends to a segment (a crafted frame, a torn tail) appends where the writer stopped.
   */
  public synchronized byte[] written(Path path) {
    MemFile f = files.get(key(path));
    if (f == null) {
      throw new IllegalArgumentException("no such file: " + path);
    }
    synchronized (f) {
      return Arrays.copyOf(f.data, f.extent);
    }
  }

  /**
   * Replaces the contents of {@code path}, current and durable alike (for corruption tests). A
   * run of zeros at the end stays sparse: it counts in the size but takes no memory.
   */
  public synchronized void setContents(Path path, byte[] bytes) {
    MemFile f = files.computeIfAbsent(key(path), p -> new MemFile());
    int extent = bytes.length;
    while (extent > 0 && bytes[extent - 1] == 0) {
      extent--;
    }
    synchronized (f) {
      f.data = Arrays.copyOf(bytes, extent);
      f.size = bytes.length;
      f.extent = extent;
      f.synced = Arrays.copyOf(bytes, extent);
      f.syncedSize = bytes.length;
    }
  }

  private static boolean allZero(ByteBuffer src) {
    for (int i = src.position(); i < src.limit(); i++) {
      if (src.get(i) != 0) {
        return false;
      }
    }
    return true;
  }

  private static Path key(Path path) {
    return path.toAbsolutePath().normalize();
  }

  /** One file's state, shared by all handles on it. */
  private static final class MemFile {
    byte[] data = new byte[0];
    int extent; // bytes of data that hold what was written; past it, up to size, zeros
    int size;
    byte[] synced = new byte[0]; // the first syncedSize bytes at the last force, zeros past its end
    int syncedSize;
    Handle lockHolder;
    final java.util.Set<Handle> sharedHolders = new java.util.HashSet<>();
    long generation; // bumped by crash(); handles from an older generation are dead
  }

  private static final class Handle implements IoFile {
    private final Path path;
    private final MemFile file;
    private final long generation;
    private final boolean readOnly;
    private boolean closed; // guarded by file

    Handle(Path path, MemFile file, boolean readOnly) {
      this.path = path;
      this.file = file;
      this.readOnly = readOnly;
      synchronized (file) {
        this.generation = file.generation;
      }
    }

    private void checkOpenLocked() throws IOException {
      if (closed || generation != file.generation) {
        throw new IOException(path + ": file handle is closed");
      }
    }

    private void checkWritableLocked() throws IOException {
      checkOpenLocked();
      if (readOnly) {
        throw new IOException(path + " is open read-only");
      }
    }

    @Override
    public int read(long position, ByteBuffer dst) throws IOException {
      synchronized (file) {
        checkOpenLocked();
        if (position < 0) {
          throw new IllegalArgumentException("negative position " + position);
        }
        if (position >= file.size) {
          return dst.hasRemaining() ? -1 : 0;
        }
        int n = (int) Math.min(dst.remaining(), file.size - position);
        int fromData = (int) Math.max(0, Math.min(n, file.extent - position));
        if (fromData > 0) {
          dst.put(file.data, (int) position, fromData);
        }
        for (int i = fromData; i < n; i++) {
          dst.put((byte) 0);
        }
        return n;
      }
    }

    @Override
    public void write(long position, ByteBuffer src) throws IOException {
      synchronized (file) {
        checkWritableLocked();
        long end = position + src.remaining();
        if (position < 0 || end > Integer.MAX_VALUE - 8) {
          throw new IOException(path + ": in-memory file cannot hold offset " + end);
        }
        if (position >= file.extent && allZero(src)) {
          src.position(src.limit()); // zeros past what was written: the file only grows
          file.size = (int) Math.max(file.size, end);
          return;
        }
        if (end > file.data.length) {
          file.data = Arrays.copyOf(file.data, (int) Math.max(end, Math.min(
              (long) file.data.length * 2, Integer.MAX_VALUE - 8)));
        }
        if (position > file.extent) {
          Arrays.fill(file.data, file.extent, (int) position, (byte) 0);
        }
        src.get(file.data, (int) position, src.remaining());
        file.extent = (int) Math.max(file.extent, end);
        file.size = (int) Math.max(file.size, end);
      }
    }

    @Override
    public void force() throws IOException {
      synchronized (file) {
        checkWritableLocked();
        file.synced = Arrays.copyOf(file.data, file.extent);
        file.syncedSize = file.size;
      }
    }

    @Override
    public void truncate(long size) throws IOException {
      synchronized (file) {
        checkWritableLocked();
        if (size < file.size) {
          file.size = (int) Math.max(0, size);
          file.extent = Math.min(file.extent, file.size);
        }
      }
    }

    @Override
    public long size() throws IOException {
      synchronized (file) {
        checkOpenLocked();
        return file.size;
      }
    }

    @Override
    public boolean tryLock() throws IOException {
      synchronized (file) {
        checkWritableLocked();
        if (file.lockHolder == null && file.sharedHolders.isEmpty()) {
          file.lockHolder = this;
        }
        return file.lockHolder == this;
      }
    }

    @Override
    public boolean tryLockShared() throws IOException {
      synchronized (file) {
        checkOpenLocked();
        if (file.lockHolder != null) {
          return false;
        }
        file.sharedHolders.add(this);
        return true;
      }
    }

    @Override
    public String name() {
      return path.toString();
    }

    @Override
    public void close() {
      synchronized (file) {
        closed = true;
        if (file.lockHolder == this) {
          file.lockHolder = null;
        }
        file.sharedHolders.remove(this);
      }
    }
  }
}
