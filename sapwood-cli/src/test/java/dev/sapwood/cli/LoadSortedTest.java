package dev.sapwood.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Database;
import dev.sapwood.Options;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sapwood load --sorted}: the bulk loader for an empty tree, order checked first. */
class LoadSortedTest {
  @TempDir Path tmp;

  private static String lines(int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(String.format("key%08d\tvalue %d%n", i, i));
    }
    return sb.toString();
  }

  @Test
  void sortedInputIsBulkLoadedIntoAnEmptyTreeAndVerifies() throws Exception {
    Path db = tmp.resolve("db");
    Path file = tmp.resolve("in.tsv");
    Files.writeString(file, lines(20_000));
    CliTest.Run r = CliTest.run("load", "--create", "--sorted", db.toString(), "t", file.toString()).expect(0);
    assertTrue(r.out().contains("loaded 20,000 keys into 't' by bulk load"), r.out());
    try (Database d = Database.open(db, Options.defaults())) {
      assertEquals(20_000, d.tree("t").approximateSize());
    }
    CliTest.run("verify", db.toString()).expect(0);
    Path out = tmp.resolve("out.tsv");
    CliTest.run("export", db.toString(), "t", "-o", out.toString()).expect(0);
    assertEquals(Files.readString(file), Files.readString(out));
  }

  @Test
  void unsortedInputFailsNamingTheLineWithNothingLoaded() throws Exception {
    Path db = tmp.resolve("db");
    CliTest.run("put", "--create", db.toString(), "other", "a", "1").expect(0);
    Path file = tmp.resolve("in.tsv");
    Files.writeString(file, "a\t1\nc\t2\nb\t3\n");
    CliTest.Run r = CliTest.run("load", "--sorted", db.toString(), "t", file.toString()).expect(2);
    assertTrue(r.err().contains("line 3") && r.err().contains("--sorted"), r.err());
    Files.writeString(file, "a\t1\na\t2\n");
    r = CliTest.run("load", "--sorted", db.toString(), "t", file.toString()).expect(2);
    assertTrue(r.err().contains("line 2") && r.err().contains("same"), r.err());
    try (Database d = Database.open(db, Options.defaults())) {
      Optional<?> t = d.findTree("t");
      assertFalse(t.isPresent(), "no tree was created");
    }
  }

  @Test
  void aTreeWithKeysTakesSortedInputInBatches() throws Exception {
    Path db = tmp.resolve("db");
    CliTest.run("put", "--create", db.toString(), "t", "zzz", "last").expect(0);
    Path file = tmp.resolve("in.tsv");
    Files.writeString(file, lines(100));
    CliTest.Run r = CliTest.run("load", "--sorted", db.toString(), "t", file.toString()).expect(0);
    assertTrue(r.err().contains("not empty"), r.err());
    assertFalse(r.out().contains("bulk"), r.out());
    try (Database d = Database.open(db, Options.defaults())) {
      assertEquals("last", new String(d.tree("t").get("zzz".getBytes())));
      assertEquals("value 42", new String(d.tree("t").get("key00000042".getBytes())));
    }
  }
}
