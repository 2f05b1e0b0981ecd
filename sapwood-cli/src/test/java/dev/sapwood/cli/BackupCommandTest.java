package dev.sapwood.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Database;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sapwood backup DIR TARGET}: the copy opens with the data; a target that exists, a locked or missing database are refused. */
class BackupCommandTest {
  @TempDir Path tmp;
  Path db;

  @BeforeEach
  void makeDatabase() {
    db = tmp.resolve("db");
    CliTest.run("put", "--create", db.toString(), "users", "alice", "admin").expect(0);
    CliTest.run("put", db.toString(), "users", "bob", "dev").expect(0);
  }

  @Test
  void aBackupOpensAsTheDatabaseDid() {
    Path target = tmp.resolve("copy");
    CliTest.Run r = CliTest.run("backup", db.toString(), target.toString()).expect(0);
    assertTrue(r.out().startsWith("backed up " + db + " to " + target + ": "), r.out());
    CliTest.run("verify", target.toString()).expect(0);
    assertEquals("admin\n", CliTest.run("get", target.toString(), "users", "alice").expect(0).out());
    try (Database copy = Database.open(target)) {
      assertArrayEquals("dev".getBytes(StandardCharsets.UTF_8), copy.tree("users").get("bob".getBytes(StandardCharsets.UTF_8)));
    }
  }

  @Test
  void anExistingTargetIsAUsageErrorAndLeftAlone() throws Exception {
    Path target = Files.createDirectory(tmp.resolve("there"));
    CliTest.Run r = CliTest.run("backup", db.toString(), target.toString()).expect(2);
    assertEquals("sapwood: " + target + " exists: a backup goes to a new directory\n", r.err());
    try (var s = Files.list(target)) {
      assertEquals(0, s.count());
    }
  }

  @Test
  void aMissingOrLockedDatabaseIsRefused() {
    Path missing = tmp.resolve("nope");
    Path target = tmp.resolve("copy");
    assertEquals("sapwood: no such directory: " + missing + "\n",
        CliTest.run("backup", missing.toString(), target.toString()).expect(2).err());
    try (Database open = Database.open(db)) {
      CliTest.Run r = CliTest.run("backup", db.toString(), target.toString()).expect(1);
      assertTrue(r.err().contains("locked"), r.err());
    }
    assertFalse(Files.exists(target));
    assertTrue(CliTest.run("backup", db.toString()).expect(2).err().contains("Missing required parameter"));
  }
}
