package dev.sapwood;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.internal.util.Varint;
import dev.sapwood.internal.wal.LogBytes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A corpus of hostile write-ahead logs, crafted by this test (docs/format/log.md) from databases
 * made with the public API, each opened in a child JVM with a 64 MiB heap and a timeout
 * ({@link HostileLogChild}). Every case must end as it says: a {@link CorruptionException}, or a
 * recovery with exactly the right contents where the damage is a legal torn tail — never an
 * OutOfMemoryError, another exception, a hang or a wrong answer. Sparse files make segments of
 * gigabytes cheap. The cases share one child JVM (startup dominates); the 60 MiB log is written by
 * another child that halts without closing.
 */
class HostileLogFileTest {
  private static final String HEAP = "-Xmx64m";
  private static final long TIMEOUT_SECONDS = 120;
  private static final int BASE_ENTRIES = 200;
  private static final int FILL_COUNT = 15_500;
  private static final int FILL_VALUE = 4096;

  @TempDir static Path tmp;
  private static Path base;
  private static String baseDigest;
  private static long baseNextLsn;

  /** The undamaged database every case starts from: tree "t" (id 1), closed cleanly. */
  @BeforeAll
  static void makeBase() {
    base = tmp.resolve("base");
    try (Database db = Database.open(base, HostileLogChild.options())) {
      Tree t = db.tree("t");
      for (int i = 0; i < BASE_ENTRIES; i++) {
        t.put(("b" + i).getBytes(US_ASCII), ("value " + i).getBytes(US_ASCII));
      }
      baseDigest = HostileLogChild.digest(db);
      baseNextLsn = db.stats().get("log.next_lsn");
    }
  }

  // ---- crafting ----

  private static Path copyOfBase(String name) throws IOException {
    Path dir = tmp.resolve(name);
    try (Stream<Path> files = Files.walk(base)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path to = dir.resolve(base.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else if (!p.getFileName().toString().equals("LOCK")) {
          Files.copy(p, to);
        }
      }
    }
    return dir;
  }

  private static Path lastSegment(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir.resolve("wal"))) {
      return s.filter(p -> p.getFileName().toString().endsWith(".log")).max(Path::compareTo).orElseThrow();
    }
  }

  private static void append(Path file, byte[] bytes) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(f.length());
      f.write(bytes);
    }
  }

  /** Makes {@code file} {@code size} bytes long; the new bytes are zeros and take no disk. */
  private static void extendSparse(Path file, long size) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(size);
    }
  }

  /** Appends good records with these payloads at the base's next LSNs, each saying the one before was synced. */
  private static void appendRecords(Path dir, byte[]... payloads) throws IOException {
    long lsn = baseNextLsn;
    for (byte[] p : payloads) {
      append(lastSegment(dir), LogBytes.storedFrame(firstLsn(dir), lsn, lsn - 1, p)); // the engine's segments are compressed
      lsn++;
    }
  }

  /** The first LSN of the last segment of {@code dir}'s log. */
  private static long firstLsn(Path dir) throws IOException {
    return LogBytes.firstLsnOf(lastSegment(dir).getFileName().toString());
  }

  private static byte[] createTree(int id, byte[] name) {
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    p.write(2);
    varint(p, id);
    varint(p, name.length);
    p.writeBytes(name);
    return p.toByteArray();
  }

  private static byte[] put(int tree, byte[] key, byte[] value) {
    return batchOfOnePut(1, tree, key.length, key, value);
  }

  /** A BATCH payload saying it holds {@code count} ops, with one put whose key length is {@code keyLength}. */
  private static byte[] batchOfOnePut(int count, int tree, int keyLength, byte[] key, byte[] value) {
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    p.write(1);
    varint(p, count);
    p.write(1);
    varint(p, tree);
    varint(p, keyLength);
    p.writeBytes(key);
    varint(p, value.length);
    p.writeBytes(value);
    return p.toByteArray();
  }

  private static void varint(ByteArrayOutputStream out, long v) {
    byte[] b = new byte[Varint.MAX_LONG_BYTES];
    out.write(b, 0, Varint.put(b, 0, v));
  }

  /** The CRC32C of {@code n} zero bytes. */
  private static int crcOfZeros(long n) {
    CRC32C c = new CRC32C();
    byte[] z = new byte[1 << 20];
    for (long done = 0; done < n; done += z.length) {
      c.update(z, 0, (int) Math.min(z.length, n - done));
    }
    return (int) c.getValue();
  }

  // ---- child JVMs ----

  private static List<String> runChild(long timeoutSeconds, String... args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>(List.of(java, HEAP, "-XX:+UseSerialGC", "-Xshare:auto", "-cp", cp,
        HostileLogChild.class.getName()));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(tmp, "child", ".out");
    Path err = Files.createTempFile(tmp, "child", ".err");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    boolean exited = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
    if (!exited) {
      p.destroyForcibly();
      p.waitFor();
    }
    List<String> lines = Files.readAllLines(out, US_ASCII);
    System.out.print(Files.readString(err, UTF_8));
    assertTrue(exited, "the child did not finish in " + timeoutSeconds + " s (a hang?); it printed " + lines
        + "; stderr: " + Files.readString(err, UTF_8));
    return lines;
  }

  // ---- the corpus ----

  @Test
  void everyHostileLogIsCorruptionOrARightRecoveryUnderA64MiBHeap() throws Exception {
    Map<String, String> expect = new LinkedHashMap<>(); // case -> "OK digest" or "CORRUPT"
    Map<String, Runnable> after = new LinkedHashMap<>();

    Path d = copyOfBase("last-segment-200MiB-of-zeros");
    extendSparse(lastSegment(d), 200L << 20);
    expect.put(d.getFileName().toString(), "OK " + baseDigest);
    Path cut = d;
    after.put(d.getFileName().toString(), () -> assertSmallLog(cut));

    // Zeros after the last record of a segment whose next segment starts at the LSN after it are
    // that segment's end, however many (as in an older build's preallocated segment): nothing is
    // missing between the two. (A last segment of 1.5 GiB of zeros is a torn tail too, but reading
    // it costs seconds of kernel time for the zeros.)
    d = copyOfBase("earlier-segment-1.5GiB-of-zeros");
    appendRecords(d, put(1, "x".getBytes(US_ASCII), "y".getBytes(US_ASCII)));
    extendSparse(lastSegment(d), 1536L << 20);
    Files.write(d.resolve("wal").resolve(LogBytes.segmentName(baseNextLsn + 1)), LogBytes.segmentHeader(baseNextLsn + 1));
    expect.put(d.getFileName().toString(), "OK " + baseDigestWith("x".getBytes(US_ASCII), "y".getBytes(US_ASCII)));

    d = copyOfBase("record-of-256MiB-cut-short");
    append(lastSegment(d), LogBytes.storedFrameHeader(firstLsn(d), baseNextLsn, baseNextLsn - 1, LogBytes.MAX_PAYLOAD, 0));
    extendSparse(lastSegment(d), Files.size(lastSegment(d)) + LogBytes.MAX_PAYLOAD - 1);
    expect.put(d.getFileName().toString(), "OK " + baseDigest);

    d = copyOfBase("record-of-256MiB-checksummed-zeros");
    append(lastSegment(d), LogBytes.storedFrameHeader(firstLsn(d), baseNextLsn, baseNextLsn - 1, LogBytes.MAX_PAYLOAD,
        crcOfZeros(LogBytes.MAX_PAYLOAD)));
    extendSparse(lastSegment(d), Files.size(lastSegment(d)) + LogBytes.MAX_PAYLOAD);
    expect.put(d.getFileName().toString(), "CORRUPT");

    // A full segment's last record torn, the next segment started and vouching for nothing: the
    // rotation had not fsynced it (a crash can leave that); cut, and the next segment dropped.
    d = copyOfBase("record-of-256MiB-bad-checksum-in-earlier-segment");
    append(lastSegment(d), LogBytes.storedFrameHeader(firstLsn(d), baseNextLsn, baseNextLsn - 1, LogBytes.MAX_PAYLOAD, 0));
    extendSparse(lastSegment(d), Files.size(lastSegment(d)) + LogBytes.MAX_PAYLOAD);
    Files.write(d.resolve("wal").resolve(LogBytes.segmentName(baseNextLsn + 1)), LogBytes.segmentHeader(baseNextLsn + 1));
    expect.put(d.getFileName().toString(), "OK " + baseDigest);

    // The same, with a frame of the last segment saying the torn record had been synced: corruption.
    d = copyOfBase("record-of-256MiB-bad-checksum-in-earlier-segment-vouched-for");
    append(lastSegment(d), LogBytes.storedFrameHeader(firstLsn(d), baseNextLsn, baseNextLsn - 1, LogBytes.MAX_PAYLOAD, 0));
    extendSparse(lastSegment(d), Files.size(lastSegment(d)) + LogBytes.MAX_PAYLOAD);
    byte[] header = LogBytes.segmentHeader(baseNextLsn + 1);
    byte[] vouching = LogBytes.frame(baseNextLsn + 1, baseNextLsn + 1, baseNextLsn,
        put(1, "v".getBytes(US_ASCII), "w".getBytes(US_ASCII)));
    byte[] next = java.util.Arrays.copyOf(header, header.length + vouching.length);
    System.arraycopy(vouching, 0, next, header.length, vouching.length);
    Files.write(d.resolve("wal").resolve(LogBytes.segmentName(baseNextLsn + 1)), next);
    expect.put(d.getFileName().toString(), "CORRUPT");

    d = copyOfBase("16MiB-of-garbage-with-valid-headers");
    append(lastSegment(d), garbageWithValidHeaders(firstLsn(d), 16 << 20));
    expect.put(d.getFileName().toString(), "OK " + baseDigest);

    d = copyOfBase("tree-with-empty-name");
    appendRecords(d, createTree(2, new byte[0]));
    expect.put(d.getFileName().toString(), "CORRUPT");

    d = copyOfBase("tree-with-300-byte-name");
    appendRecords(d, createTree(2, "n".repeat(300).getBytes(US_ASCII)));
    expect.put(d.getFileName().toString(), "CORRUPT");

    d = copyOfBase("tree-id-Integer.MAX_VALUE");
    appendRecords(d, createTree(Integer.MAX_VALUE, "big".getBytes(US_ASCII)));
    expect.put(d.getFileName().toString(), "CORRUPT");

    d = copyOfBase("put-to-a-tree-that-does-not-exist");
    appendRecords(d, put(7, "k".getBytes(US_ASCII), "v".getBytes(US_ASCII)));
    expect.put(d.getFileName().toString(), "CORRUPT");

    d = copyOfBase("key-length-of-1GiB-inside-a-checksummed-payload");
    byte[] lie = batchOfOnePut(1, 1, 1 << 30, "k".getBytes(US_ASCII), "v".getBytes(US_ASCII));
    appendRecords(d, lie);
    expect.put(d.getFileName().toString(), "CORRUPT");

    d = copyOfBase("batch-count-of-Integer.MAX_VALUE");
    lie = batchOfOnePut(Integer.MAX_VALUE, 1, 1, "k".getBytes(US_ASCII), "v".getBytes(US_ASCII));
    appendRecords(d, lie);
    expect.put(d.getFileName().toString(), "CORRUPT");

    d = copyOfBase("segment-header-naming-another-LSN");
    Files.write(d.resolve("wal").resolve(LogBytes.segmentName(baseNextLsn)), LogBytes.segmentHeader(baseNextLsn + 5));
    expect.put(d.getFileName().toString(), "CORRUPT");

    // A legal large record, replayed right under the small heap. (4 MiB: a 16 MiB random value
    // does not fit through the tree under a 64 MiB heap even when written with put — a tree-side
    // limit, not the log's.)
    d = copyOfBase("a-4MiB-value-replayed");
    byte[] big = new byte[4 << 20];
    new Random(9).nextBytes(big);
    appendRecords(d, put(1, "big".getBytes(US_ASCII), big));
    expect.put(d.getFileName().toString(), "OK " + baseDigestWith("big".getBytes(US_ASCII), big));

    Path fill = tmp.resolve("60MiB-log-replayed-in-a-64MiB-heap");
    List<String> filled = runChild(TIMEOUT_SECONDS, "fill", fill.toString(), "" + FILL_COUNT, "" + FILL_VALUE);
    assertEquals(List.of("F " + FILL_COUNT), filled);
    long logBytes = 0;
    try (Stream<Path> s = Files.list(fill.resolve("wal"))) {
      for (Path p : (Iterable<Path>) s::iterator) {
        logBytes += Files.size(p);
      }
    }
    assertTrue(logBytes >= 60L << 20, "log of " + logBytes + " bytes");
    expect.put(fill.getFileName().toString(), "OK " + fillDigest());

    List<String> args = new ArrayList<>(List.of("open"));
    for (String name : expect.keySet()) {
      args.add(tmp.resolve(name).toString());
    }
    List<String> lines = runChild(TIMEOUT_SECONDS, args.toArray(new String[0]));
    List<String> wrong = new ArrayList<>();
    int i = 0;
    for (Map.Entry<String, String> e : expect.entrySet()) {
      String line = i < lines.size() ? lines.get(i) : "(nothing)";
      i++;
      String want = e.getValue();
      boolean ok = want.equals("CORRUPT") ? line.startsWith("CORRUPT " + e.getKey() + " ")
          : line.equals(want.replaceFirst("OK ", "OK " + e.getKey() + " "));
      System.out.println("hostile log " + e.getKey() + ": " + line);
      if (!ok) {
        wrong.add(e.getKey() + ": expected " + want + ", got " + line);
      }
    }
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    after.values().forEach(Runnable::run);
  }

  /** The digest of the base database with one more entry in tree "t" (made on a scratch copy). */
  private static String baseDigestWith(byte[] key, byte[] value) throws IOException {
    Path scratch = copyOfBase("scratch-" + System.nanoTime());
    try (Database db = Database.open(scratch, HostileLogChild.options())) {
      db.tree("t").put(key, value);
      return HostileLogChild.digest(db);
    }
  }

  /** The zeros of a torn tail were cut: the log is small again. */
  private static void assertSmallLog(Path dir) {
    try (Stream<Path> s = Files.list(dir.resolve("wal"))) {
      for (Path p : (Iterable<Path>) s::iterator) {
        assertTrue(Files.size(p) < 1 << 20, p + " is " + Files.size(p) + " bytes");
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * A damaged frame at the base's next LSN, then large-frame headers with right checksums back to
   * back, each claiming a body to the end and none saying the damaged frame was synced.
   */
  private static byte[] garbageWithValidHeaders(long segmentFirstLsn, int bytes) {
    byte[] out = new byte[bytes];
    byte[] damaged = LogBytes.storedFrame(segmentFirstLsn, baseNextLsn, baseNextLsn - 1, new byte[40]);
    damaged[damaged.length - 3] ^= 1;
    System.arraycopy(damaged, 0, out, 0, damaged.length);
    Random r = new Random(5);
    int at = damaged.length;
    long lsn = baseNextLsn + 1;
    while (true) {
      byte[] h = LogBytes.storedFrameHeader(segmentFirstLsn, lsn++, baseNextLsn - 1, bytes - at - 16, r.nextInt());
      if (at + h.length > bytes || bytes - at - 16 <= LogBytes.SMALL_BODY) {
        break;
      }
      System.arraycopy(h, 0, out, at, h.length);
      at += h.length;
    }
    return out;
  }

  /** The digest {@link HostileLogChild#digest} gives the database the fill child wrote. */
  private static String fillDigest() {
    CRC32 crc = new CRC32();
    crc.update("t".getBytes(UTF_8));
    for (int i = 0; i < FILL_COUNT; i++) {
      crc.update(HostileLogChild.fillKey(i));
      crc.update(HostileLogChild.fillValue(i, FILL_VALUE));
    }
    return "t;" + FILL_COUNT + ";" + Long.toHexString(crc.getValue());
  }
}
