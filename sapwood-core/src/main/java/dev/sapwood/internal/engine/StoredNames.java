package dev.sapwood.internal.engine;

import dev.sapwood.UpdateFunction;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The stored names of the update functions that changes name: each checked against the registry
 * (it must resolve), a user function's noted in the catalog, and encoded to UTF-8 when first
 * named, then reused. Per update, the check and the encoding were a tenth of updaterandom's
 * writer samples (JFR, 20M keys; docs/design.md, "What a put pays outside its buffer").
 *
 * <p>Invariants: a name is kept only once it resolved and, for a user function, once it is in the
 * catalog (which never forgets a name), so a kept name needs neither again; the names kept are
 * bounded by those the registry resolves, a name it refuses is never kept. The arrays returned are
 * shared by every change naming the function: no caller may change them (the buffers and the log
 * copy them).
 *
 * <p>Thread-safe.
 */
final class StoredNames {
  private final FunctionRegistry functions;
  private final Catalog catalog;
  private final ConcurrentHashMap<String, byte[]> stored = new ConcurrentHashMap<>();

  StoredNames(FunctionRegistry functions, Catalog catalog) {
    this.functions = functions;
    this.catalog = catalog;
  }

  /** The stored name of {@code fn}; throws {@link IllegalArgumentException} if it is not registered. */
  byte[] of(UpdateFunction fn) {
    String name = fn.name();
    byte[] s = stored.get(name);
    return s != null ? s : first(name);
  }

  private byte[] first(String name) {
    if (!functions.isRegistered(name)) {
      throw new IllegalArgumentException("update function '" + name + "' is not registered (Options.register)");
    }
    if (!FunctionRegistry.isBuiltIn(name)) {
      catalog.functions.add(name);
    }
    byte[] s = name.getBytes(StandardCharsets.UTF_8);
    byte[] raced = stored.putIfAbsent(name, s);
    return raced != null ? raced : s;
  }
}
