package dev.sapwood.internal.engine;

import dev.sapwood.SapwoodException;
import dev.sapwood.UpdateFunction;
import dev.sapwood.UpdateFunctions;
import dev.sapwood.internal.tree.FunctionResolver;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The update functions of one open database: the built-ins, those registered in its options, and,
 * for any other name, the providers of {@link UpdateFunction} that {@link ServiceLoader} finds
 * through the class loader current when the database was opened (the thread's context class
 * loader: the caller's class path and module path). Lookup order: built-ins, then {@code
 * Options.register}, then providers; a provider never replaces a name found earlier.
 *
 * <p>Thread-safe. The providers are loaded once, on the first name not found otherwise, so a
 * database that only uses registered functions never runs {@link ServiceLoader}.
 *
 * <p>Invariants: a name resolves to the same function for the life of the registry; a name two
 * providers claim resolves to neither (an error naming both).
 */
final class FunctionRegistry implements FunctionResolver {
  private static final Set<String> BUILT_IN_NAMES =
      UpdateFunctions.builtIns().stream().map(UpdateFunction::name).collect(Collectors.toUnmodifiableSet());
  private final Map<String, UpdateFunction> byName = new HashMap<>();
  private final ClassLoader loader;
  private volatile Map<String, Object> provided; // name to UpdateFunction, or to a String saying why not

  FunctionRegistry(List<UpdateFunction> registered) {
    this(registered, Thread.currentThread().getContextClassLoader());
  }

  /** @param loader where {@link ServiceLoader} looks for providers; null for the system class loader */
  FunctionRegistry(List<UpdateFunction> registered, ClassLoader loader) {
    for (UpdateFunction f : UpdateFunctions.builtIns()) {
      byName.put(f.name(), f);
    }
    for (UpdateFunction f : registered) {
      byName.put(f.name(), f);
    }
    this.loader = loader;
  }

  /** Whether {@code name} is a built-in function's (never remembered in the catalog). */
  static boolean isBuiltIn(String name) {
    return BUILT_IN_NAMES.contains(name);
  }

  /** Whether {@code name} resolves (registered, built in, or found through {@link ServiceLoader}). */
  boolean isRegistered(String name) {
    return byName.containsKey(name) || providers().get(name) instanceof UpdateFunction;
  }

  @Override
  public UpdateFunction resolve(String name) {
    UpdateFunction f = byName.get(name);
    if (f != null) {
      return f;
    }
    Object p = providers().get(name);
    if (p instanceof UpdateFunction pf) {
      return pf;
    }
    if (p instanceof String why) {
      throw new SapwoodException("update function '" + name + "': " + why);
    }
    throw new SapwoodException("update function '" + name + "' is not registered (Options.register) and no "
        + "provider of dev.sapwood.UpdateFunction on the class or module path has that name");
  }

  private Map<String, Object> providers() {
    Map<String, Object> m = provided;
    if (m == null) {
      synchronized (this) {
        m = provided;
        if (m == null) {
          m = load();
          provided = m;
        }
      }
    }
    return m;
  }

  private Map<String, Object> load() {
    Map<String, Object> m = new HashMap<>();
    ServiceLoader<UpdateFunction> sl = loader == null
        ? ServiceLoader.load(UpdateFunction.class, ClassLoader.getSystemClassLoader())
        : ServiceLoader.load(UpdateFunction.class, loader);
    try {
      for (UpdateFunction f : sl) {
        String name = f.name();
        if (name == null || byName.containsKey(name)) {
          continue; // a built-in or registered name is not the providers' to change
        }
        Object before = m.putIfAbsent(name, f);
        if (before != null) {
          String first = before instanceof UpdateFunction u ? u.getClass().getName() : (String) before;
          m.put(name, "two providers claim the name: " + first + " and " + f.getClass().getName());
        }
      }
    } catch (ServiceConfigurationError e) {
      throw new SapwoodException("cannot load the providers of dev.sapwood.UpdateFunction: " + e.getMessage(), e);
    }
    return m;
  }
}
