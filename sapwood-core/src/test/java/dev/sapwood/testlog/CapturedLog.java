package dev.sapwood.testlog;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;
import java.util.function.Supplier;

/**
 * The test suite's {@link System.LoggerFinder} (registered in {@code
 * META-INF/services/java.lang.System$LoggerFinder} of the test classes): what the engine logs
 * through {@code System.Logger} goes to standard error as it comes, except while a test marked
 * {@link CapturesEngineLog} runs — a test that injects failures on purpose, whose engine errors
 * are expected. Then every record is kept, and shown only if the test fails ({@link
 * CapturedLogExtension}); tests may also look at {@link #records()}.
 *
 * <p>Printed: {@code INFO} and above (as the JDK's default would); kept: {@code DEBUG} and above.
 * Loggers outside {@code dev.sapwood} (the JDK's own) only {@code WARNING} and above. Thread-safe: background threads log while tests run.
 */
public final class CapturedLog extends System.LoggerFinder {
  /** One logged record, formatted: level, logger, message and the stack trace if any. */
  public record Entry(System.Logger.Level level, String logger, String text) {}

  private static final Object LOCK = new Object();
  private static boolean capturing; // guarded by LOCK
  private static final List<Entry> ENTRIES = new ArrayList<>(); // guarded by LOCK

  /** For {@link java.util.ServiceLoader}. */
  public CapturedLog() {}

  @Override
  public System.Logger getLogger(String name, Module module) {
    return new Logger(name);
  }

  /** Starts keeping records instead of printing them (and forgets those kept before). */
  static void startCapture() {
    synchronized (LOCK) {
      capturing = true;
      ENTRIES.clear();
    }
  }

  /** Prints records again as they come; returns those kept since {@link #startCapture}. */
  static List<Entry> stopCapture() {
    synchronized (LOCK) {
      capturing = false;
      List<Entry> out = List.copyOf(ENTRIES);
      ENTRIES.clear();
      return out;
    }
  }

  /** The records kept so far by the running capture. */
  public static List<Entry> records() {
    synchronized (LOCK) {
      return List.copyOf(ENTRIES);
    }
  }

  private static void publish(Entry e) {
    synchronized (LOCK) {
      if (capturing) {
        ENTRIES.add(e);
        return;
      }
    }
    if (e.level().getSeverity() >= System.Logger.Level.INFO.getSeverity()) {
      System.err.println(e.text());
    }
  }

  private static final class Logger implements System.Logger {
    private final String name;
    private final boolean ours;

    Logger(String name) {
      this.name = name;
      this.ours = name.startsWith("dev.sapwood");
    }

    @Override
    public String getName() {
      return name;
    }

    @Override
    public boolean isLoggable(Level level) {
      return level != Level.OFF && level.getSeverity() >= (ours ? Level.DEBUG : Level.WARNING).getSeverity();
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
      if (!isLoggable(level)) {
        return;
      }
      StringBuilder text = new StringBuilder(level + " " + name + ": " + msg);
      if (thrown != null) {
        StringWriter sw = new StringWriter();
        thrown.printStackTrace(new PrintWriter(sw));
        text.append(System.lineSeparator()).append(sw.toString().stripTrailing());
      }
      publish(new Entry(level, name, text.toString()));
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
      if (isLoggable(level)) {
        log(level, bundle, params == null || params.length == 0 ? format : MessageFormat.format(format, params),
            (Throwable) null);
      }
    }

    @Override
    public void log(Level level, Supplier<String> msg) {
      if (isLoggable(level)) {
        log(level, null, msg.get(), (Throwable) null);
      }
    }
  }
}
