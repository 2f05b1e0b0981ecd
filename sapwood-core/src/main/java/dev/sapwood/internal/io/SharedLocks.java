package dev.sapwood.internal.io;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * The shared file locks of this process ({@link NioFile#tryLockShared()}). The JDK keeps one lock
 * per file and process: a second {@code FileChannel.tryLock} on a file this process has locked
 * throws {@link OverlappingFileLockException}, even when both locks are shared. So every shared
 * holder here joins one lock per file, taken on a channel of its own (used for nothing else, so no
 * holder's close or interrupt releases it) and released when the last holder lets go. An exclusive
 * lock of this process on the file still refuses a shared one, and the other way round.
 *
 * <p>Thread-safe: every method holds the class's monitor. Invariants: a file is in {@code HELD}
 * exactly while it has holders ({@code count > 0}) and its lock is valid.
 */
final class SharedLocks {
  private static final class Held {
    final FileChannel channel;
    int count = 1;

    Held(FileChannel channel) {
      this.channel = channel;
    }
  }

  private static final Map<Path, Held> HELD = new HashMap<>();

  private SharedLocks() {}

  /**
   * Joins or takes the shared lock of {@code path}; returns the key to {@link #release} it with, or
   * null if an exclusive holder (this process or another) has the file.
   */
  static synchronized Path acquire(Path path) throws IOException {
    Path key = path.toRealPath();
    Held h = HELD.get(key);
    if (h != null) {
      h.count++;
      return key;
    }
    boolean interrupted = Thread.interrupted(); // an interrupt would close the channel mid-lock
    try {
      while (true) {
        FileChannel ch = FileChannel.open(key, StandardOpenOption.READ);
        try {
          FileLock lock = ch.tryLock(0, Long.MAX_VALUE, true);
          if (lock == null) {
            ch.close();
            return null;
          }
          HELD.put(key, new Held(ch));
          return key;
        } catch (OverlappingFileLockException e) {
          ch.close(); // this process holds it exclusively
          return null;
        } catch (ClosedByInterruptException e) {
          interrupted |= Thread.interrupted(); // interrupted meanwhile: take it again
        } catch (IOException | RuntimeException e) {
          ch.close();
          throw e;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** One holder of {@code key}'s lock lets go; the last one releases it. */
  static synchronized void release(Path key) throws IOException {
    Held h = HELD.get(key);
    if (h != null && --h.count == 0) {
      HELD.remove(key);
      h.channel.close(); // releases the lock
    }
  }
}
