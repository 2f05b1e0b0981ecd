package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Options;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.jmx.DatabaseBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/**
 * A simulated process death leaves nothing of the database reachable: model tests crash and reopen
 * a database hundreds of times in one JVM, and each halted one the platform MBean server kept held
 * its cache and tables (RangeUpdateModelTest's stress run ran out of a 2 GiB heap after ~150).
 */
class HaltTest {
  @Test
  void haltUnregistersTheJmxBean() {
    Path dir = Path.of("/halt-" + System.nanoTime());
    ObjectName name = DatabaseBean.nameOf(dir);
    DatabaseImpl db = TestSeams.open(dir, Options.defaults().cacheSize(1 << 20), new MemoryFileIo());
    assertTrue(ManagementFactory.getPlatformMBeanServer().isRegistered(name), "registered on open");
    TestSeams.halt(db);
    assertFalse(ManagementFactory.getPlatformMBeanServer().isRegistered(name), "still registered after a halt");
  }
}
