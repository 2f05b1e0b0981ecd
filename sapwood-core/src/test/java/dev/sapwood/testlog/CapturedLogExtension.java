package dev.sapwood.testlog;

import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Captures the engine's log during each test of a {@link CapturesEngineLog} class and prints it
 * after the test only if the test failed.
 */
public final class CapturedLogExtension implements BeforeEachCallback, AfterEachCallback {
  /** For {@code @ExtendWith}. */
  public CapturedLogExtension() {}

  @Override
  public void beforeEach(ExtensionContext context) {
    CapturedLog.startCapture();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    List<CapturedLog.Entry> kept = CapturedLog.stopCapture();
    if (context.getExecutionException().isPresent() && !kept.isEmpty()) {
      System.err.println("--- the engine's log during the failed test " + context.getDisplayName() + " ("
          + kept.size() + " records) ---");
      for (CapturedLog.Entry e : kept) {
        System.err.println(e.text());
      }
      System.err.println("--- end of the engine's log ---");
    }
  }
}
