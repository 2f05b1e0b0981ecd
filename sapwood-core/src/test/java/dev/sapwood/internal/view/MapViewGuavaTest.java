package dev.sapwood.internal.view;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Collections;
import junit.framework.TestFailure;
import junit.framework.TestResult;
import org.junit.jupiter.api.Test;

/**
 * Runs Guava's suites of {@link MapViewSuites} (about 66,000 generated JUnit 3 tests) as part of
 * {@code mvn verify}, in-process with JUnit 3's own runner: the tests themselves take seconds,
 * while reporting each of them through Surefire and the vintage engine takes minutes. Every
 * failure is listed by its full generated name. To see each test in Surefire's reports, run the
 * suite through the vintage engine: {@code mvn -pl sapwood-core test -Dtest=MapViewSuites}.
 */
class MapViewGuavaTest {
  @Test
  void everyGeneratedGuavaTestPasses() {
    TestResult result = new TestResult();
    MapViewSuites.suite().run(result);
    StringBuilder report = new StringBuilder();
    int shown = 0;
    for (TestFailure f : Collections.list(result.failures())) {
      shown = describe(report, f, "failure", shown);
    }
    for (TestFailure f : Collections.list(result.errors())) {
      shown = describe(report, f, "error", shown);
    }
    if (!result.wasSuccessful()) {
      fail(result.failureCount() + " failures and " + result.errorCount() + " errors in " + result.runCount()
          + " tests:\n" + report);
    }
    assertTrue(result.runCount() > 50_000, "ran " + result.runCount() + " generated tests");
  }

  private static int describe(StringBuilder report, TestFailure f, String kind, int shown) {
    if (shown < 25) {
      StringWriter trace = new StringWriter();
      f.thrownException().printStackTrace(new PrintWriter(trace));
      report.append(kind).append(": ").append(f.failedTest()).append('\n').append(trace).append('\n');
    }
    return shown + 1;
  }
}
