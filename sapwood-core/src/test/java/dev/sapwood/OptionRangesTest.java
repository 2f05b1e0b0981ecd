package dev.sapwood;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class OptionRangesTest {

  @Test
  void aValueOutsideItsRangeIsRefusedNamingTheOptionTheValueAndTheRange() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Options.defaults().fanout(Options.MAX_FANOUT + 1));
    assertEquals("fanout 4097 outside [3, 4096]", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Options.defaults().transactionRetries(-1));
    assertEquals("transactionRetries -1 outside [0, 1000]", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Options.defaults().maxTransactionBytes(Limits.MAX_BATCH_SIZE + 1L));
    assertEquals("maxTransactionBytes " + (Limits.MAX_BATCH_SIZE + 1L) + " outside [4096, "
        + Limits.MAX_BATCH_SIZE + "]", e.getMessage());
  }

  @Test
  void theBoundsThemselvesAreAccepted() {
    assertEquals(Options.MIN_NODE_SIZE, Options.defaults().nodeSize(Options.MIN_NODE_SIZE).nodeSize());
    assertEquals(Options.MAX_NODE_SIZE, Options.defaults().nodeSize(Options.MAX_NODE_SIZE).nodeSize());
    assertEquals(0, Options.defaults().transactionRetries(0).transactionRetries());
    assertEquals(Duration.ofDays(1), Options.defaults().syncInterval(Duration.ofDays(1)).syncInterval());
  }

  @Test
  void anIntervalOutsideItsRangeOrNullIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Options.defaults().checkpointInterval(Duration.ofMillis(9)));
    assertEquals("checkpointInterval PT0.009S outside [PT0.01S, 1 day]", e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> Options.defaults().syncInterval(Duration.ofDays(1).plusNanos(1)));
    NullPointerException npe = assertThrows(NullPointerException.class,
        () -> Options.defaults().syncInterval(null));
    assertEquals("syncInterval", npe.getMessage());
  }
}
