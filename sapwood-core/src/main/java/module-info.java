/**
 * Sapwood: an embedded, durable, ordered key-value store built on a B^ε-tree.
 *
 * <p>Only {@code dev.sapwood} is exported; every {@code dev.sapwood.internal.*} package is closed.
 */
// "module": dev.sapwood.cli runs on the class path (docs/cli.md); "requires-automatic": zstd-jni
// has no module-info, only a stable Automatic-Module-Name, and nothing can be done about it here.
@SuppressWarnings({"module", "requires-automatic"})
module dev.sapwood {
  requires org.lz4.java;
  requires com.github.luben.zstd_jni;
  requires java.management; // the JMX bean of each open database
  requires jdk.jfr; // the Flight Recorder events of internal.events

  exports dev.sapwood;
  // User update functions a database names but the caller did not register (FunctionRegistry).
  uses dev.sapwood.UpdateFunction;
  // The diagnostic tools (verify, dump) are for the command line only.
  exports dev.sapwood.internal.tools to dev.sapwood.cli;
}
