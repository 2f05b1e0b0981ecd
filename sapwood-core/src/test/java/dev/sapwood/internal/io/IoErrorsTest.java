package dev.sapwood.internal.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Database;
import dev.sapwood.StorageException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** File errors say the operating system's reason, not just the file's name. */
class IoErrorsTest {
  @TempDir Path tmp;

  @Test
  void namesTheReasonAndTheFile() {
    assertEquals("permission denied (rodb/LOCK)", IoErrors.describe(new AccessDeniedException("rodb/LOCK")));
    assertEquals("no such file or directory (x)", IoErrors.describe(new NoSuchFileException("x")));
    assertEquals("not a directory (afile)", IoErrors.describe(new FileSystemException("afile", null, "Not a directory")));
    assertEquals("disk full", IoErrors.describe(new IOException("disk full")));
  }

  @Test
  void openingADatabaseOnAPlainFileSaysNotADirectory() throws Exception {
    Path file = Files.writeString(tmp.resolve("afile"), "x");
    StorageException e = assertThrows(StorageException.class, () -> Database.open(file));
    assertEquals("cannot open " + file + ": not a directory (" + file + ")", e.getMessage());
    assertTrue(Files.isRegularFile(file));
  }
}
