package dev.sapwood.internal.jmx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Database;
import dev.sapwood.Options;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseBeanTest {
  @TempDir Path tmp;
  private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

  @Test
  void anOpenDatabaseHasABeanWithItsCountersUntilItCloses() throws Exception {
    Path dir = tmp.resolve("db");
    ObjectName name = new ObjectName("dev.sapwood:type=Database,name=" + ObjectName.quote(dir.toAbsolutePath().toString()));
    assertEquals(name, DatabaseBean.nameOf(dir));
    try (Database db = Database.open(dir, Options.defaults().cacheSize(1 << 20))) {
      assertTrue(server.isRegistered(name), "registered on open");
      db.tree("t").put("k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8));
      assertEquals((long) (1 << 20), (long) server.getAttribute(name, "cache.budget_bytes")
          + (long) server.getAttribute(name, "cache.offheap_budget_bytes"), "heap and off-heap shares make the cache");
      assertEquals(1L, server.getAttribute(name, "db.trees"));
      assertEquals(dir.toAbsolutePath().toString(), server.getAttribute(name, "Directory"));
      Set<String> attributes = Arrays.stream(server.getMBeanInfo(name).getAttributes())
          .map(MBeanAttributeInfo::getName).collect(Collectors.toSet());
      assertTrue(attributes.containsAll(db.stats().counters().keySet()), "every counter is an attribute: " + attributes);
      assertTrue(attributes.contains("cache.used_bytes"), attributes::toString);
      assertEquals(2, server.getAttributes(name, new String[] {"db.trees", "cache.nodes"}).size());
    }
    assertFalse(server.isRegistered(name), "unregistered on close");
  }

  @Test
  @SuppressWarnings("try") // both held open while their beans are looked at
  void twoDatabasesHaveTwoBeans() throws Exception {
    try (Database a = Database.open(tmp.resolve("a")); Database b = Database.open(tmp.resolve("b"))) {
      assertTrue(server.isRegistered(DatabaseBean.nameOf(tmp.resolve("a"))));
      assertTrue(server.isRegistered(DatabaseBean.nameOf(tmp.resolve("b"))));
      assertEquals(2, server.queryNames(new ObjectName("dev.sapwood:type=Database,*"), null).stream()
          .filter(n -> n.getKeyProperty("name").contains(tmp.toAbsolutePath().toString())).count());
    }
  }
}
