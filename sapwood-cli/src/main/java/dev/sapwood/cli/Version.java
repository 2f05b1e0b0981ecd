package dev.sapwood.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * The version every {@code --version} prints ({@code sapwood} and each subcommand): read from
 * {@code version.properties}, which Maven fills in from the pom's {@code project.version} when it
 * builds, so the pom is the one place the version is written.
 */
final class Version implements IVersionProvider {
  /** The project's version, e.g. {@code 0.1.0-SNAPSHOT}. */
  static String get() {
    Properties p = new Properties();
    try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        throw new IllegalStateException("version.properties is missing from the build");
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p.getProperty("version");
  }

  @Override
  public String[] getVersion() {
    return new String[] {"sapwood " + get(), "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
  }
}
