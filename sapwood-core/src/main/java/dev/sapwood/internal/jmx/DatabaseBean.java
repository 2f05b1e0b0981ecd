package dev.sapwood.internal.jmx;

import dev.sapwood.Database;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The JMX view of one open database, {@code dev.sapwood:type=Database,name="<absolute dir>"}:
 * every status counter of {@link Database#stats()} (cache figures among them: {@code
 * cache.used_bytes}, {@code cache.budget_bytes}, {@code cache.hits}, ...) as a read-only {@code
 * long} attribute named after it, plus {@code Directory}. Registered when a database opens and
 * unregistered when it closes; a second database with the same directory name (possible only in
 * tests, on separate in-memory file systems) gets {@code ,instance=N} added.
 *
 * <p>JMX is never a reason for a database not to open or close: a failure to register or
 * unregister is logged (System.Logger, WARNING) and otherwise ignored. Thread-safe.
 */
public final class DatabaseBean implements DynamicMBean {
  static final String DOMAIN = "dev.sapwood";
  private static final System.Logger LOG = System.getLogger(DatabaseBean.class.getName());
  private static final Map<Database, ObjectName> REGISTERED = new ConcurrentHashMap<>();

  private final Database db;
  private final String dir;

  private DatabaseBean(Database db, String dir) {
    this.db = db;
    this.dir = dir;
  }

  /** The bean name of a database in {@code dir}. */
  public static ObjectName nameOf(Path dir) {
    try {
      return new ObjectName(DOMAIN + ":type=Database,name=" + ObjectName.quote(dir.toAbsolutePath().toString()));
    } catch (JMException e) {
      throw new IllegalArgumentException("no JMX name for " + dir, e);
    }
  }

  /** Registers the bean of {@code db}, open in {@code dir}, with the platform MBean server. */
  public static void register(Database db, Path dir) {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    DatabaseBean bean = new DatabaseBean(db, dir.toAbsolutePath().toString());
    ObjectName name = nameOf(dir);
    try {
      for (int instance = 2; ; instance++) {
        try {
          server.registerMBean(bean, name);
          REGISTERED.put(db, name);
          return;
        } catch (InstanceAlreadyExistsException taken) {
          name = new ObjectName(nameOf(dir) + ",instance=" + instance);
        }
      }
    } catch (JMException | RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot register the JMX bean of the database in " + dir, e);
    }
  }

  /** Unregisters the bean of {@code db}, if it has one. */
  public static void unregister(Database db) {
    ObjectName name = REGISTERED.remove(db);
    if (name == null) {
      return;
    }
    try {
      ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
    } catch (JMException | RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot unregister JMX bean " + name, e);
    }
  }

  @Override
  public Object getAttribute(String attribute) throws AttributeNotFoundException {
    if (attribute.equals("Directory")) {
      return dir;
    }
    Map<String, Long> counters = db.stats().counters();
    Long v = counters.get(attribute);
    if (v == null) {
      throw new AttributeNotFoundException("no counter named " + attribute);
    }
    return v;
  }

  @Override
  public AttributeList getAttributes(String[] attributes) {
    Map<String, Long> counters = db.stats().counters();
    AttributeList out = new AttributeList();
    for (String a : attributes) {
      if (a.equals("Directory")) {
        out.add(new Attribute(a, dir));
      } else if (counters.containsKey(a)) {
        out.add(new Attribute(a, counters.get(a)));
      }
    }
    return out;
  }

  @Override
  public void setAttribute(Attribute attribute) throws AttributeNotFoundException {
    throw new AttributeNotFoundException("every attribute is read-only: " + attribute.getName());
  }

  @Override
  public AttributeList setAttributes(AttributeList attributes) {
    return new AttributeList();
  }

  @Override
  public Object invoke(String actionName, Object[] params, String[] signature) {
    throw new UnsupportedOperationException("no operations: " + actionName);
  }

  @Override
  public MBeanInfo getMBeanInfo() {
    List<MBeanAttributeInfo> attrs = new ArrayList<>();
    attrs.add(new MBeanAttributeInfo("Directory", String.class.getName(), "the database directory", true, false, false));
    Map<String, Long> counters;
    try {
      counters = db.stats().counters();
    } catch (IllegalStateException closed) {
      counters = Map.of();
    }
    for (String name : counters.keySet()) {
      attrs.add(new MBeanAttributeInfo(name, "long", "status counter " + name, true, false, false));
    }
    return new MBeanInfo(DatabaseBean.class.getName(), "An open Sapwood database: its status counters",
        attrs.toArray(new MBeanAttributeInfo[0]), null, null, null);
  }
}
