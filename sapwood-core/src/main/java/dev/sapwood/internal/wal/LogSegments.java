package dev.sapwood.internal.wal;

import dev.sapwood.internal.io.FileIo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The segment files of a log directory, by first LSN. */
final class LogSegments {
  private LogSegments() {}

  /** One segment file and the first LSN its name gives. */
  record Segment(long firstLsn, Path path) {}

  /** Every segment file in {@code dir}, by first LSN; other files are ignored. */
  static List<Segment> list(FileIo io, Path dir) throws IOException {
    List<Segment> out = new ArrayList<>();
    for (Path p : io.list(dir)) {
      long first = LogFormat.firstLsnOf(p.getFileName().toString());
      if (first >= 0) {
        out.add(new Segment(first, p));
      }
    }
    out.sort((a, b) -> Long.compare(a.firstLsn(), b.firstLsn()));
    return out;
  }

  /**
   * Deletes the segments all of whose records are below {@code lsn}: those followed by a segment
   * that starts at or below {@code lsn}. The segment starting at {@code current} (being written)
   * is never deleted.
   */
  static void deleteBelow(FileIo io, Path dir, long lsn, long current) throws IOException {
    List<Segment> segments = list(io, dir);
    boolean deleted = false;
    for (int i = 0; i + 1 < segments.size(); i++) {
      Segment s = segments.get(i);
      if (s.firstLsn() != current && segments.get(i + 1).firstLsn() <= lsn) {
        io.delete(s.path());
        deleted = true;
      }
    }
    if (deleted) {
      io.syncDirectory(dir);
    }
  }
}
