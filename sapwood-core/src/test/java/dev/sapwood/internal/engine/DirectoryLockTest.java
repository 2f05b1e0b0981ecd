package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sapwood.Database;
import dev.sapwood.DatabaseLockedException;
import dev.sapwood.Options;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine and the tools take one lock, by one code ({@link DirectoryLock}). */
class DirectoryLockTest {
  @TempDir Path dir;

  @Test
  void anInspectionIsRefusedWhileTheDatabaseIsOpenAndAllowedAfter() {
    try (Database db = Database.open(dir, Options.defaults())) {
      db.tree("t").put(new byte[] {1}, new byte[] {2});
      assertThrows(DatabaseLockedException.class, () -> Inspection.open(dir));
    }
    try (Inspection in = Inspection.open(dir)) {
      assertEquals(java.util.List.of("t"), java.util.List.copyOf(in.roots().keySet()));
    }
  }

  @Test
  @SuppressWarnings("try") // the inspection is held open, unused, while the open is refused
  void theDatabaseIsRefusedWhileAnInspectionHoldsTheLockAndOpensAfter() {
    try (Database db = Database.open(dir, Options.defaults())) {
      db.tree("t").put(new byte[] {1}, new byte[] {2});
    }
    try (Inspection in = Inspection.open(dir)) {
      assertThrows(DatabaseLockedException.class, () -> Database.open(dir, Options.defaults()));
    }
    try (Database db = Database.open(dir, Options.defaults())) {
      assertArrayEquals(new byte[] {2}, db.tree("t").get(new byte[] {1}));
    }
  }

  @Test
  void inspectionsAndReadOnlyOpensShareTheLock() {
    try (Database db = Database.open(dir, Options.defaults())) {
      db.tree("t").put(new byte[] {1}, new byte[] {2});
    }
    try (Inspection in = Inspection.open(dir);
        Inspection again = Inspection.open(dir);
        Database ro = Database.open(dir, Options.defaults().readOnly(true))) {
      assertArrayEquals(new byte[] {2}, ro.tree("t").get(new byte[] {1}));
      assertEquals(in.roots(), again.roots());
      assertThrows(DatabaseLockedException.class, () -> Database.open(dir, Options.defaults()));
    }
  }
}
