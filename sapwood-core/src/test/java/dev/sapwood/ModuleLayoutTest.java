package dev.sapwood;

import static org.junit.jupiter.api.Assertions.*;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The module exports the public API alone; internals are closed to users. */
class ModuleLayoutTest {
  @Test
  void onlyThePublicPackageIsExportedToEveryone() throws Exception {
    Path info = Path.of("target", "classes", "module-info.class");
    assertTrue(Files.exists(info), "compiled module descriptor at " + info.toAbsolutePath());
    ModuleDescriptor d;
    try (InputStream in = Files.newInputStream(info)) {
      d = ModuleDescriptor.read(in);
    }
    assertEquals("dev.sapwood", d.name());
    Set<String> unqualified = d.exports().stream().filter(e -> !e.isQualified())
        .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
    assertEquals(Set.of("dev.sapwood"), unqualified);
    for (ModuleDescriptor.Exports e : d.exports()) {
      if (e.isQualified()) {
        assertTrue(e.source().startsWith("dev.sapwood.internal."), e.toString());
        for (String target : e.targets()) {
          assertTrue(target.startsWith("dev.sapwood."), "internal package " + e.source()
              + " may be exported only to Sapwood's own modules, not " + target);
        }
      }
    }
    assertTrue(d.opens().isEmpty(), "no package is opened for reflection: " + d.opens());
    assertFalse(d.isOpen(), "the module is not open");
  }
}
