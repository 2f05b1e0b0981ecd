package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Database;
import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.SapwoodException;
import dev.sapwood.Tree;
import dev.sapwood.UpdateFunction;
import dev.sapwood.UpdateFunctions;
import java.nio.charset.StandardCharsets;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A database that used a user update function opens again when ServiceLoader can provide it. */
class FunctionProviderTest {
  @TempDir Path dir;

  @Test
  void aFunctionTheDatabaseNamesIsFoundThroughServiceLoader() {
    try (Database db = Database.open(dir, Options.defaults().register(new ProvidedConcat()))) {
      Tree t = db.tree("t");
      t.put(b("k"), b("a"));
      t.update(b("k"), new ProvidedConcat(), b("b"));
    }
    try (Database db = Database.open(dir)) { // not registered: the test class path provides it
      Tree t = db.tree("t");
      assertArrayEquals(b("a+b"), t.get(b("k")));
      t.update(b("k"), new ProvidedConcat(), b("c"));
      assertArrayEquals(b("a+b+c"), t.get(b("k")));
    }
  }

  @Test
  void logReplayFindsAProvidedFunctionUsedAfterTheLastCheckpoint() {
    MemoryFileIo io = new MemoryFileIo();
    Path mem = Path.of("/replay");
    Options sync = Options.defaults().durability(Durability.SYNC).checkpointInterval(Duration.ofHours(1));
    DatabaseImpl db = TestSeams.open(mem, sync.register(new ProvidedConcat()), io);
    Tree t = db.tree("t");
    t.put(b("k"), b("a"));
    db.checkpoint();
    t.update(b("k"), new ProvidedConcat(), b("b")); // only in the log: the catalog does not name it yet
    TestSeams.halt(db);
    io.crash();
    try (DatabaseImpl again = TestSeams.open(mem, sync, io)) {
      assertTrue(again.stats().get("recovery.records_replayed") >= 1);
      assertArrayEquals(b("a+b"), again.tree("t").get(b("k")));
    }
  }

  @Test
  void aFunctionNeitherRegisteredNorProvidedStillRefusesTheOpenByName() {
    UpdateFunction nowhere = new UpdateFunction() {
      @Override
      public String name() {
        return "test.nowhere";
      }

      @Override
      public byte[] apply(byte[] key, byte[] old, byte[] arg) {
        return arg;
      }
    };
    try (Database db = Database.open(dir, Options.defaults().register(nowhere))) {
      db.tree("t").update(b("k"), nowhere, b("x"));
    }
    SapwoodException e = assertThrows(SapwoodException.class, () -> Database.open(dir).close());
    assertTrue(e.getMessage().contains("'test.nowhere'") && e.getMessage().contains("--functions"), e.getMessage());
    try (Database db = Database.open(dir, Options.defaults().register(nowhere))) {
      assertArrayEquals(b("x"), db.tree("t").get(b("k")));
    }
  }

  @Test
  void registeredAndBuiltInNamesComeFirstAndProvidersOnlyFillGaps() {
    FunctionRegistry reg = new FunctionRegistry(List.of());
    assertTrue(reg.isRegistered(ProvidedConcat.NAME));
    assertTrue(reg.resolve(UpdateFunctions.ADD_LONG.name()) == UpdateFunctions.ADD_LONG);
    assertFalse(reg.isRegistered("test.nowhere"));
    ClassLoader empty = new ClassLoader(null) {};
    assertFalse(new FunctionRegistry(List.of(), empty).isRegistered(ProvidedConcat.NAME),
        "providers come from the loader given, not from anywhere");
  }

  @Test
  void aFunctionNameWithAnUnpairedSurrogateIsRefusedAtRegistration() {
    for (String bad : List.of("f\uD800", "\uDC00", "a\uD83D")) {
      UpdateFunction f = new UpdateFunction() {
        @Override
        public String name() {
          return bad;
        }

        @Override
        public byte[] apply(byte[] key, byte[] old, byte[] arg) {
          return arg;
        }
      };
      assertThrows(IllegalArgumentException.class, () -> Options.defaults().register(f));
    }
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
