package dev.sapwood.internal.engine;

import dev.sapwood.SapwoodException;
import dev.sapwood.UpdateFunction;
import dev.sapwood.UpdateFunctions;
import dev.sapwood.internal.tree.FunctionResolver;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The update functions of one open database: the built-ins plus those in its options. Immutable. */
final class FunctionRegistry implements FunctionResolver {
  private final Map<String, UpdateFunction> byName = new HashMap<>();

  FunctionRegistry(List<UpdateFunction> registered) {
    for (UpdateFunction f : UpdateFunctions.builtIns()) {
      byName.put(f.name(), f);
    }
    for (UpdateFunction f : registered) {
      byName.put(f.name(), f);
    }
  }

  boolean isRegistered(String name) {
    return byName.containsKey(name);
  }

  @Override
  public UpdateFunction resolve(String name) {
    UpdateFunction f = byName.get(name);
    if (f == null) {
      throw new SapwoodException("update function '" + name + "' is not registered");
    }
    return f;
  }
}
