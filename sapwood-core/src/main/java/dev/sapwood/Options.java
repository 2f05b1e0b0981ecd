package dev.sapwood;

import static dev.sapwood.OptionValues.BASEMENT_SIZE;
import static dev.sapwood.OptionValues.COMPRESSION;
import static dev.sapwood.OptionValues.FANOUT;
import static dev.sapwood.OptionValues.MUST_EXIST;
import static dev.sapwood.OptionValues.NODE_SIZE;
import static dev.sapwood.OptionValues.READ_ONLY;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How a database is opened. Immutable: every setter returns a new {@code Options}. Thread-safe.
 *
 * <p>Node size, basement size and fanout are targets, not limits: a single entry larger than a node
 * is legal.
 *
 * <p><b>A database remembers its shape.</b> Node size, basement size, fanout and compression are
 * the database's <em>shape</em>: they are recorded in its header when it is created, and a later
 * open uses the recorded values for every field the caller did not set explicitly on the {@code
 * Options} given (so {@code Database.open(dir)} and the command-line tool keep a database made
 * with 64 KiB nodes at 64 KiB). A field set explicitly (for example {@code
 * Options.defaults().nodeSize(64 << 10)}) overrides the recorded value for nodes written from then
 * on, and becomes the recorded value at the next checkpoint. The other fields (cache, durability,
 * intervals, functions) belong to each open and are not recorded. {@link #isNodeSizeSet()} and its
 * siblings tell which shape fields were set.
 */
public final class Options {
  /** Smallest accepted node size (bytes). */
  public static final int MIN_NODE_SIZE = 4 << 10;
  /** Largest accepted node size (bytes). */
  public static final int MAX_NODE_SIZE = 256 << 20;
  /** Smallest accepted basement size (bytes). */
  public static final int MIN_BASEMENT_SIZE = 1 << 10;
  /** Smallest and largest accepted fanout. */
  public static final int MIN_FANOUT = 3;
  public static final int MAX_FANOUT = 4096;
  /** Smallest accepted cache size (bytes). */
  public static final long MIN_CACHE_SIZE = 64 << 10;

  private static final Options DEFAULTS = new Options(new OptionValues());

  private final OptionValues f;

  private Options(OptionValues f) {
    this.f = f;
  }

  /** A copy of these options with {@code change} applied to its settings. */
  private Options with(Consumer<OptionValues> change) {
    OptionValues n = f.copy();
    change.accept(n);
    return new Options(n);
  }

  /**
   * The durability of single writes ({@link Tree#put} and the others) and of {@link
   * Database#write(WriteBatch)}; default {@link Durability#ASYNC}.
   */
  public Options durability(Durability d) {
    Objects.requireNonNull(d, "durability");
    return with(n -> n.durability = d);
  }

  /** How often the log is synced for {@link Durability#ASYNC} writes (1 ms to 1 h; default 1 s). */
  public Options syncInterval(Duration interval) {
    OptionRanges.checkInterval(interval, Duration.ofMillis(1), "syncInterval");
    return with(n -> n.syncInterval = interval);
  }

  /**
   * How often a checkpoint runs in the background (10 ms to 1 day; default 60 s). Checkpoints
   * bound the log and the work of recovery; writers go on while one runs.
   */
  public Options checkpointInterval(Duration interval) {
    OptionRanges.checkInterval(interval, Duration.ofMillis(10), "checkpointInterval");
    return with(n -> n.checkpointInterval = interval);
  }

  /**
   * How many times {@link Database#transact} runs its body again after a {@link
   * ConflictException} before it throws the last one (0 to 1000; default 10).
   */
  public Options transactionRetries(int retries) {
    OptionRanges.checkRange(retries, 0, 1000, "transactionRetries");
    return with(n -> n.transactionRetries = retries);
  }

  /**
   * How long {@link Database#transact} waits before its first retry (0 to 1 s; default 1 ms); each
   * further retry waits up to twice as long as the one before, with random jitter, so writers
   * that collided do not collide again in step.
   */
  public Options transactionBackoff(Duration first) {
    Objects.requireNonNull(first, "transactionBackoff");
    if (first.isNegative() || first.compareTo(Duration.ofSeconds(1)) > 0) {
      throw new IllegalArgumentException("transactionBackoff " + first + " outside [0, 1 s]");
    }
    return with(n -> n.transactionBackoff = first);
  }

  /**
   * The most a transaction's write set may hold, counted like a {@link WriteBatch} (key, value or
   * argument, function name and {@link Limits#BATCH_OP_OVERHEAD} per operation): 4 KiB to {@link
   * Limits#MAX_BATCH_SIZE}; default 64 MiB. A write set lives in memory until commit and commits
   * as one log record, so the limit bounds both; an operation that would pass it throws {@link
   * IllegalArgumentException} and leaves the transaction usable (for rollback, or commit of what
   * it holds).
   */
  public Options maxTransactionBytes(long bytes) {
    OptionRanges.checkRange(bytes, 4096, Limits.MAX_BATCH_SIZE, "maxTransactionBytes");
    return with(n -> n.maxTransactionBytes = bytes);
  }

  public int transactionRetries() {
    return f.transactionRetries;
  }

  public Duration transactionBackoff() {
    return f.transactionBackoff;
  }

  public long maxTransactionBytes() {
    return f.maxTransactionBytes;
  }

  public Durability durability() {
    return f.durability;
  }

  public Duration syncInterval() {
    return f.syncInterval;
  }

  public Duration checkpointInterval() {
    return f.checkpointInterval;
  }

  /**
   * How large a leaf's delta may grow before a flush applies it to the leaf, as a fraction of the
   * leaf's bytes (0 to 16; default 1). A flush into a leaf appends its messages to the leaf's
   * delta, a separate small block, instead of rewriting the whole leaf, until the delta would pass
   * this share: a larger ratio rewrites leaves less often (at 1, a random load past the cache wrote
   * about a third fewer bytes than with 0), while a point query beyond the cache may read one more
   * frame, the delta's. 0 turns deltas off: every flush rewrites its leaf, and deltas already on
   * disk are applied by the next flush into their leaf. Not remembered by the database: each open
   * chooses. Does not change what any read returns, nor durability.
   *
   * @throws IllegalArgumentException outside [0, 16] or NaN
   */
  public Options leafDeltaRatio(double ratio) {
    if (!(ratio >= 0 && ratio <= 16)) {
      throw new IllegalArgumentException("leafDeltaRatio " + ratio + " outside [0, 16]");
    }
    return with(n -> n.leafDeltaRatio = ratio);
  }

  public double leafDeltaRatio() {
    return f.leafDeltaRatio;
  }

  /**
   * Whether the database drains buffered messages into the leaves once writes stop (default
   * true). A B^ε-tree keeps the messages of recent writes in buffers above the leaves and in small
   * delta blocks beside them, which saves rewriting a leaf for a few keys; a read beyond the cache
   * then reads those messages' frames as well as the leaf's. When no write has come for a couple
   * of seconds, the background thread walks the leaves in key order and, for each whose waiting
   * messages are at least an eighth of its bytes, flushes them into it (as {@link Tree#optimize()}
   * does, one root-to-leaf path at a time), stopping at the next write and going on from there at
   * the next quiet spell; while reads come it works about 10 ms in every 250. At 20M keys after a
   * random fill it rewrote the leaves once (the fill's write amplification with the settle 2.3 →
   * 3.2–3.5; RocksDB's 4.7) and the reads after it ran 1.2–1.3× (gets) and 2.3× (seeks) faster
   * beyond the cache (docs/benchmarks.md, "The quiet drain"). Off: the quiet spell only
   * consolidates leaves whose deltas mostly repeat keys (to give space back). Not remembered by
   * the database. Changes no read's answer, nor durability.
   */
  public Options drainWhenQuiet(boolean on) {
    return with(n -> n.drainWhenQuiet = on);
  }

  /** Whether buffered messages are drained into the leaves once writes stop ({@link #drainWhenQuiet(boolean)}). */
  public boolean drainWhenQuiet() {
    return f.drainWhenQuiet;
  }

  /**
   * Whether the write-ahead log is compressed (default true): each log segment one zstd stream,
   * about 0.7 instead of 1.15 bytes written per byte put for small records, at about 2 µs of CPU
   * more per lone {@code ASYNC} put on the writer's thread (docs/benchmarks.md, "The writer's CPU
   * per put"). Records the stream shrinks by less than a third (random-looking values) are written
   * as they are, the stream tried again after 512 KiB of them (docs/design.md, "The log compresses what
   * compresses"). False writes the log's frames as they are. Not remembered by the database: each
   * open chooses, a segment says which it is, and recovery reads both. Changes no read's answer,
   * nor durability.
   */
  public Options logCompression(boolean compress) {
    return with(n -> n.logCompression = compress);
  }

  public boolean logCompression() {
    return f.logCompression;
  }

  /**
   * The share of {@link #cacheSize} held off-heap, as compressed frames in direct memory (0 to
   * 0.9; default 0: off); the rest is the heap's cache of decoded nodes. Direct memory is capped by
   * {@code -XX:MaxDirectMemorySize} (by default the heap's maximum): if it runs out the tier stays
   * smaller. Not remembered by the database. Changes no read's answer, nor durability.
   *
   * <p>Bounding the process's memory: the tier pays only together with a smaller {@code -Xmx}.
   * The process's resident memory is about {@code -Xmx} + the tier + 70–100 MiB of the JVM's own
   * (code cache, metaspace, class data, the JIT compiler's work memory, native libraries and
   * malloc's free lists; docs/benchmarks.md, "Issue 14: where the process's memory goes"). The
   * recommended set (README, "Bounding the process's memory") gives Sapwood a budget B for heap
   * and tier together: {@code -Xmx} B/2 (at least 64 MiB), {@code cacheSize} 3B/4 with share 2/3
   * (heap cache B/4, tier B/2), {@code -XX:MaxDirectMemorySize} the tier + 16 MiB, Shenandoah,
   * {@code -XX:TrimNativeHeapInterval=1000} and {@code MALLOC_ARENA_MAX=2}: at B = 256 MiB and 20M
   * keys, peaks of 358–376 MiB ({@code cacheSize} B at share 0.75 on the same heap: 427–440 MiB,
   * and about 20% less write amplification in an overwrite).
   * Measured at a 64 MiB cache: share 0 needs {@code -Xmx160m} (peak 263–285 MiB); share 0.9 with
   * {@code -Xmx64m} peaked at 212–225 MiB.
   *
   * @throws IllegalArgumentException outside [0, 0.9] or NaN
   */
  public Options offHeapCacheShare(double share) {
    if (!(share >= 0 && share <= 0.9)) {
      throw new IllegalArgumentException("offHeapCacheShare " + share + " outside [0, 0.9]");
    }
    return with(n -> n.offHeapShare = share);
  }

  public double offHeapCacheShare() {
    return f.offHeapShare;
  }

  /**
   * Cache 128 MiB, node 1 MiB, basement 32 KiB, fanout 16, LZ4, only built-in update functions,
   * ASYNC durability, log synced every second, a checkpoint every minute, leaf delta ratio 1.
   */
  public static Options defaults() {
    return DEFAULTS;
  }

  /** Memory budget of the node cache in bytes (at least {@link #MIN_CACHE_SIZE}). */
  public Options cacheSize(long bytes) {
    if (bytes < MIN_CACHE_SIZE) {
      throw new IllegalArgumentException("cacheSize " + bytes + " < " + MIN_CACHE_SIZE);
    }
    return with(n -> n.cacheSize = bytes);
  }

  /** Target node size in bytes, {@link #MIN_NODE_SIZE}..{@link #MAX_NODE_SIZE}. */
  public Options nodeSize(int bytes) {
    OptionRanges.checkRange(bytes, MIN_NODE_SIZE, MAX_NODE_SIZE, "nodeSize");
    return with(n -> {
      n.nodeSize = bytes;
      n.basementSize = Math.min(n.basementSize, bytes);
      n.explicit |= NODE_SIZE;
    });
  }

  /** Target basement (leaf partition) size in bytes, at least {@link #MIN_BASEMENT_SIZE}, at most the node size. */
  public Options basementSize(int bytes) {
    if (bytes < MIN_BASEMENT_SIZE || bytes > f.nodeSize) {
      throw new IllegalArgumentException("basementSize " + bytes + " outside [" + MIN_BASEMENT_SIZE + ", nodeSize " + f.nodeSize + "]");
    }
    return with(n -> {
      n.basementSize = bytes;
      n.explicit |= BASEMENT_SIZE;
    });
  }

  /** Target number of children of an internal node, {@link #MIN_FANOUT}..{@link #MAX_FANOUT}. */
  public Options fanout(int children) {
    OptionRanges.checkRange(children, MIN_FANOUT, MAX_FANOUT, "fanout");
    return with(n -> {
      n.fanout = children;
      n.explicit |= FANOUT;
    });
  }

  /**
   * Compression of node partitions written from now on (default LZ4 for a new database, the
   * recorded one for an existing database; see the class comment).
   */
  public Options compression(Compression c) {
    Objects.requireNonNull(c, "compression");
    return with(n -> {
      n.compression = c;
      n.explicit |= COMPRESSION;
    });
  }

  /**
   * Registers user update functions (in addition to {@link UpdateFunctions#builtIns()}). A name
   * registered twice, or a built-in name, is an {@link IllegalArgumentException}. A function the
   * database names but that is not registered here is looked up through {@link
   * java.util.ServiceLoader} (see {@link UpdateFunction}).
   */
  public Options register(UpdateFunction... fns) {
    Map<String, UpdateFunction> functions = UpdateFunctions.withRegistered(f.functions, fns);
    return with(n -> n.functions = functions);
  }

  public long cacheSize() {
    return f.cacheSize;
  }

  public int nodeSize() {
    return f.nodeSize;
  }

  public int basementSize() {
    return f.basementSize;
  }

  public int fanout() {
    return f.fanout;
  }

  public Compression compression() {
    return f.compression;
  }

  /**
   * Whether {@link #nodeSize(int)} was called to make these options: if so, the value overrides the
   * node size an existing database recorded; if not, the recorded one is used.
   */
  public boolean isNodeSizeSet() {
    return (f.explicit & NODE_SIZE) != 0;
  }

  /** Whether {@link #basementSize(int)} was called to make these options (see {@link #isNodeSizeSet()}). */
  public boolean isBasementSizeSet() {
    return (f.explicit & BASEMENT_SIZE) != 0;
  }

  /** Whether {@link #fanout(int)} was called to make these options (see {@link #isNodeSizeSet()}). */
  public boolean isFanoutSet() {
    return (f.explicit & FANOUT) != 0;
  }

  /** Whether {@link #compression(Compression)} was called to make these options (see {@link #isNodeSizeSet()}). */
  public boolean isCompressionSet() {
    return (f.explicit & COMPRESSION) != 0;
  }

  /**
   * Whether to open the database read-only (default false). A read-only open takes a shared lock
   * on the directory, so any number of read-only opens, in this process and in others, may read
   * one database at once, while a writer is refused with a {@link DatabaseLockedException} (and a
   * read-only open is refused while a writer has the database). It writes nothing to the
   * directory: no checkpoint (not even at close), no log segment, no header, no recovery that
   * changes a file. If the log holds changes past the last checkpoint (the last writer crashed),
   * they are replayed in memory only: readers see them, and the nodes they changed stay in the
   * cache until close, beyond its budget if need be; a torn record at the log's end is left in the
   * file (the next read-write open cuts it). The one exception: a directory copied without its
   * {@code LOCK} file gets an empty one, since the lock needs a file to hold.
   *
   * <p>Every write is an {@link IllegalStateException}: {@link Tree#put}, {@link Tree#delete},
   * {@link Tree#deleteRange}, {@link Tree#update}, {@link Database#write}, {@link Database#tree}
   * of a tree that does not exist, {@link Database#dropTree}, {@link Database#checkpoint} and
   * {@link Database#compact}; {@link Database#sync()} has nothing to do and returns. A read-only
   * open never creates a database: a missing one is a {@link DatabaseNotFoundException}, whatever
   * {@link #createIfMissing(boolean)} says. The shape fields of these options change nothing on
   * disk.
   */
  public Options readOnly(boolean readOnly) {
    return with(n -> n.explicit = readOnly ? n.explicit | READ_ONLY : n.explicit & ~READ_ONLY);
  }

  /** Whether these options open read-only ({@link #readOnly(boolean)}). */
  public boolean readOnly() {
    return (f.explicit & READ_ONLY) != 0;
  }

  /**
   * Whether an open creates the database (and its directory) if there is none (default true). If
   * false, opening a directory that holds no database (no block file, or one whose creation never
   * finished) is a {@link DatabaseNotFoundException}, and nothing is created.
   */
  public Options createIfMissing(boolean create) {
    return with(n -> n.explicit = create ? n.explicit & ~MUST_EXIST : n.explicit | MUST_EXIST);
  }

  /** Whether an open creates a missing database ({@link #createIfMissing(boolean)}). */
  public boolean createIfMissing() {
    return (f.explicit & MUST_EXIST) == 0;
  }

  /** The user-registered update functions (built-ins excluded), in registration order. */
  public List<UpdateFunction> registeredFunctions() {
    return new ArrayList<>(f.functions.values());
  }

  @Override
  public String toString() {
    return "Options{cacheSize=" + f.cacheSize + ", nodeSize=" + f.nodeSize + ", basementSize=" + f.basementSize
        + ", fanout=" + f.fanout + ", compression=" + f.compression + ", functions=" + f.functions.keySet()
        + ", durability=" + f.durability + ", syncInterval=" + f.syncInterval
        + ", checkpointInterval=" + f.checkpointInterval + ", readOnly=" + readOnly()
        + ", createIfMissing=" + createIfMissing() + "}";
  }
}
