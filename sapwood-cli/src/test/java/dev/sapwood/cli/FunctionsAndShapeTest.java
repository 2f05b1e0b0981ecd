package dev.sapwood.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Compression;
import dev.sapwood.Database;
import dev.sapwood.Options;
import dev.sapwood.Tree;
import dev.sapwood.UpdateFunction;
import dev.sapwood.internal.tools.Inspect;
import dev.sapwood.internal.tools.TreeShape;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line keeps a database reachable and its shape: {@code --functions JAR} supplies user
 * update functions its data names, and no command reshapes it to the default options.
 */
class FunctionsAndShapeTest {
  @TempDir Path tmp;

  private static final String SOURCE = """
      package example.fns;

      public final class Shout implements dev.sapwood.UpdateFunction {
        @Override
        public String name() {
          return "example.shout";
        }

        @Override
        public byte[] apply(byte[] key, byte[] old, byte[] arg) {
          String s = (old == null ? "" : new String(old, java.nio.charset.StandardCharsets.UTF_8))
              + new String(arg, java.nio.charset.StandardCharsets.UTF_8).toUpperCase(java.util.Locale.ROOT);
          return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
      }
      """;

  @Test
  void everyCommandOpensADatabaseThatUsedAUserFunctionGivenItsJar() throws Exception {
    Path jar = buildFunctionJar();
    Path db = tmp.resolve("db");
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, getClass().getClassLoader())) {
      UpdateFunction shout = ServiceLoader.load(UpdateFunction.class, loader).stream()
          .map(ServiceLoader.Provider::get).filter(f -> f.name().equals("example.shout")).findFirst().orElseThrow();
      try (Database d = Database.open(db, Options.defaults().register(shout))) {
        Tree t = d.tree("t");
        t.put(b("k"), b("a"));
        t.update(b("k"), shout, b("b"));
      }
    }
    String dir = db.toString();
    String j = jar.toString();

    CliTest.Run refused = CliTest.run("get", dir, "t", "k").expect(1);
    assertTrue(refused.err().contains("'example.shout'") && refused.err().contains("--functions"), refused.err());
    CliTest.run("compact", dir).expect(1);

    assertEquals("aB\n", CliTest.run("get", "--functions", j, dir, "t", "k").expect(0).out());
    assertEquals("k\taB\n", CliTest.run("scan", "--functions", j, dir, "t").expect(0).out());
    CliTest.run("put", "--functions", j, dir, "t", "k2", "v").expect(0);
    CliTest.run("compact", "--functions", j, dir).expect(0);
    CliTest.run("stats", "--functions", j, dir).expect(0);
    CliTest.run("trees", "--functions", j, dir).expect(0);
    CliTest.run("export", "--functions", j, dir, "t").expect(0);
    CliTest.run("dump", "--functions", j, dir, "t").expect(0);
    CliTest.run("delete", "--functions", j, dir, "t", "k2").expect(0);
    CliTest.run("verify", "--functions", j, dir).expect(0);
    Path lines = tmp.resolve("lines.tsv");
    Files.writeString(lines, "x\ty\n");
    CliTest.run("load", "--functions", j, dir, "t", lines.toString()).expect(0);

    CliTest.Run noJar = CliTest.run("get", "--functions", tmp.resolve("none.jar").toString(), dir, "t", "k").expect(2);
    assertTrue(noJar.err().contains("no such jar"), noJar.err());
  }

  @Test
  void compactAndLoadKeepTheShapeTheDatabaseWasMadeWith() throws IOException {
    Path db = tmp.resolve("small");
    Options small = Options.defaults().nodeSize(16 << 10).basementSize(4 << 10).fanout(4).compression(Compression.ZSTD);
    try (Database d = Database.open(db, small)) {
      d.tree("t").put(b("seed"), b("v"));
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 10_000; i++) {
      sb.append(String.format("key%08d\t%0100d%n", i, i));
    }
    Path lines = tmp.resolve("load.tsv");
    Files.writeString(lines, sb);
    CliTest.run("load", db.toString(), "t", lines.toString()).expect(0);
    CliTest.run("compact", db.toString()).expect(0);
    TreeShape s = Inspect.tree(db, "t");
    assertEquals(16 << 10, s.nodeSize(), "the header's node size");
    assertTrue(s.nodes().size() > 30, "1 MB in 16 KiB nodes is many nodes, not " + s.nodes().size());
    for (TreeShape.NodeInfo n : s.nodes()) {
      assertTrue(n.rawBytes() < 4 * (16 << 10), "node " + n.block() + " holds " + n.rawBytes() + " raw bytes");
    }
  }

  /** Compiles {@link #SOURCE} and packs it with its service file into a jar. */
  private Path buildFunctionJar() throws IOException {
    Path src = tmp.resolve("src/example/fns/Shout.java");
    Path classes = tmp.resolve("classes");
    Files.createDirectories(src.getParent());
    Files.createDirectories(classes);
    Files.writeString(src, SOURCE);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertNotNull(javac, "tests need a JDK");
    int rc = javac.run(null, null, null, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
        src.toString());
    assertEquals(0, rc, "javac");
    Path jar = tmp.resolve("shout.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      put(out, "META-INF/services/dev.sapwood.UpdateFunction", b("example.fns.Shout\n"));
      try (Stream<Path> files = Files.walk(classes)) {
        for (Path p : files.filter(Files::isRegularFile).toList()) {
          put(out, classes.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
        }
      }
    }
    return jar;
  }

  private static void put(JarOutputStream out, String name, byte[] bytes) throws IOException {
    out.putNextEntry(new JarEntry(name));
    ((OutputStream) out).write(bytes);
    out.closeEntry();
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
