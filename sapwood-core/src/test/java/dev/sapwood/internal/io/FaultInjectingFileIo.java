package dev.sapwood.internal.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A {@link FileIo} for fault sweeps and simulated power losses, on top of a {@link MemoryFileIo}.
 *
 * <p>Counts every call of each {@link Kind} across all files (1-based: the first write is write
 * #1) and can fail the Nth call of one kind {@linkplain Mode#ONCE once}, {@linkplain Mode#FOREVER
 * from then on}, or as a {@linkplain Mode#DISK_FULL full disk} (the write stores a prefix of its
 * bytes, then fails with "No space left on device", and so does every later write). Every injected
 * exception is kept, so a test can check that the first one surfaced and none was swallowed.
 *
 * <p>{@link #crashAndTear} simulates a power loss more harshly than {@link MemoryFileIo#crash()}:
 * each file keeps its synced bytes, the writes made since its last fsync that reached the disk,
 * and only a torn prefix of its last unsynced write, cut at a 512-byte or 4 KiB sector boundary
 * (of the file offset) or at a random byte. {@link #halt()} first makes every call fail, so the
 * database that "lost power" cannot touch the files any more.
 *
 * <p>Thread-safe: the counters and the unsynced-write journal are guarded by {@code this}.
 */
public final class FaultInjectingFileIo extends ForwardingFileIo {
  /** What is counted and can be failed. */
  public enum Kind {
    /** {@link IoFile#write} and {@link IoFile#truncate}. */
    WRITE,
    /** {@link IoFile#force} and {@link FileIo#syncDirectory}. */
    FSYNC,
    /** {@link IoFile#read}. */
    READ,
    /** {@link FileIo#open}, {@link FileIo#delete} and {@link FileIo#list}. */
    META
  }

  /** How an armed fault behaves. */
  public enum Mode {
    /** Only the Nth call fails; later calls work (a transient error the engine must not forget). */
    ONCE,
    /** The Nth call and every later call of the kind fail (a dead device). */
    FOREVER,
    /** Writes only: the Nth write stores a prefix of its bytes and fails; every later one fails. */
    DISK_FULL
  }

  /** Where a torn write is cut. */
  public enum Tearing {
    SECTOR_512(512),
    PAGE_4K(4096),
    RANDOM(1);

    final int boundary;

    Tearing(int boundary) {
      this.boundary = boundary;
    }
  }

  /** One change made since the file's last fsync: a write (bytes != null) or a truncate. */
  private record Unsynced(long position, byte[] bytes, long truncateTo) {}

  private final MemoryFileIo mem;
  private final long[] counts = new long[Kind.values().length];
  private final List<IOException> injected = new ArrayList<>();
  private final Map<Path, List<Unsynced>> unsynced = new HashMap<>();
  private Kind armedKind;
  private long armedAt;
  private Mode armedMode;
  private boolean halted;
  private long tornLogWrites; // guarded by this
  private final Random random;

  public FaultInjectingFileIo(MemoryFileIo mem, long seed) {
    super(mem);
    this.mem = mem;
    this.random = new Random(seed);
  }

  /** Fails the {@code n}th call (1-based, counted from the start) of {@code kind} as {@code mode}. */
  public synchronized void failAt(Kind kind, long n, Mode mode) {
    if (mode == Mode.DISK_FULL && kind != Kind.WRITE) {
      throw new IllegalArgumentException("a full disk fails writes");
    }
    armedKind = kind;
    armedAt = n;
    armedMode = mode;
  }

  /** Disarms the fault (the cause is "fixed"); counting goes on. */
  public synchronized void disarm() {
    armedKind = null;
  }

  /** Calls of {@code kind} so far. */
  public synchronized long count(Kind kind) {
    return counts[kind.ordinal()];
  }

  /** Every exception injected so far, in order. */
  public synchronized List<IOException> injected() {
    return new ArrayList<>(injected);
  }

  /** The first exception injected, or null. */
  public synchronized IOException firstInjected() {
    return injected.isEmpty() ? null : injected.get(0);
  }

  /**
   * How many log segments ({@code .log} files) {@link #crashAndTear} left without the whole of their
   * last unsynced write: a prefix of it, perhaps none (a write within one sector made it or not).
   */
  public synchronized long tornLogWrites() {
    return tornLogWrites;
  }

  /** From now on every call fails: the power is off. */
  public synchronized void halt() {
    halted = true;
  }

  /**
   * Power loss: halts this FileIo, then leaves every file as the disk might after losing power.
   * With {@code tearing == null} unsynced data is simply dropped ({@link MemoryFileIo#crash()});
   * otherwise each file keeps its unsynced changes except that its last write is torn (only a
   * prefix up to a {@code tearing} boundary survives). If {@code keepEarlier} is false, the
   * earlier unsynced writes are lost while the torn prefix of the last one reaches the disk (the
   * disk reordered them), which may leave a hole of zeros.
   */
  public void crashAndTear(Tearing tearing, boolean keepEarlier) {
    Map<Path, List<Unsynced>> pending;
    synchronized (this) {
      halted = true;
      pending = new HashMap<>(unsynced);
      unsynced.clear();
    }
    mem.crash();
    if (tearing == null) {
      return;
    }
    for (Map.Entry<Path, List<Unsynced>> e : pending.entrySet()) {
      Path path = e.getKey();
      List<Unsynced> ops = e.getValue();
      if (ops.isEmpty() || !mem.exists(path)) {
        continue;
      }
      byte[] data = mem.contents(path);
      int last = ops.size() - 1;
      if (keepEarlier) {
        for (int i = 0; i < last; i++) {
          data = apply(data, ops.get(i), ops.get(i).bytes == null ? 1 : ops.get(i).bytes.length);
        }
      }
      Unsynced tail = ops.get(last);
      int keep;
      synchronized (this) {
        keep = tail.bytes == null ? (random.nextBoolean() ? 1 : 0) : tornLength(tail, tearing);
        if (tail.bytes != null && keep < tail.bytes.length && path.toString().endsWith(".log")) {
          tornLogWrites++;
        }
      }
      data = apply(data, tail, keep);
      mem.setContents(path, data);
    }
  }

  /** How many bytes of {@code w} survive: up to a random boundary strictly inside it, or all or nothing. */
  private int tornLength(Unsynced w, Tearing tearing) {
    long start = w.position;
    long end = w.position + w.bytes.length;
    if (tearing == Tearing.RANDOM) {
      return random.nextInt(w.bytes.length + 1);
    }
    long b = tearing.boundary;
    long first = (start / b + 1) * b; // first boundary after start
    if (first >= end) {
      return random.nextBoolean() ? w.bytes.length : 0; // one sector: it made it or not
    }
    long boundaries = (end - 1 - first) / b + 1;
    long cut = first + b * (long) random.nextInt((int) Math.min(boundaries, Integer.MAX_VALUE));
    return (int) (cut - start);
  }

  /** {@code data} with {@code op} applied, only the first {@code keep} bytes of a write (0 = none). */
  private static byte[] apply(byte[] data, Unsynced op, int keep) {
    if (op.bytes == null) {
      return keep == 0 || op.truncateTo >= data.length ? data : java.util.Arrays.copyOf(data, (int) op.truncateTo);
    }
    if (keep == 0) {
      return data;
    }
    int end = (int) op.position + keep;
    byte[] out = end > data.length ? java.util.Arrays.copyOf(data, end) : data.clone();
    System.arraycopy(op.bytes, 0, out, (int) op.position, keep);
    return out;
  }

  /**
   * Counts a call of {@code kind} and throws if it is to fail. Returns, for a {@link
   * Mode#DISK_FULL} write that is to store part of its bytes before failing, the exception to
   * throw afterwards; else null.
   */
  private synchronized IOException check(Kind kind, String what) throws IOException {
    if (halted) {
      throw new IOException("power is off (" + what + ")");
    }
    long n = ++counts[kind.ordinal()];
    if (armedKind != kind || n < armedAt || (armedMode == Mode.ONCE && n != armedAt)) {
      return null;
    }
    IOException e = armedMode == Mode.DISK_FULL
        ? new IOException("No space left on device (injected at " + kind + " #" + n + ": " + what + ")")
        : new IOException("injected " + armedMode + " failure of " + kind + " #" + n + ": " + what);
    injected.add(e);
    if (armedMode == Mode.DISK_FULL && n == armedAt) {
      return e; // this write stores a prefix first
    }
    throw e;
  }

  private synchronized void journal(Path path, Unsynced op) {
    unsynced.computeIfAbsent(path, p -> new ArrayList<>()).add(op);
  }

  private synchronized void synced(Path path) {
    unsynced.remove(path);
  }

  private static Path key(Path p) {
    return p.toAbsolutePath().normalize();
  }

  @Override
  public IoFile open(Path path) throws IOException {
    check(Kind.META, "open " + path);
    Path key = key(path);
    return new Faulty(inner.open(path), key);
  }

  @Override
  public void delete(Path path) throws IOException {
    check(Kind.META, "delete " + path);
    inner.delete(path);
    synced(key(path));
  }

  @Override
  public List<Path> list(Path dir) throws IOException {
    check(Kind.META, "list " + dir);
    return inner.list(dir);
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    synchronized (this) {
      if (halted) {
        throw new IOException("power is off (mkdir " + dir + ")");
      }
    }
    inner.createDirectories(dir);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    check(Kind.FSYNC, "sync directory " + dir);
    inner.syncDirectory(dir);
  }

  private final class Faulty extends ForwardingIoFile {
    private final Path path;

    Faulty(IoFile inner, Path path) {
      super(inner);
      this.path = path;
    }

    @Override
    public int read(long position, ByteBuffer dst) throws IOException {
      check(Kind.READ, "read " + path + " at " + position);
      return inner.read(position, dst);
    }

    @Override
    public void write(long position, ByteBuffer src) throws IOException {
      IOException full = check(Kind.WRITE, "write " + path + " at " + position);
      byte[] bytes = new byte[src.remaining()];
      src.duplicate().get(bytes);
      if (full != null) {
        int part;
        synchronized (FaultInjectingFileIo.this) {
          part = random.nextInt(bytes.length + 1);
        }
        inner.write(position, ByteBuffer.wrap(bytes, 0, part));
        journal(path, new Unsynced(position, java.util.Arrays.copyOf(bytes, part), -1));
        throw full;
      }
      inner.write(position, src);
      journal(path, new Unsynced(position, bytes, -1));
    }

    @Override
    public void truncate(long size) throws IOException {
      IOException full = check(Kind.WRITE, "truncate " + path + " to " + size);
      if (full != null) {
        throw full; // a truncate has no prefix to store
      }
      inner.truncate(size);
      journal(path, new Unsynced(-1, null, size));
    }

    @Override
    public void force() throws IOException {
      check(Kind.FSYNC, "fsync " + path);
      inner.force();
      synced(path);
    }

    @Override
    public long size() throws IOException {
      synchronized (FaultInjectingFileIo.this) {
        if (halted) {
          throw new IOException("power is off (size " + path + ")");
        }
      }
      return inner.size();
    }

    @Override
    public boolean tryLock() throws IOException {
      synchronized (FaultInjectingFileIo.this) {
        if (halted) {
          throw new IOException("power is off (lock " + path + ")");
        }
      }
      return inner.tryLock();
    }
  }
}
