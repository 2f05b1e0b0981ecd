package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.CorruptionException;
import dev.sapwood.Database;
import dev.sapwood.internal.engine.DurabilityModel.State;
import dev.sapwood.internal.fuzz.Fuzz;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Mutated logs through a whole open (read, decode, replay, checkpoint): the database either opens
 * holding exactly the state after some prefix of the logged batches, or the open is a {@link
 * CorruptionException}. A state that no prefix had is a wrong answer; any other exception fails.
 * The log is {@link LogCorruptionTest}'s (12 SYNC batches after a checkpoint).
 */
class LogReplayFuzzTest {
  private static final Path DIR = Path.of("/db");

  private static void fuzz(int iterations) {
    LogCorruptionTest.Fixture f = new LogCorruptionTest.Fixture();
    Fuzz.run("log replay (whole open)", List.of(f.bytes), new Fuzz.Target() {
      @Override
      public void decode(byte[] log) {
        try (Database db = TestSeams.open(DIR, LogCorruptionTest.options(), f.with(log))) {
          State got = State.read(db);
          boolean prefix = false;
          for (State s : f.states) {
            prefix |= s.diff(got) == null;
          }
          assertTrue(prefix, "opened with a state no prefix of the log had: " + got);
        }
      }

      /**
       * A whole open (the log's 1 MiB read window, the writer's buffers, the cache, the trees)
       * allocates 3-6 MiB on this thread, more when the JIT has not yet compiled the path away
       * (seen 5.6 MiB under load): 8 MiB still fails any allocation sized by a hostile length.
       */
      @Override
      public long allocationBound(int length) {
        return (8L << 20) + 256L * length;
      }
    }, iterations);
  }

  @Test
  void aMutatedLogOpensAsAPrefixOfItsBatchesOrIsCorruption() {
    fuzz(Fuzz.iterations(400));
  }

  @Test
  @Tag("stress")
  void aMutatedLogLongRun() {
    fuzz(Fuzz.iterations(50_000));
  }
}
