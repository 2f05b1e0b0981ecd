package dev.sapwood.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Database;
import dev.sapwood.Options;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reading commands (get, scan, export, trees, stats, verify, dump) open the database
 * read-only: they run while another reader holds it, and beside each other, and write nothing;
 * a writing command is refused while a reader holds the database, and a reading one while a
 * writer does.
 */
class ReadingCommandsTest {
  @TempDir Path tmp;
  Path db;

  private static final List<List<String>> READING = List.of(List.of("get", "users", "alice"),
      List.of("scan", "users"), List.of("export", "users"), List.of("trees"), List.of("stats"),
      List.of("verify"), List.of("dump", "users"));

  @BeforeEach
  void makeDatabase() {
    db = tmp.resolve("db");
    CliTest.run("put", "--create", db.toString(), "users", "alice", "admin").expect(0);
    CliTest.run("put", db.toString(), "users", "bob", "dev").expect(0);
  }

  private CliTest.Run run(List<String> command) {
    String[] args = new String[command.size() + 1];
    args[0] = command.get(0);
    args[1] = db.toString();
    for (int i = 1; i < command.size(); i++) {
      args[i + 1] = command.get(i);
    }
    return CliTest.run(args);
  }

  private Map<String, String> contents() throws IOException {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(db)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (Files.isRegularFile(p)) {
          byte[] b = Files.readAllBytes(p);
          m.put(db.relativize(p).toString(), b.length + ":" + java.util.Arrays.hashCode(b) + ":"
              + Files.getLastModifiedTime(p).toMillis());
        }
      }
    }
    return m;
  }

  @Test
  void everyReadingCommandRunsWhileAnotherReaderHoldsTheDatabaseAndWritesNothing() throws Exception {
    Map<String, String> before = contents();
    Thread.sleep(20); // so a rewrite would show in a modification time
    try (Database reader = Database.open(db, Options.defaults().readOnly(true))) {
      for (List<String> c : READING) {
        CliTest.Run r = run(c);
        assertEquals(0, r.status(), c + ": " + r.err());
      }
      assertEquals("admin", new String(reader.tree("users").get("alice".getBytes()), java.nio.charset.StandardCharsets.UTF_8));
    }
    assertEquals(before, contents(), "a reading command wrote to the directory");
  }

  @Test
  void twoReadingCommandsRunAtOnce() throws Exception {
    for (int i = 0; i < 200; i++) {
      CliTest.run("put", db.toString(), "users", "user" + i, "v" + i).expect(0);
    }
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 5; round++) {
        Future<CliTest.Run> a = pool.submit(() -> run(List.of("export", "users")));
        Future<CliTest.Run> b = pool.submit(() -> run(List.of("scan", "users")));
        CliTest.Run ra = a.get();
        CliTest.Run rb = b.get();
        assertEquals(0, ra.status(), ra.err());
        assertEquals(0, rb.status(), rb.err());
        assertEquals(202, ra.out().lines().count());
        assertEquals(202, rb.out().lines().count());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aWritingCommandIsRefusedWhileAReaderHoldsTheDatabase() {
    try (Database reader = Database.open(db, Options.defaults().readOnly(true))) {
      CliTest.Run r = CliTest.run("put", db.toString(), "users", "carol", "ops");
      assertEquals(1, r.status(), r.err());
      assertTrue(r.err().contains("read-only"), r.err());
    }
    CliTest.run("put", db.toString(), "users", "carol", "ops").expect(0);
  }

  @Test
  void aReadingCommandIsRefusedWhileAWriterHoldsTheDatabase() {
    try (Database writer = Database.open(db)) {
      for (List<String> c : READING) {
        CliTest.Run r = run(c);
        assertEquals(1, r.status(), c + ": " + r.out() + r.err());
        assertTrue(r.err().contains("open for writing"), c + ": " + r.err());
      }
    }
  }
}
