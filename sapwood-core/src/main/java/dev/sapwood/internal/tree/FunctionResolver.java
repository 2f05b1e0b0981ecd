package dev.sapwood.internal.tree;

import dev.sapwood.UpdateFunction;

/** Finds the update function an UPDATE message names. */
public interface FunctionResolver {
  /**
   * The function registered under {@code name}.
   *
   * @throws dev.sapwood.SapwoodException if no function of that name is registered
   */
  UpdateFunction resolve(String name);
}
