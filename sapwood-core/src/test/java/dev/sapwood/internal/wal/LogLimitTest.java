package dev.sapwood.internal.wal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Limits;
import org.junit.jupiter.api.Test;

/** The log's record limit leaves room for the largest batch the API accepts. */
class LogLimitTest {
  @Test
  void theLargestBatchFitsOneLogRecord() {
    // A batch record is a type byte and a count (5 bytes), then its operations, each at most
    // Limits.batchOpSize bytes (LogRecordsTest checks that): so MAX_BATCH_SIZE + 5 must fit.
    assertTrue(LogFormat.MAX_PAYLOAD >= (long) Limits.MAX_BATCH_SIZE + 5,
        "log record limit " + LogFormat.MAX_PAYLOAD + " below the batch limit " + Limits.MAX_BATCH_SIZE);
  }
}
