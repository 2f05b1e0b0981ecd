package dev.sapwood.internal.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;

/**
 * Says what went wrong with a file in words: NIO's {@link FileSystemException}s carry the file in
 * their message and the operating system's reason apart from it (or only in their type), so
 * {@code e.getMessage()} alone reads {@code "rodb/LOCK"} for a permission denied.
 */
public final class IoErrors {
  private IoErrors() {}

  /** {@code "permission denied (rodb/LOCK)"}, {@code "not a directory (afile)"}, else the message. */
  public static String describe(IOException e) {
    if (!(e instanceof FileSystemException fse)) {
      return e.getMessage() == null ? e.toString() : e.getMessage();
    }
    String reason = fse.getReason();
    if (reason == null) {
      reason = e instanceof AccessDeniedException ? "permission denied"
          : e instanceof NoSuchFileException ? "no such file or directory"
          : e instanceof NotDirectoryException ? "not a directory"
          : e instanceof FileAlreadyExistsException ? "file exists"
          : e.getClass().getSimpleName();
    } else if (!reason.isEmpty()) {
      reason = reason.substring(0, 1).toLowerCase(Locale.ROOT) + reason.substring(1);
    }
    String file = fse.getFile();
    String other = fse.getOtherFile();
    return file == null ? reason : reason + " (" + file + (other == null ? "" : " -> " + other) + ")";
  }
}
