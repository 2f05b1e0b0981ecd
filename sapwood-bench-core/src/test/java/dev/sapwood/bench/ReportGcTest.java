package dev.sapwood.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReportGcTest {
  private static WorkloadResult result(double seconds, double gcSeconds) {
    return new WorkloadResult("e", "fillrandom", 1000, seconds, 116_000, 1, 2, 3, 4, 200_000,
        116_000, 0, 1 << 20, 116_000, 1 << 20, gcSeconds, "", List.of());
  }

  @Test
  void gcShareIsPausesOverTheTimedWallTime() {
    assertEquals(0.05, result(20, 1).gcShare(), 1e-12);
  }

  @Test
  void theLineShowsTheGcShareOnlyWhenThereWerePauses() {
    assertTrue(Report.line(result(20, 1)).contains("GC 5.0%"), Report.line(result(20, 1)));
    assertFalse(Report.line(result(20, 0)).contains("GC"));
    assertEquals(1.0, Report.toMap(result(20, 1), false).get("gc_pause_seconds"));
  }
}
