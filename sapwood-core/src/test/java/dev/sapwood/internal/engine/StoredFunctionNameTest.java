package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.UpdateFunction;
import dev.sapwood.UpdateFunctions;
import dev.sapwood.internal.io.MemoryFileIo;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * An update's function name is checked, noted in the catalog and encoded once per name, not per
 * update: the name every update of updaterandom carries cost a tenth of its writer's samples when
 * each update checked the registry through a stream and encoded the name again.
 */
class StoredFunctionNameTest {
  private static final Options OPTIONS =
      Options.defaults().durability(Durability.NONE).checkpointInterval(Duration.ofHours(1));

  @Test
  void aNameIsEncodedOnceAndNamingItAgainAllocatesNothing() throws Exception {
    Method allocatedBytes = Class.forName("com.sun.management.ThreadMXBean").getMethod("getThreadAllocatedBytes", long.class);
    Object mx = ManagementFactory.getThreadMXBean();
    try (DatabaseImpl db = TestSeams.open(Path.of("/names"), OPTIONS, new MemoryFileIo())) {
      byte[] first = db.functionName(UpdateFunctions.ADD_LONG);
      assertArrayEquals(UpdateFunctions.ADD_LONG.name().getBytes(StandardCharsets.UTF_8), first);
      assertSame(first, db.functionName(UpdateFunctions.ADD_LONG));
      long tid = Thread.currentThread().getId();
      long before = (long) allocatedBytes.invoke(mx, tid);
      for (int i = 0; i < 100_000; i++) {
        db.functionName(UpdateFunctions.ADD_LONG);
      }
      long allocated = (long) allocatedBytes.invoke(mx, tid) - before;
      assertTrue(allocated < 100_000, allocated + " bytes allocated naming a function 100,000 times");
    }
  }

  @Test
  void aUserFunctionIsNotedInTheCatalogWhenFirstNamedAndABuiltInNever() {
    try (DatabaseImpl db = TestSeams.open(Path.of("/names"), OPTIONS.register(new ProvidedConcat()), new MemoryFileIo())) {
      assertFalse(db.catalog().functions.contains(ProvidedConcat.NAME));
      byte[] stored = db.functionName(new ProvidedConcat());
      assertArrayEquals(ProvidedConcat.NAME.getBytes(StandardCharsets.UTF_8), stored);
      assertTrue(db.catalog().functions.contains(ProvidedConcat.NAME));
      db.functionName(UpdateFunctions.ADD_LONG);
      assertFalse(db.catalog().functions.contains(UpdateFunctions.ADD_LONG.name()));
    }
  }

  @Test
  void anUnregisteredNameIsRefusedEveryTime() {
    UpdateFunction nowhere = new UpdateFunction() {
      @Override
      public String name() {
        return "test.registered_nowhere";
      }

      @Override
      public byte[] apply(byte[] key, byte[] oldValueOrNull, byte[] argument) {
        return argument;
      }
    };
    try (DatabaseImpl db = TestSeams.open(Path.of("/names"), OPTIONS, new MemoryFileIo())) {
      for (int i = 0; i < 3; i++) {
        assertThrows(IllegalArgumentException.class, () -> db.functionName(nowhere));
      }
      assertFalse(db.catalog().functions.contains("test.registered_nowhere"));
    }
  }
}
