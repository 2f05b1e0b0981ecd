package dev.sapwood.bench.ycsb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.Vector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.Status;
import site.ycsb.StringByteIterator;

/** Both YCSB bindings: insert, read (all and some fields), update merges fields, scan, delete. */
class YcsbBindingsTest {
  @TempDir
  Path dir;

  @Test
  void sapwoodBindingMergesUpdatedFieldsBlindly() throws Exception {
    Properties p = new Properties();
    p.setProperty("sapwood.dir", dir.resolve("s").toString());
    p.setProperty("sapwood.cache_size", "8M");
    exercise(new SapwoodYcsbClient(), p);
  }

  @Test
  void sapwoodBindingWritesTheLogUncompressedWhenAskedTo() throws Exception {
    for (String compress : List.of("true", "false")) {
      Properties p = new Properties();
      p.setProperty("sapwood.dir", dir.resolve(compress).toString());
      p.setProperty("sapwood.cache_size", "8M");
      p.setProperty("sapwood.log_compression", compress);
      exercise(new SapwoodYcsbClient(), p);
      List<Path> segments;
      try (var files = Files.list(dir.resolve(compress).resolve("wal"))) {
        segments = files.filter(f -> f.getFileName().toString().endsWith(".log")).toList();
      }
      assertFalse(segments.isEmpty(), "the log's segments in " + dir.resolve(compress));
      for (Path segment : segments) {
        // docs/format/log.md, the segment header: flags at offset 16, bit 0 a zstd stream
        assertEquals(compress.equals("true"), (flags(segment) & 1) != 0, compress + ": " + segment);
      }
    }
  }

  private static int flags(Path segment) throws IOException {
    byte[] header = new byte[24];
    try (var in = Files.newInputStream(segment)) {
      assertEquals(24, in.readNBytes(header, 0, 24), "a whole header in " + segment);
    }
    return ByteBuffer.wrap(header).getInt(16);
  }

  @Test
  void rocksDbBindingMergesUpdatedFieldsByReadThenPut() throws Exception {
    Properties p = new Properties();
    p.setProperty("rocksdb.dir", dir.resolve("r").toString());
    p.setProperty("rocksdb.cache_size", "8M");
    exercise(new RocksDbYcsbClient(), p);
  }

  private static Map<String, ByteIterator> fields(String... kv) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return StringByteIterator.getByteIteratorMap(m);
  }

  private static String str(ByteIterator b) {
    return new String(b.toArray(), StandardCharsets.UTF_8);
  }

  private static void exercise(DB db, Properties p) throws Exception {
    db.setProperties(p);
    db.init();
    try {
      for (int i = 0; i < 50; i++) {
        assertEquals(Status.OK, db.insert("usertable", String.format("user%03d", i),
            fields("field0", "a" + i, "field1", "b" + i)));
      }
      assertEquals(Status.OK, db.update("usertable", "user007", fields("field1", "B7", "field2", "C7")));
      Map<String, ByteIterator> r = new HashMap<>();
      assertEquals(Status.OK, db.read("usertable", "user007", null, r));
      assertEquals(3, r.size());
      assertEquals("a7", str(r.get("field0")));
      assertEquals("B7", str(r.get("field1")));
      assertEquals("C7", str(r.get("field2")));
      Map<String, ByteIterator> some = new HashMap<>();
      assertEquals(Status.OK, db.read("usertable", "user008", Set.of("field1"), some));
      assertEquals(Map.of("field1", "b8"), Map.of("field1", str(some.get("field1"))));
      Vector<HashMap<String, ByteIterator>> scan = new Vector<>();
      assertEquals(Status.OK, db.scan("usertable", "user045", 10, null, scan));
      assertEquals(5, scan.size());
      assertEquals("a45", str(scan.get(0).get("field0")));
      assertEquals(Status.OK, db.delete("usertable", "user010"));
      assertEquals(Status.NOT_FOUND, db.read("usertable", "user010", null, new HashMap<>()));
    } finally {
      db.cleanup();
    }
  }
}
