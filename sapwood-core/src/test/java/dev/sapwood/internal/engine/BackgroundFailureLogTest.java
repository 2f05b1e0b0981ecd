package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.testlog.CapturedLog;
import dev.sapwood.testlog.CapturesEngineLog;
import dev.sapwood.Options;
import dev.sapwood.StorageException;
import dev.sapwood.Tree;
import dev.sapwood.internal.io.ForwardingFileIo;
import dev.sapwood.internal.io.ForwardingIoFile;
import dev.sapwood.internal.io.IoFile;
import dev.sapwood.internal.io.MemoryFileIo;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A background task that fails is logged once, at ERROR with its stack trace; the tasks that then
 * find the database failed say only that they stopped, at DEBUG.
 */
@CapturesEngineLog
class BackgroundFailureLogTest {
  @Test
  void theFirstBackgroundFailureIsLoggedOnceAtErrorAndTheRestAtDebug() throws Exception {
    AtomicBoolean failing = new AtomicBoolean();
    ForwardingFileIo io = new ForwardingFileIo(new MemoryFileIo()) {
      @Override
      protected IoFile wrap(IoFile file) {
        return new ForwardingIoFile(file) {
          @Override
          public void force() throws IOException {
            if (failing.get()) {
              throw new IOException("injected: fsync failed");
            }
            super.force();
          }
        };
      }
    };
    Options o = Options.defaults().checkpointInterval(Duration.ofMillis(20)).syncInterval(Duration.ofMillis(5));
    DatabaseImpl db = TestSeams.open(Path.of("/log"), o, io);
    try {
      Tree t = db.tree("t");
      failing.set(true); // the next background checkpoint (or log sync) fails, and the others after it
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (CapturedLog.records().size() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      List<CapturedLog.Entry> records = CapturedLog.records();
      assertTrue(records.size() >= 2, "the log sync and the checkpoint both failed in the background: " + records);
      List<CapturedLog.Entry> errors = records.stream().filter(e -> e.level() == System.Logger.Level.ERROR).toList();
      assertEquals(1, errors.size(), "one error: " + records);
      assertTrue(errors.get(0).text().contains("the database refuses writes")
          && errors.get(0).text().contains("injected: fsync failed"), errors.get(0).text());
      assertTrue(records.stream().filter(e -> e != errors.get(0))
          .allMatch(e -> e.level() == System.Logger.Level.DEBUG && e.text().contains("stopped after the database failed")),
          records.toString());
      assertThrows(StorageException.class, () -> t.put(new byte[] {1}, new byte[] {2}));
    } finally {
      assertThrows(StorageException.class, db::close);
    }
  }
}
