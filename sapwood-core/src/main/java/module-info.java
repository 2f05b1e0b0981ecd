/**
 * Sapwood: an embedded, durable, ordered key-value store built on a B^ε-tree.
 *
 * <p>Only {@code dev.sapwood} is exported; every {@code dev.sapwood.internal.*} package is closed.
 */
module dev.sapwood {
  requires org.lz4.java;
  requires com.github.luben.zstd_jni;

  exports dev.sapwood;
}
